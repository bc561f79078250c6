// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {IExternalDeviceSets} from "./interfaces/IExternalDeviceSets.sol";

/**
 * @title ExternalDeviceSets
 * @notice The register of other schemes' published device sets ({IExternalDeviceSets}). Deployed by
 * {ITECRegistryExtension}, which reads it when a batch is challenged as claimed elsewhere; it lives outside the
 * registry because the registry's extension has no room left under the 24,576-byte code limit (docs/adr/0056).
 */
contract ExternalDeviceSets is IExternalDeviceSets {
    /// @notice Longest accepted scheme name, in bytes (the registry's limit for organisation names).
    uint256 public constant MAX_SCHEME_BYTES = 200;
    /// @notice Longest accepted source URI or reason, in bytes (the registry's limit for texts).
    uint256 public constant MAX_TEXT_BYTES = 1024;

    /// @dev OpenZeppelin's admin role id, the registry's.
    bytes32 private constant DEFAULT_ADMIN_ROLE = 0x00;

    mapping(address registry => uint32) private _counts;
    mapping(address registry => mapping(uint32 setId => ExternalDeviceSet)) private _sets;
    mapping(address registry => mapping(bytes32 root => uint32 setId)) private _setOfRoot;

    modifier onlyAdminOf(address registry) {
        if (registry.code.length == 0 || !IAccessControl(registry).hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) {
            revert ExternalSetUnauthorized(registry, msg.sender);
        }
        _;
    }

    /// @inheritdoc IExternalDeviceSets
    function register(
        address registry,
        string calldata scheme,
        bytes32 root,
        string calldata sourceURI,
        uint40 asOf,
        uint32 supersedes
    ) external onlyAdminOf(registry) returns (uint32 setId) {
        _requireText(scheme, MAX_SCHEME_BYTES, "scheme");
        _requireText(sourceURI, MAX_TEXT_BYTES, "sourceURI");
        if (root == bytes32(0)) revert ExternalSetInvalid("root");
        if (asOf == 0 || asOf > block.timestamp) revert ExternalSetInvalid("asOf");
        uint32 existing = _setOfRoot[registry][root];
        if (existing != 0) revert ExternalSetExists(registry, root, existing);
        setId = ++_counts[registry];
        if (supersedes != 0) _retire(registry, supersedes, setId, "superseded");
        _setOfRoot[registry][root] = setId;
        _sets[registry][setId] = ExternalDeviceSet({
            root: root,
            asOf: asOf,
            registeredAt: uint40(block.timestamp),
            retiredAt: 0,
            supersededBy: 0,
            scheme: scheme,
            sourceURI: sourceURI
        });
        emit ExternalDeviceSetRegistered(registry, setId, root, supersedes, scheme, sourceURI, asOf);
    }

    /// @inheritdoc IExternalDeviceSets
    function retire(address registry, uint32 setId, string calldata reason) external onlyAdminOf(registry) {
        _requireText(reason, MAX_TEXT_BYTES, "reason");
        _retire(registry, setId, 0, reason);
    }

    /// @inheritdoc IExternalDeviceSets
    function deviceSet(address registry, uint32 setId) external view returns (ExternalDeviceSet memory) {
        ExternalDeviceSet storage set = _sets[registry][setId];
        if (set.registeredAt == 0) revert ExternalSetNotActive(registry, setId);
        return set;
    }

    /// @inheritdoc IExternalDeviceSets
    function rootOf(address registry, uint32 setId) external view returns (bytes32 root, bool active) {
        ExternalDeviceSet storage set = _sets[registry][setId];
        return (set.root, set.registeredAt != 0 && set.retiredAt == 0);
    }

    /// @inheritdoc IExternalDeviceSets
    function count(address registry) external view returns (uint256) {
        return _counts[registry];
    }

    function _retire(address registry, uint32 setId, uint32 supersededBy, string memory reason) private {
        ExternalDeviceSet storage set = _sets[registry][setId];
        if (set.registeredAt == 0 || set.retiredAt != 0) revert ExternalSetNotActive(registry, setId);
        set.retiredAt = uint40(block.timestamp);
        set.supersededBy = supersededBy;
        emit ExternalDeviceSetRetired(registry, setId, supersededBy, reason);
    }

    /// @dev 1…`max` bytes. The texts are shown by the CLI, the API and the report, never rendered into token
    /// metadata, so any UTF-8 the caller's client produced is kept as given.
    function _requireText(string calldata text, uint256 max, string memory field) private pure {
        uint256 length = bytes(text).length;
        if (length == 0 || length > max) revert ExternalSetInvalid(field);
    }
}
