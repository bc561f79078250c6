// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/**
 * @title External device sets — the register of other schemes' credited devices
 * @notice Other schemes (an OEM take-back programme, an EPR compliance scheme, another registry) publish the devices
 * they have credited. A registry's admin registers each published set here: a device in an active set is excluded
 * at calculation (`CLAIMED_ELSEWHERE`, docs/methodology.md "Devices claimed elsewhere") and, in an issued batch,
 * provable on the registry ({IITECRegistryAdmin-challengeClaimedElsewhere}).
 * @dev One contract serves the registry whose extension deployed it, keyed by registry address: a write for
 * `registry` needs `registry.hasRole(DEFAULT_ADMIN_ROLE, msg.sender)`. A contract that merely claims to be a
 * registry can only write under its own address, which no real registry reads (docs/adr/0056).
 */
interface IExternalDeviceSets {
    /**
     * @notice A registered set.
     * @param root StandardMerkleTree root over `[index, deviceId]` leaves (["uint256","bytes32"], ADR 0015): the
     * set's device ids in our form (docs/methodology.md §8.1), `index` their position in the published list.
     * @param asOf When the scheme's list was taken (Unix seconds).
     * @param registeredAt When the admin registered it.
     * @param retiredAt When the admin retired it (0: active); a retired set excludes and proves nothing.
     * @param supersededBy The set that replaced it (0: none).
     * @param scheme The scheme's name, as reports and challenges name it.
     * @param sourceURI Where the list of device ids is published (the oracle fetches it and checks it against `root`).
     */
    struct ExternalDeviceSet {
        bytes32 root;
        uint40 asOf;
        uint40 registeredAt;
        uint40 retiredAt;
        uint32 supersededBy;
        string scheme;
        string sourceURI;
    }

    /// @notice `registry`'s admin registered set `setId` (replacing set `supersedes`, 0: none).
    event ExternalDeviceSetRegistered(
        address indexed registry,
        uint32 indexed setId,
        bytes32 indexed root,
        uint32 supersedes,
        string scheme,
        string sourceURI,
        uint40 asOf
    );

    /// @notice `registry`'s admin retired set `setId` (`supersededBy` 0: withdrawn, not replaced).
    event ExternalDeviceSetRetired(address indexed registry, uint32 indexed setId, uint32 supersededBy, string reason);

    /// @notice `account` is not `registry`'s admin.
    error ExternalSetUnauthorized(address registry, address account);
    /// @notice No set `setId` for `registry`, or it was retired.
    error ExternalSetNotActive(address registry, uint32 setId);
    /// @notice A set with this root is already registered for `registry` as `setId`.
    error ExternalSetExists(address registry, bytes32 root, uint32 setId);
    /// @notice A field is out of range: empty or too long a text, a zero root, an `asOf` of 0 or in the future.
    error ExternalSetInvalid(string field);

    /**
     * @notice Registers a published device set for `registry`; when `supersedes` ≠ 0 that active set is retired in
     * its favour. Only `registry`'s admin.
     */
    function register(
        address registry,
        string calldata scheme,
        bytes32 root,
        string calldata sourceURI,
        uint40 asOf,
        uint32 supersedes
    ) external returns (uint32 setId);

    /// @notice Retires an active set of `registry` (it then excludes and proves nothing). Only `registry`'s admin.
    function retire(address registry, uint32 setId, string calldata reason) external;

    /// @notice Set `setId` of `registry`; reverts when unknown.
    function deviceSet(address registry, uint32 setId) external view returns (ExternalDeviceSet memory);

    /// @notice The root of `registry`'s set `setId` and whether the set is active (registered and not retired).
    function rootOf(address registry, uint32 setId) external view returns (bytes32 root, bool active);

    /// @notice Number of sets registered for `registry` (ids run from 1).
    function count(address registry) external view returns (uint256);
}
