// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

// JSON fragments need double quotes inside Solidity string literals.
// solhint-disable quotes
import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

import {IITECRegistryTypes} from "./interfaces/IITECRegistryTypes.sol";

/**
 * @title BatchMetadataRenderer
 * @notice Renders a batch's ERC-1155 metadata JSON on-chain. Deployed by the registry's constructor and called
 * only from its `uri` view: keeping this code out of the registry keeps the registry under the contract size
 * limit with the optimizer tuned for cheap transactions.
 */
contract BatchMetadataRenderer {
    using Strings for uint256;

    /// @notice Category name for code 1..6 (docs/methodology.md §1).
    function categoryName(uint8 category) public pure returns (string memory) {
        if (category == 1) return "laptop";
        if (category == 2) return "desktop";
        if (category == 3) return "monitor";
        if (category == 4) return "smartphone";
        if (category == 5) return "tablet";
        if (category == 6) return "server";
        return "unknown";
    }

    /// @notice Integer grams as kilograms with exactly three decimals, e.g. 189413 → "189.413".
    function gramsToKg(uint256 grams) public pure returns (string memory) {
        uint256 fraction = grams % 1000;
        string memory padding = fraction < 10 ? "00" : (fraction < 100 ? "0" : "");
        return string.concat((grams / 1000).toString(), ".", padding, fraction.toString());
    }

    /// @notice `data:application/json;base64,…` metadata for batch `id`.
    function render(
        uint256 id,
        IITECRegistryTypes.Batch calldata b,
        string calldata methodologyName,
        string calldata parameters,
        string calldata externalBaseURI
    ) external pure returns (string memory) {
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
        IITECRegistryTypes.Batch calldata b,
        string memory category,
        string calldata methodologyName,
        string calldata parameters
    ) private pure returns (string memory) {
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
                    b.status != IITECRegistryTypes.BatchStatus.Active ? "true" : "false",
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
