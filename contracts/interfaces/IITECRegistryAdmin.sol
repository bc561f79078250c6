// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IITECRegistryErrors} from "./IITECRegistryErrors.sol";
import {IITECRegistryEvents} from "./IITECRegistryEvents.sol";

/**
 * @title I-TEC Registry — governance, fraud proofs and the register
 * @notice Participants, auditing bodies and accreditation, methodologies, suspension, challenges, settlement and
 * reversal, and the register's views: the functions {ITECRegistryExtension} runs in the registry's storage
 * (delegatecall from the registry's fallback). Admin functions check the caller holds the registry's
 * DEFAULT_ADMIN_ROLE.
 */
interface IITECRegistryAdmin is IITECRegistryEvents, IITECRegistryErrors {
    /// @notice Admits `account` as an active participant of `kind`, named `name`. Only the registry admin.
    function admitParticipant(address account, ParticipantKind kind, string calldata name) external;

    /// @notice Changes the organisation name of an admitted `account`. Only the registry admin.
    function renameParticipant(address account, string calldata name) external;

    /// @notice Suspends an active participant. Only the registry admin.
    function suspendParticipant(address account, string calldata reason) external;

    /// @notice Reinstates a suspended participant. Only the registry admin.
    function reinstateParticipant(address account, string calldata reason) external;

    /// @notice Register entry of `account` (kind None / status None / empty name when never admitted).
    function participant(address account) external view returns (Participant memory);

    /// @notice Registers an auditing body; returns its id (from 1). Only the registry admin.
    function registerAuditorBody(string calldata name) external returns (uint32 bodyId);

    /// @notice Changes an auditing body's name. Only the registry admin.
    function renameAuditorBody(uint32 bodyId, string calldata name) external;

    /**
     * @notice Accredits (or re-accredits) signing address `auditor` for `bodyId`, for the device categories in the
     * bit set `categories` (bit c = category c), from `validFrom` until `validUntil` inclusive. The address may
     * not be the zero address, the admin or the issuer. Only the registry admin.
     */
    function setAccreditation(
        address auditor,
        uint32 bodyId,
        uint8 categories,
        uint40 validFrom,
        uint40 validUntil
    ) external;

    /// @notice Withdraws `auditor`'s accreditation. Only the registry admin.
    function revokeAccreditation(address auditor, string calldata reason) external;

    /// @notice Accreditation of `auditor` (bodyId 0 when it has none).
    function accreditation(address auditor) external view returns (Accreditation memory);

    /// @notice An auditing body; reverts when unknown.
    function auditorBody(uint32 bodyId) external view returns (AuditorBody memory);

    /// @notice Number of auditing bodies registered (ids run from 1) and how many have an accredited auditor.
    function auditorBodyCounts() external view returns (uint256 registered, uint256 withAuditors);

    /// @notice Sets how many distinct auditing bodies must sign (1 ≤ threshold ≤ bodies with an auditor).
    function setAuditorThreshold(uint8 threshold) external;

    /// @notice Number of distinct auditing bodies whose signatures are required to issue.
    function auditorThreshold() external view returns (uint256);

    /// @notice Registers (and activates) a methodology + parameters version pair. Returns its id (from 1).
    function registerMethodology(string calldata name, string calldata parameters) external returns (uint16);

    /// @notice Enables or disables a methodology for new issuance.
    function setMethodologyActive(uint16 methodologyId, bool active) external;

    /// @notice A registered methodology.
    function methodology(uint16 methodologyId) external view returns (Methodology memory);

    /// @notice Id of a registered methodology + parameters pair, 0 when unknown.
    function methodologyIdOf(string calldata name, string calldata parameters) external view returns (uint16);

    /// @notice Batch issued from `reportHash` for `category`, or 0.
    function batchOfReport(bytes32 reportHash, uint8 category) external view returns (uint256);

    /// @notice Batch whose device Merkle root is `deviceRoot`, or 0.
    function batchOfDeviceRoot(bytes32 deviceRoot) external view returns (uint256);

    /// @notice Why batch `batchId` is frozen: the admin's suspension and the number of open challenges.
    function batchHold(uint256 batchId) external view returns (BatchHold memory);

    /// @notice Number of batches issued so far (ids run from 1 to this number).
    function batchCount() external view returns (uint256);

    /// @notice Freezes a batch (e.g. an audit finding). Only the registry admin.
    function suspendBatch(uint256 batchId, string calldata reason) external;

    /// @notice Lifts the admin's suspension of a batch (open challenges still hold it). Only the registry admin.
    function reinstateBatch(uint256 batchId, string calldata reason) external;

    /// @notice Permissionless fraud proof: one device id in two batches' trees. Freezes both until settled.
    function challengeDuplicateDevice(DeviceProof calldata a, DeviceProof calldata b) external returns (uint256);

    /// @notice Permissionless fraud proof: a leaf whose index is not below the batch's certificates.
    function challengeTreeSize(DeviceProof calldata p) external returns (uint256);

    /// @notice Permissionless fraud proof: two different leaves with the same index in one tree.
    function challengeIndexReuse(DeviceProof calldata a, DeviceProof calldata b) external returns (uint256);

    /**
     * @notice Permissionless fraud proof: device `ours.deviceId` of a batch's tree is also in active external device
     * set `setId` of {EXTERNAL_DEVICE_SETS} (`theirs`: the same id's leaf under the set's root). Freezes the batch
     * until settled; emits {DeviceClaimedElsewhere} naming the set.
     */
    function challengeClaimedElsewhere(
        DeviceProof calldata ours,
        uint32 setId,
        DeviceProof calldata theirs
    ) external returns (uint256);

    /**
     * @notice Decides challenge `challengeId`: `faultyBatchId` (one the challenge names, or 0 for neither) stays
     * suspended by the admin, the other is released. The same proof can never be made again. Only the admin.
     */
    function settleChallenge(
        uint256 challengeId,
        uint256 faultyBatchId,
        string calldata reason,
        string calldata evidenceURI
    ) external;

    /// @notice A challenge; reverts when unknown.
    function challenge(uint256 challengeId) external view returns (Challenge memory);

    /// @notice Number of challenges so far (ids run from 1).
    function challengeCount() external view returns (uint256);

    /**
     * @notice Reverses a batch found wrong: its outstanding certificates are cancelled and each claim on it shows
     * `Reversed` until replaced ({replaceRetirement}). Final. Only the registry admin.
     */
    function reverseBatch(uint256 batchId, string calldata reason, string calldata evidenceURI) external;

    /// @notice Number of retirements so far (ids run from 1 to this number).
    function retirementCount() external view returns (uint256);

    /// @notice The hash binding a retirement's texts: `keccak256(abi.encode(beneficiaryName, purpose))`.
    function claimHashOf(string calldata beneficiaryName, string calldata purpose) external pure returns (bytes32);

    /// @notice Sets the base of the `external_url` in token metadata. Only the registry admin.
    function setExternalBaseURI(string calldata baseURI) external;
}
