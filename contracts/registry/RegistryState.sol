// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {BatchMetadataRenderer} from "../BatchMetadataRenderer.sol";
import {IITECRegistryErrors} from "../interfaces/IITECRegistryErrors.sol";
import {IITECRegistryEvents} from "../interfaces/IITECRegistryEvents.sol";
import {Texts} from "./Texts.sol";

/**
 * @title RegistryState
 * @notice The registry's state in one ERC-7201 namespace, shared by {ITECRegistry} (the token and the hot paths)
 * and {ITECRegistryAdmin} (the admin and fraud-proof paths it delegates to). A fixed slot rather than inherited
 * layout means the two contracts agree on where everything is whatever else they inherit (docs/adr/0006).
 * @dev Layout follows the writes each operation must make (docs/adr/0002-gas-layout.md): a batch is one slot, a
 * retirement three, the counters and the threshold share the slot issuance reads anyway, an auditor's
 * accreditation is the one slot issuance reads per signer, a participant's kind and standing one slot.
 */
abstract contract RegistryState is IITECRegistryEvents, IITECRegistryErrors {
    /// @notice Role of the oracle account that posts attestations.
    bytes32 public constant ISSUER_ROLE = keccak256("ITEC_ISSUER_ROLE");
    /// @notice Highest device category code (1 laptop … 6 server).
    uint8 public constant MAX_CATEGORY = 6;
    /// @notice Longest accepted reason / purpose / evidence URI, in bytes.
    uint256 public constant MAX_TEXT_BYTES = 1024;
    /// @notice Longest accepted organisation name, in bytes.
    uint256 public constant MAX_NAME_BYTES = 200;

    /// @dev Everything issuance and retirement count, in one slot.
    struct Counters {
        uint64 batches;
        uint64 retirements;
        uint8 auditorThreshold;
        uint16 methodologies;
        uint32 auditorBodies;
        uint16 bodiesWithAuditors;
        uint32 challenges;
    }

    /// @dev Issuance looks a methodology up by its (name, parameters) key with one storage read.
    struct MethodologyRef {
        uint16 id;
        bool active;
    }

    /// @custom:storage-location erc7201:itec.registry.state
    struct Layout {
        Counters counters;
        string externalBaseURI;
        mapping(address account => Participant) participants;
        mapping(uint256 batchId => Batch) batches;
        mapping(uint256 batchId => BatchHold) holds;
        mapping(bytes32 reportKey => uint256 batchId) batchOfReportKey;
        mapping(bytes32 deviceRoot => uint256 batchId) batchOfDeviceRoot;
        mapping(uint256 retirementId => Retirement) retirements;
        mapping(uint16 methodologyId => Methodology) methodologies;
        mapping(bytes32 methodologyKey => MethodologyRef) methodologyRefs;
        mapping(address auditor => Accreditation) accreditations;
        mapping(uint32 bodyId => AuditorBody) auditorBodies;
        mapping(uint256 challengeId => Challenge) challenges;
        mapping(bytes32 challengeKey => uint256 challengeId) challengeOfKey;
    }

    /// @dev keccak256(abi.encode(uint256(keccak256("itec.registry.state")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STATE_SLOT = 0xc835bb82eddef52c590a7863f90682b4713b7c07e2240096fad6ea74ce57d600;

    function _state() internal pure returns (Layout storage $) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            $.slot := STATE_SLOT
        }
    }

    function _existingBatch(uint256 batchId) internal view returns (Batch storage b) {
        b = _state().batches[batchId];
        // Every issued batch has issued ≥ 1, so a zero slot means "never issued".
        if (b.issued == 0) revert ITECUnknownBatch(batchId);
    }

    /// @dev The `data:` URI of batch `id`'s metadata (shared by `uri` and the `URI` events).
    function _renderUri(BatchMetadataRenderer renderer, uint256 id) internal view returns (string memory) {
        Layout storage $ = _state();
        Batch memory b = _existingBatch(id);
        Methodology storage m = $.methodologies[b.methodologyId];
        return renderer.render(id, b, m.name, m.parameters, $.externalBaseURI);
    }

    /// @dev A reason, purpose or URI: 1…MAX_TEXT_BYTES bytes of UTF-8 (0 allowed when `optional`).
    function _requireText(string calldata text, string memory field, bool optional) internal pure {
        uint256 length = bytes(text).length;
        if ((length == 0 && !optional) || length > MAX_TEXT_BYTES) revert ITECInvalidText(field, length);
        if (!Texts.isUtf8Calldata(bytes(text))) revert ITECUnsafeText(field);
    }

    /// @dev An organisation name: 1…MAX_NAME_BYTES bytes of UTF-8, no control characters or markup.
    function _requireName(string calldata name, string memory field) internal pure {
        uint256 length = bytes(name).length;
        if (length == 0 || length > MAX_NAME_BYTES) revert ITECInvalidText(field, length);
        _requireMarkupSafe(bytes(name), field);
    }

    /// @dev A text that goes into token metadata: UTF-8 with nothing JSON or SVG would read as syntax.
    function _requireMarkupSafe(bytes memory text, string memory field) internal pure {
        if (!Texts.isUtf8(text) || !Texts.isMarkupSafe(text)) revert ITECUnsafeText(field);
    }

    function _reportKey(bytes32 reportHash, uint8 category) internal pure returns (bytes32) {
        return keccak256(abi.encode(reportHash, category));
    }

    function _methodologyKey(bytes32 nameHash, bytes32 parametersHash) internal pure returns (bytes32) {
        return keccak256(abi.encode(nameHash, parametersHash));
    }
}
