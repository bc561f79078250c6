// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IITECRegistryErrors} from "./IITECRegistryErrors.sol";
import {IITECRegistryEvents} from "./IITECRegistryEvents.sol";

/**
 * @title I-TEC Registry — a certificate's life
 * @notice Issue, retire, replace, and what a verifier reads: the functions {ITECRegistry} runs itself (the hot
 * paths). The rest of the registry's surface is {IITECRegistryAdmin}; the whole of it is {IITECRegistry}.
 */
interface IITECRegistryCore is IITECRegistryEvents, IITECRegistryErrors {
    /**
     * @notice Checks the auditors' signatures on `attestation` and mints `attestation.certificates` I-TECs of a
     * new batch to `attestation.owner`. Only the issuer role. A signature counts when its auditor is accredited
     * for the category and within its validity window; the threshold counts distinct auditing bodies.
     * @param signatures One per auditor, sorted by strictly ascending auditor address.
     * @return batchId The new token id (sequential from 1).
     */
    function issue(
        Attestation calldata attestation,
        AuditorSignature[] calldata signatures
    ) external returns (uint256 batchId);

    /// @notice EIP-712 digest the auditors sign for `attestation` on this chain and contract.
    function attestationDigest(Attestation calldata attestation) external view returns (bytes32);

    /// @notice Stored record of batch `batchId`; reverts when unknown.
    function batch(uint256 batchId) external view returns (Batch memory);

    /**
     * @notice Certificates issued, retired, outstanding and cancelled for `batchId`: outstanding is issued −
     * retired while the batch stands, cancelled is what was outstanding when it was reversed.
     */
    function batchTotals(
        uint256 batchId
    ) external view returns (uint256 issued, uint256 retired, uint256 outstanding, uint256 cancelled);

    /**
     * @notice Burns `request.amount` I-TECs held by `holder` and records the claim. The caller is the holder or
     * an operator the holder approved. Returns the sequential retirement id (from 1).
     */
    function retire(address holder, RetirementRequest calldata request) external returns (uint256 retirementId);

    /**
     * @notice Restores reversed claim `retirementId`: burns the same number of certificates of `fromBatchId` (same
     * device category) held by `holder` and re-points the claim to it, keeping beneficiary, period, Scope 3
     * category and texts. The caller is the holder or its approved operator — the reversed batch's owner, or
     * anyone who holds such certificates.
     */
    function replaceRetirement(uint256 retirementId, address holder, uint256 fromBatchId) external;

    /// @notice Stored claim of retirement `retirementId`; reverts when unknown.
    function retirement(uint256 retirementId) external view returns (Retirement memory);

    /// @notice Whether claim `retirementId` is valid now, and the batch it rests on.
    function claimStatus(uint256 retirementId) external view returns (ClaimStatus status, uint256 batchId);
}
