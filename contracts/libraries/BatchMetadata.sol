// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

// JSON fragments need double quotes inside Solidity string literals.
// solhint-disable quotes
import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

import {IITECRegistry} from "../interfaces/IITECRegistry.sol";

/**
 * @title BatchMetadata
 * @notice Renders a batch's ERC-1155 metadata JSON on-chain (only called from views, so gas is not a concern).
 */
library BatchMetadata {
    using Strings for uint256;

    /// @notice A text embedded in the JSON contains a quote, backslash or control character.
    error BatchMetadataUnsafeText(string field);

    /// @notice Reverts unless `text` can be placed inside a JSON string literal as it is.
    function requireJsonSafe(bytes memory text, string memory field) internal pure {
        for (uint256 i = 0; i < text.length; ++i) {
            bytes1 c = text[i];
            if (c == '"' || c == "\\" || uint8(c) < 0x20) revert BatchMetadataUnsafeText(field);
        }
    }

    /// @notice Category name for code 1..6 (METHODOLOGY.md §1).
    function categoryName(uint8 category) internal pure returns (string memory) {
        if (category == 1) return "laptop";
        if (category == 2) return "desktop";
        if (category == 3) return "monitor";
        if (category == 4) return "smartphone";
        if (category == 5) return "tablet";
        if (category == 6) return "server";
        return "unknown";
    }

    /// @notice Integer grams as kilograms with exactly three decimals, e.g. 189413 → "189.413".
    function gramsToKg(uint256 grams) internal pure returns (string memory) {
        uint256 fraction = grams % 1000;
        string memory padding = fraction < 10 ? "00" : (fraction < 100 ? "0" : "");
        return string.concat((grams / 1000).toString(), ".", padding, fraction.toString());
    }

    /// @notice `data:application/json;base64,…` metadata for batch `id`.
    function render(
        uint256 id,
        IITECRegistry.Batch storage b,
        string memory methodologyName,
        string memory parameters,
        string memory externalBaseURI
    ) internal view returns (string memory) {
        string memory category = categoryName(b.category);
        string memory json = string.concat(
            '{"name":"I-TEC batch #',
            id.toString(),
            " (",
            category,
            ')","description":"IT Asset Reuse Certificates: one I-TEC per verified refurbished device. ',
            "Lower carbon intensity than a new equivalent, not an offset.",
            '","decimals":0,"external_url":"',
            externalBaseURI,
            id.toString(),
            '","properties":',
            _properties(b, category, methodologyName, parameters),
            "}"
        );
        return string.concat("data:application/json;base64,", Base64.encode(bytes(json)));
    }

    function _properties(
        IITECRegistry.Batch storage b,
        string memory category,
        string memory methodologyName,
        string memory parameters
    ) private view returns (string memory) {
        return
            string.concat(
                string.concat(
                    '{"category":"',
                    category,
                    '","baseline_kgco2e_per_device":"',
                    gramsToKg(b.baselineGrams),
                    '","verified_reduction_kgco2e_per_device":"',
                    gramsToKg(b.reductionGrams),
                    '","certified_intensity_kgco2e_per_device":"',
                    gramsToKg(uint256(b.baselineGrams) - b.reductionGrams)
                ),
                string.concat(
                    '","issued":',
                    uint256(b.issued).toString(),
                    ',"retired":',
                    uint256(b.retired).toString(),
                    ',"suspended":',
                    b.suspended ? "true" : "false",
                    ',"vintage_start":',
                    uint256(b.vintageStart).toString(),
                    ',"vintage_end":',
                    uint256(b.vintageEnd).toString(),
                    ',"methodology":"',
                    methodologyName,
                    '","parameters":"',
                    parameters,
                    '"}'
                )
            );
    }
}
