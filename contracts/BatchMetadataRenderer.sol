// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

// JSON and SVG need double quotes inside Solidity string literals.
// solhint-disable quotes
import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";

import {IITECRegistryTypes} from "./interfaces/IITECRegistryTypes.sol";
import {MetadataFormat} from "./metadata/MetadataFormat.sol";
import {Template} from "./metadata/Template.sol";

/**
 * @title BatchMetadataRenderer
 * @notice Renders a batch's ERC-1155 metadata JSON on-chain: name, description, figures as wallet traits
 * (`attributes`, the OpenSea metadata standard MetaMask reads) and as machine-readable `properties`, and as
 * `image` an SVG card whose colour and word show the batch's status. Deployed by the registry's constructor and
 * called only from its `uri` view: keeping this code out of the registry keeps the registry under the contract
 * size limit with the optimizer tuned for cheap transactions.
 * @dev The metadata depends on nothing a retirement changes (the retired count is left out), so the registry
 * needs to announce new metadata with an ERC-1155 `URI` event only when a batch's status changes.
 * Texts are inserted as the registry admitted them: names, parameters and the base URI contain no `"`, `\` or
 * control character, so they are JSON-safe as they are; the card escapes `&`, `<` and `>` for XML.
 */
contract BatchMetadataRenderer {
    // Placeholders of the two templates below (see {Template}): byte k stands for value k of {render}.
    //   \x00 batch id          \x05 vintage start date      \x0a parameters            \x0f status word (card)
    //   \x01 category          \x06 vintage end date        \x0b external base URI     \x10 status colour
    //   \x02 baseline kg       \x07 issued                  \x0c vintage start (Unix)  \x11 image (card, base64)
    //   \x03 reduction kg      \x08 status                  \x0d vintage end (Unix)
    //   \x04 intensity kg      \x09 methodology             \x0e methodology, XML-escaped
    uint256 private constant _VALUES = 0x12;

    /// @dev The SVG card, 400 × 400: the status colours the header band and the badge. Escapes: \u0304 puts the
    /// bar on B̄ and V̄, \u2082 is the subscript of CO₂, \u2212 a minus sign and \u2013 an en dash.
    bytes private constant _CARD =
        '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400" '
        'font-family="sans-serif" font-size="15" fill="#17251d"><rect width="400" height="400" fill="#f4f7f4"/>'
        '<rect width="400" height="72" fill="\x10"/><rect x="24" y="336" width="352" height="44" rx="8" fill="\x10"/>'
        '<g fill="#fff" font-weight="700">'
        '<text x="24" y="47" font-size="30">I-TEC</text>'
        '<text x="376" y="47" font-size="20" text-anchor="end">batch #\x00</text>'
        '<text x="200" y="365" font-size="18" text-anchor="middle" letter-spacing="2">\x0f</text></g>'
        '<text x="24" y="112" font-size="24" font-weight="700">\x01</text>'
        '<text x="24" y="134" font-size="12" fill="#4a5a50">kg CO\u2082e per device</text>'
        '<text x="24" y="168">B\u0304 baseline</text><text x="24" y="196">V\u0304 verified reduction</text>'
        '<text x="24" y="224">B\u0304 \u2212 V\u0304 certified intensity</text><text x="24" y="260">Vintage</text>'
        '<text x="24" y="288">Issued</text><g font-weight="700" text-anchor="end">'
        '<text x="376" y="168">\x02</text><text x="376" y="196">\x03</text><text x="376" y="224">\x04</text>'
        '<text x="376" y="260">\x05 \u2013 \x06</text><text x="376" y="288">\x07</text></g>'
        '<text x="24" y="318" font-size="12" fill="#4a5a50">Methodology: \x0e</text></svg>';

    /// @dev The metadata JSON.
    bytes private constant _JSON =
        '{"name":"I-TEC batch #\x00 (\x01)","description":"IT Asset Reuse Certificates: one I-TEC per verified '
        'refurbished device. Lower carbon intensity than a new equivalent, not an offset.","decimals":0,'
        '"external_url":"\x0b\x00","image":"data:image/svg+xml;base64,\x11","attributes":['
        '{"trait_type":"Category","value":"\x01"},'
        '{"trait_type":"Baseline (kg CO2e per device)","value":"\x02"},'
        '{"trait_type":"Verified reduction (kg CO2e per device)","value":"\x03"},'
        '{"trait_type":"Certified intensity (kg CO2e per device)","value":"\x04"},'
        '{"trait_type":"Vintage start","value":"\x05"},{"trait_type":"Vintage end","value":"\x06"},'
        '{"trait_type":"Issued","display_type":"number","value":\x07},'
        '{"trait_type":"Methodology","value":"\x09"},{"trait_type":"Status","value":"\x08"}],'
        '"properties":{"category":"\x01","baseline_kgco2e_per_device":"\x02",'
        '"verified_reduction_kgco2e_per_device":"\x03","certified_intensity_kgco2e_per_device":"\x04",'
        '"issued":\x07,"status":"\x08","vintage_start":\x0c,"vintage_end":\x0d,"methodology":"\x09",'
        '"parameters":"\x0a"}}';

    /// @dev Category name for code 1..6 (docs/methodology.md §1).
    function _categoryName(uint8 category) private pure returns (string memory) {
        if (category == 1) return "laptop";
        if (category == 2) return "desktop";
        if (category == 3) return "monitor";
        if (category == 4) return "smartphone";
        if (category == 5) return "tablet";
        if (category == 6) return "server";
        return "unknown";
    }

    /// @notice `data:application/json;base64,…` metadata for batch `id`.
    function render(
        uint256 id,
        IITECRegistryTypes.Batch calldata b,
        string calldata methodologyName,
        string calldata parameters,
        string calldata externalBaseURI
    ) external pure returns (string memory) {
        string[] memory v = new string[](_VALUES);
        v[0x00] = MetadataFormat.decimal(id, 1);
        v[0x01] = _categoryName(b.category);
        v[0x02] = MetadataFormat.kg(b.baselineGrams);
        v[0x03] = MetadataFormat.kg(b.reductionGrams);
        // The registry issues only batches whose reduction does not exceed their baseline.
        v[0x04] = MetadataFormat.kg(uint256(b.baselineGrams) - b.reductionGrams);
        v[0x05] = MetadataFormat.isoDate(b.vintageStart);
        v[0x06] = MetadataFormat.isoDate(b.vintageEnd);
        v[0x07] = MetadataFormat.decimal(b.issued, 1);
        (v[0x08], v[0x0f], v[0x10]) = _status(b.status);
        v[0x09] = methodologyName;
        v[0x0a] = parameters;
        v[0x0b] = externalBaseURI;
        v[0x0c] = MetadataFormat.decimal(b.vintageStart, 1);
        v[0x0d] = MetadataFormat.decimal(b.vintageEnd, 1);
        v[0x0e] = MetadataFormat.xmlEscape(methodologyName);
        v[0x11] = Base64.encode(bytes(Template.fill(_CARD, v)));
        return string.concat("data:application/json;base64,", Base64.encode(bytes(Template.fill(_JSON, v))));
    }

    /// @dev The status as the SDK names it, the card's word for it and its colour (white text on each colour has
    /// a contrast ratio above 4.5:1).
    function _status(
        IITECRegistryTypes.BatchStatus status
    ) private pure returns (string memory name, string memory word, string memory colour) {
        if (status == IITECRegistryTypes.BatchStatus.Active) return ("active", "ACTIVE", "#1f7a4d");
        if (status == IITECRegistryTypes.BatchStatus.Suspended) return ("suspended", "SUSPENDED", "#b45309");
        return ("reversed", "REVERSED", "#b91c1c");
    }
}
