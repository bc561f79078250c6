// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IITECRegistryTypes} from "./IITECRegistryTypes.sol";

/**
 * @title I-TEC Registry — events
 * @notice Everything the registry records that is not kept in state is in these events; together with the views
 * they let anyone rebuild the register without trusting the operator.
 */
interface IITECRegistryEvents is IITECRegistryTypes {
    /// @notice `account` was admitted as a participant of `kind`, named `name`, by `admin`.
    event ParticipantAdmitted(address indexed account, ParticipantKind kind, address indexed admin, string name);
    /// @notice The organisation name of `account` changed.
    event ParticipantRenamed(address indexed account, address indexed admin, string name);
    /// @notice `account` was suspended; it can no longer send, receive or retire.
    event ParticipantSuspended(address indexed account, address indexed admin, string reason);
    /// @notice `account` was reinstated after a suspension.
    event ParticipantReinstated(address indexed account, address indexed admin, string reason);
    /// @notice The number of distinct auditing bodies whose signatures are required to issue changed.
    event AuditorThresholdChanged(uint256 previous, uint256 current);
    /// @notice An auditing body was registered under `bodyId`.
    event AuditorBodyRegistered(uint32 indexed bodyId, string name);
    /// @notice An auditing body's name changed.
    event AuditorBodyRenamed(uint32 indexed bodyId, string name);
    /// @notice `auditor` signs for `bodyId` for the categories in the bit set `categories` within the window.
    event AuditorAccredited(
        address indexed auditor,
        uint32 indexed bodyId,
        uint8 categories,
        uint40 validFrom,
        uint40 validUntil,
        address admin
    );
    /// @notice `auditor`'s accreditation was withdrawn before its expiry.
    event AccreditationRevoked(address indexed auditor, uint32 indexed bodyId, address admin, string reason);
    /// @notice A methodology + parameters version pair was registered under `methodologyId`.
    event MethodologyRegistered(uint16 indexed methodologyId, string name, string parameters);
    /// @notice A methodology was enabled or disabled for new issuance (issued batches are never changed).
    event MethodologyStatusChanged(uint16 indexed methodologyId, bool active);
    /**
     * @notice A batch was issued and its certificates minted to `owner`.
     * @dev Together with {batch} (figures, category, vintage, methodology) this event carries every member of
     * the signed attestation, so anyone can recompute its EIP-712 digest and check the auditors' signatures.
     */
    event BatchIssued(
        uint256 indexed batchId,
        address indexed owner,
        bytes32 indexed reportHash,
        bytes32 referenceDataHash,
        bytes32 deviceRoot,
        bytes32 sampleHash,
        string evidenceURI,
        uint64 deadline,
        address[] auditors
    );
    /// @notice The admin froze a batch: no transfer or retirement until reinstated.
    event BatchSuspended(uint256 indexed batchId, address indexed by, string reason);
    /// @notice The admin lifted its suspension (open challenges may still hold the batch).
    event BatchReinstated(uint256 indexed batchId, address indexed by, string reason);
    /// @notice A batch's status changed (by the admin, a challenge, a settlement or a reversal); its metadata too.
    event BatchStatusChanged(uint256 indexed batchId, BatchStatus status);
    /**
     * @notice A batch was found wrong: `cancelled` outstanding certificates are void and the claims on
     * `retiredReversed` retired ones are reversed until replaced.
     */
    event BatchReversed(
        uint256 indexed batchId,
        address indexed admin,
        uint256 cancelled,
        uint256 retiredReversed,
        string reason,
        string evidenceURI
    );
    /**
     * @notice I-TECs of `batchId` held by `account` were burned against a claim, by `operator` (the holder or
     * its approved operator). Amount, beneficiary account, period and Scope 3 category are in {retirement};
     * the texts are here, bound to the stored `claimHash`.
     */
    event CertificatesRetired(
        uint256 indexed retirementId,
        uint256 indexed batchId,
        address indexed account,
        address operator,
        string beneficiaryName,
        string purpose
    );
    /// @notice A reversed claim now rests on `batchId`, whose certificates `holder` burned for it.
    event RetirementReplaced(
        uint256 indexed retirementId,
        uint256 indexed previousBatchId,
        uint256 indexed batchId,
        address holder,
        address operator
    );
    /// @notice A fraud proof was accepted; the batches it names are frozen until it is settled.
    event ChallengeOpened(
        uint256 indexed challengeId,
        uint256 indexed batchA,
        uint256 indexed batchB,
        ChallengeKind kind,
        bytes32 deviceId,
        uint256 index,
        address challenger
    );
    /// @notice The admin decided a challenge: `faultyBatchId` (0: neither) stays suspended, the other is released.
    event ChallengeSettled(
        uint256 indexed challengeId,
        uint256 indexed faultyBatchId,
        address admin,
        string reason,
        string evidenceURI
    );
    /// @notice The base of the `external_url` in token metadata changed.
    event ExternalBaseURIChanged(string baseURI);
    /// @notice Challenge `challengeId` proves its batch's device `deviceId` is in external device set `setId`.
    event DeviceClaimedElsewhere(uint256 indexed challengeId, uint32 indexed setId, bytes32 deviceId);
}
