// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IITECRegistryTypes} from "./IITECRegistryTypes.sol";

/// @title I-TEC Registry — errors, each carrying the values a caller needs to act on it.
interface IITECRegistryErrors is IITECRegistryTypes {
    /// @notice `account` is not an admitted participant in good standing (`status`).
    error ITECAccountNotActive(address account, ParticipantStatus status);
    /// @notice `account` is already admitted.
    error ITECParticipantAlreadyAdmitted(address account);
    /// @notice `kind` cannot be used to admit a participant.
    error ITECInvalidParticipantKind(ParticipantKind kind);
    /// @notice `account` is not in the `expected` status for this operation.
    error ITECParticipantStatus(address account, ParticipantStatus status, ParticipantStatus expected);
    /// @notice The threshold must be between 1 and the number of auditing bodies with an accredited auditor.
    error ITECInvalidThreshold(uint256 threshold, uint256 bodies);
    /// @notice The attestation's deadline has passed.
    error ITECAttestationExpired(uint64 deadline, uint256 timestamp);
    /// @notice A field of the attestation is out of range; `field` names it.
    error ITECInvalidAttestation(string field);
    /// @notice The methodology/parameters pair is not registered or not active.
    error ITECMethodologyNotApproved(string name, string parameters);
    /// @notice Methodology `methodologyId` does not exist.
    error ITECUnknownMethodology(uint16 methodologyId);
    /// @notice This methodology/parameters pair is already registered as `methodologyId`.
    error ITECMethodologyExists(uint16 methodologyId);
    /// @notice Signatures must come in strictly ascending auditor order (which also makes the signers distinct).
    error ITECSignersNotDistinct(address previous, address auditor);
    /// @notice `auditor` has no accreditation.
    error ITECSignerNotAuditor(address auditor);
    /// @notice `auditor` is not accredited for device `category`.
    error ITECAuditorNotAccredited(address auditor, uint8 category);
    /// @notice `auditor`'s accreditation ended at `validUntil`.
    error ITECAuditorExpired(address auditor, uint40 validUntil);
    /// @notice `auditor`'s accreditation starts only at `validFrom`.
    error ITECAuditorNotYetValid(address auditor, uint40 validFrom);
    /// @notice The wallet `auditor` accepted a signature made by `key`, which already signs here for another entry.
    error ITECSigningKeyReused(address auditor, address key);
    /// @notice The signature attributed to `auditor` does not verify for this attestation on this contract.
    error ITECInvalidSignature(address auditor);
    /// @notice Fewer signatures (`provided`) than the threshold (`required`) of distinct auditing bodies.
    error ITECInsufficientSignatures(uint256 provided, uint256 required);
    /// @notice Auditing body `bodyId` does not exist.
    error ITECUnknownAuditorBody(uint32 bodyId);
    /// @notice The accreditation's `field` is invalid (e.g. no category, an empty window, the zero address).
    error ITECInvalidAccreditation(string field);
    /// @notice `account` holds `role` (or is an accredited auditor): admin, issuer and auditors are separate keys.
    error ITECRoleConflict(address account, bytes32 role);
    /// @notice The report's batch of this category was already issued as `batchId` (replay / duplicate).
    error ITECReportAlreadyIssued(bytes32 reportHash, uint8 category, uint256 batchId);
    /// @notice The device Merkle root was already used by `batchId`.
    error ITECDeviceRootAlreadyUsed(bytes32 deviceRoot, uint256 batchId);
    /// @notice No batch with this id exists.
    error ITECUnknownBatch(uint256 batchId);
    /// @notice The batch is suspended: it cannot be transferred or retired.
    error ITECBatchSuspended(uint256 batchId);
    /// @notice The batch is not suspended by the admin.
    error ITECBatchNotSuspended(uint256 batchId);
    /// @notice The batch was reversed: its certificates are cancelled.
    error ITECBatchReversed(uint256 batchId);
    /// @notice A settlement found the batch at fault: its device tree is no evidence against another batch.
    error ITECBatchAtFault(uint256 batchId);
    /// @notice No retirement with this id exists.
    error ITECUnknownRetirement(uint256 retirementId);
    /// @notice A field of the retirement request is invalid; `field` names it.
    error ITECInvalidRetirement(string field);
    /// @notice Only a reversed claim can be replaced; this one has `status`.
    error ITECClaimNotReversed(uint256 retirementId, ClaimStatus status);
    /// @notice A replacement must come from a batch of the claim's device category.
    error ITECCategoryMismatch(uint8 expected, uint8 actual);
    /// @notice A text field is empty or longer than its limit; `field` names it.
    error ITECInvalidText(string field, uint256 length);
    /// @notice A text is not valid UTF-8, or one that goes into token metadata contains `"`, `\`, `<`, `>`, `&` or
    /// a control character.
    error ITECUnsafeText(string field);
    /// @notice `operator` may not act for `holder`.
    error ITECNotHolderOrOperator(address operator, address holder);
    /// @notice The device root is not the root of any batch.
    error ITECUnknownDeviceRoot(bytes32 deviceRoot);
    /// @notice The Merkle proof of (`index`, `deviceId`) does not verify against `deviceRoot`.
    error ITECInvalidDeviceProof(bytes32 deviceRoot, uint256 index, bytes32 deviceId);
    /// @notice The two proofs do not show what the challenge claims; `reason` says which part fails.
    error ITECInvalidChallenge(string reason);
    /// @notice This proof was already made as challenge `challengeId` (open or settled).
    error ITECAlreadyChallenged(uint256 challengeId);
    /// @notice No open challenge with this id.
    error ITECChallengeNotOpen(uint256 challengeId);
    /// @notice The batch found at fault must be one the challenge names, or 0 for neither.
    error ITECInvalidSettlement(uint256 challengeId, uint256 faultyBatchId);
    /// @notice The admin module may only run inside the registry (delegatecall).
    error ITECNotDelegated();
    /// @notice No active external device set `setId` in {EXTERNAL_DEVICE_SETS} (unknown, or retired).
    error ITECExternalSetNotActive(uint32 setId);
}
