// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/**
 * @title I-TEC Registry — IT Asset Reuse Certificates
 * @notice One ERC-1155 token id per audited batch of refurbished devices of one category. One token (one I-TEC)
 * stands for one eligible refurbished device and carries the batch's per-device attributes: the baseline
 * intensity `B̄` of the new equivalent and the verified reduction `V̄`, both in integer grams CO2e per device
 * (ITEC-CALC 1.0, docs/methodology.md §7).
 *
 * Certificates are minted only against an attestation signed by at least `auditorThreshold()` distinct current
 * auditors (EIP-712, domain bound to this chain and contract), move only between admitted, active participants,
 * and are retired by burning them against a claim that is kept in contract state, so a third party verifies a
 * retirement with one view call.
 */
interface IITECRegistry {
    // ---------------------------------------------------------------------------------------------------------
    // Types
    // ---------------------------------------------------------------------------------------------------------

    /// @notice What kind of organisation a participant is. `None` marks an account never admitted.
    enum ParticipantKind {
        None,
        Refurbisher,
        ITAD,
        Corporate,
        Trader
    }

    /// @notice A participant's standing. Only `Active` accounts send, receive or retire certificates.
    enum ParticipantStatus {
        None,
        Active,
        Suspended
    }

    /**
     * @notice Register entry of an account (one storage slot).
     * @dev `hasCode` records whether the account was a contract when admitted or last synced
     * ({syncParticipantCode}); the ERC-1155 receiver hook is called for such accounts only, which spares every
     * transfer to an EOA a cold EXTCODESIZE.
     */
    struct Participant {
        ParticipantKind kind;
        ParticipantStatus status;
        bool hasCode;
    }

    /**
     * @notice The statement an auditor signs (EIP-712 primary type `Attestation`).
     * @dev Mirrored once in TypeScript (`sdk/src/attestation.ts`); a test proves the type hashes agree.
     * Dates are Unix seconds (UTC midnight of the day). Figures are grams CO2e per device (kg × 1000, floor3).
     * @param owner Admitted participant who receives the certificates (the refurbisher / ITAD provider).
     * @param category Device category code: 1 laptop, 2 desktop, 3 monitor, 4 smartphone, 5 tablet, 6 server.
     * @param certificates Number of I-TECs = eligible devices in the batch (`n`).
     * @param baselineGrams `B̄` × 1000: baseline intensity of the new equivalent, per device.
     * @param reductionGrams `V̄` × 1000: verified reduction, per device (must be positive to issue).
     * @param vintageStart First refurbishment date in the batch.
     * @param vintageEnd Last refurbishment date in the batch.
     * @param methodology Methodology version, e.g. "ITEC-CALC 1.0"; must be registered and active here.
     * @param parameters Parameter table version, e.g. "ITEC-PARAMS-1"; registered together with `methodology`.
     * @param reportHash keccak256 of the lot's canonical (RFC 8785) calculation report.
     * @param referenceDataHash sha256 of the reference-data file the calculation used.
     * @param deviceRoot OpenZeppelin StandardMerkleTree root over the batch's device ids (leaf encoding bytes32).
     * @param evidenceURI Where the report and evidence can be read.
     * @param deadline Last second at which the attestation may be used.
     */
    struct Attestation {
        address owner;
        uint8 category;
        uint32 certificates;
        uint40 baselineGrams;
        uint40 reductionGrams;
        uint40 vintageStart;
        uint40 vintageEnd;
        string methodology;
        string parameters;
        bytes32 reportHash;
        bytes32 referenceDataHash;
        bytes32 deviceRoot;
        string evidenceURI;
        uint64 deadline;
    }

    /// @notice One auditor's signature over the attestation digest; `auditor` may be an EOA or an ERC-1271 wallet.
    struct AuditorSignature {
        address auditor;
        bytes signature;
    }

    /// @notice Lifecycle of a batch: only `Active` certificates move.
    enum BatchStatus {
        Active,
        Suspended,
        Reversed
    }

    /**
     * @notice Stored record of an issued batch; `issued - retired` certificates are outstanding.
     * @dev Packed into exactly one storage slot. The report hash and device root are kept as keys of the
     * uniqueness indexes (`batchOfReport`, `batchOfDeviceRoot`); everything else the attestation held is in
     * the {BatchIssued} event.
     */
    struct Batch {
        uint32 issued;
        uint32 retired;
        uint40 baselineGrams;
        uint40 reductionGrams;
        uint8 category;
        BatchStatus status;
        uint40 vintageStart;
        uint40 vintageEnd;
        uint16 methodologyId;
    }

    /// @notice What the holder asks for when retiring.
    /// @param batchId Token id of the batch to retire from.
    /// @param amount Number of I-TECs to retire (burn).
    /// @param beneficiaryName Organisation that makes the claim (may differ from the holder: retire on behalf).
    /// @param beneficiary Beneficiary's account, or the zero address when it has none.
    /// @param periodStart First second of the reporting period the claim is for.
    /// @param periodEnd Last second of the reporting period the claim is for.
    /// @param scope3Category GHG Protocol Scope 3 category: 1 purchased goods, 2 capital goods.
    /// @param purpose Free text of the claim (e.g. "FY2026 laptop procurement, CDP C6.5").
    struct RetirementRequest {
        uint256 batchId;
        uint32 amount;
        string beneficiaryName;
        address beneficiary;
        uint40 periodStart;
        uint40 periodEnd;
        uint8 scope3Category;
        string purpose;
    }

    /**
     * @notice Stored claim of a retirement (three storage slots).
     * @dev `account` is the holder whose certificates were burned. The texts are in the {CertificatesRetired}
     * event (with the block and time); `claimHash = keccak256(abi.encode(beneficiaryName, purpose))` binds them,
     * see {claimHashOf}.
     */
    struct Retirement {
        address account;
        uint40 batchId;
        uint8 scope3Category;
        uint32 amount;
        address beneficiary;
        uint40 periodStart;
        uint40 periodEnd;
        bytes32 claimHash;
    }

    /// @notice A registered methodology + parameter version pair.
    struct Methodology {
        string name;
        string parameters;
        bool active;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------------------

    /// @notice `account` was admitted as a participant of `kind` by `admin`.
    event ParticipantAdmitted(address indexed account, ParticipantKind kind, address indexed admin);
    /// @notice `account` was suspended; it can no longer send, receive or retire.
    event ParticipantSuspended(address indexed account, address indexed admin, string reason);
    /// @notice `account` was reinstated after a suspension.
    event ParticipantReinstated(address indexed account, address indexed admin, string reason);
    /// @notice The number of distinct auditor signatures required to issue changed.
    event AuditorThresholdChanged(uint256 previous, uint256 current);
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
        string evidenceURI,
        uint64 deadline,
        address[] auditors
    );
    /// @notice A batch was frozen: no transfer or retirement until reinstated.
    event BatchSuspended(uint256 indexed batchId, address indexed by, string reason);
    /// @notice A suspended batch was released.
    event BatchReinstated(uint256 indexed batchId, address indexed by, string reason);
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
    /// @notice A device id was proven to be in two batches; `laterBatchId` was suspended.
    event DuplicateDeviceChallenged(
        bytes32 indexed deviceId,
        uint256 indexed earlierBatchId,
        uint256 indexed laterBatchId,
        address challenger
    );
    /// @notice The base of the `external_url` in token metadata changed.
    event ExternalBaseURIChanged(string baseURI);
    /// @notice Whether `account` has code was re-read.
    event ParticipantCodeSynced(address indexed account, bool hasCode);

    // ---------------------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------------------

    /// @notice `account` is not an admitted participant in good standing (`status`).
    error ITECAccountNotActive(address account, ParticipantStatus status);
    /// @notice `account` is already admitted.
    error ITECParticipantAlreadyAdmitted(address account);
    /// @notice `kind` cannot be used to admit a participant.
    error ITECInvalidParticipantKind(ParticipantKind kind);
    /// @notice `account` is not in the `expected` status for this operation.
    error ITECParticipantStatus(address account, ParticipantStatus status, ParticipantStatus expected);
    /// @notice The threshold must be between 1 and the number of auditors (`auditors`).
    error ITECInvalidThreshold(uint256 threshold, uint256 auditors);
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
    /// @notice `auditor` does not hold the auditor role.
    error ITECSignerNotAuditor(address auditor);
    /// @notice The signature attributed to `auditor` does not verify for this attestation on this contract.
    error ITECInvalidSignature(address auditor);
    /// @notice Fewer valid distinct auditor signatures (`provided`) than the threshold (`required`).
    error ITECInsufficientSignatures(uint256 provided, uint256 required);
    /// @notice The report's batch of this category was already issued as `batchId` (replay / duplicate).
    error ITECReportAlreadyIssued(bytes32 reportHash, uint8 category, uint256 batchId);
    /// @notice The device Merkle root was already used by `batchId`.
    error ITECDeviceRootAlreadyUsed(bytes32 deviceRoot, uint256 batchId);
    /// @notice No batch with this id exists.
    error ITECUnknownBatch(uint256 batchId);
    /// @notice The batch is suspended: it cannot be transferred or retired.
    error ITECBatchSuspended(uint256 batchId);
    /// @notice The batch is not suspended.
    error ITECBatchNotSuspended(uint256 batchId);
    /// @notice No retirement with this id exists.
    error ITECUnknownRetirement(uint256 retirementId);
    /// @notice A field of the retirement request is invalid; `field` names it.
    error ITECInvalidRetirement(string field);
    /// @notice A text field is empty or longer than `MAX_TEXT_BYTES`; `field` names it.
    error ITECInvalidText(string field, uint256 length);
    /// @notice A text that goes into token metadata contains a quote, backslash or control character.
    error ITECUnsafeText(string field);
    /// @notice `operator` may not act for `holder`.
    error ITECNotHolderOrOperator(address operator, address holder);
    /// @notice The device root is not the root of any batch.
    error ITECUnknownDeviceRoot(bytes32 deviceRoot);
    /// @notice The Merkle proof of `deviceId` does not verify against `deviceRoot`.
    error ITECInvalidDeviceProof(bytes32 deviceId, bytes32 deviceRoot);
    /// @notice The two roots belong to the same batch.
    error ITECSameBatch(uint256 batchId);

    // ---------------------------------------------------------------------------------------------------------
    // Participants (registry admin)
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Admits `account` as an active participant of `kind`. Only the registry admin.
    function admitParticipant(address account, ParticipantKind kind) external;

    /// @notice Suspends an active participant. Only the registry admin.
    function suspendParticipant(address account, string calldata reason) external;

    /// @notice Reinstates a suspended participant. Only the registry admin.
    function reinstateParticipant(address account, string calldata reason) external;

    /// @notice Register entry of `account` (kind None / status None when never admitted).
    function participant(address account) external view returns (Participant memory);

    /**
     * @notice Re-reads whether an admitted `account` has code (e.g. a counterfactual wallet deployed after its
     * admission), so the ERC-1155 receiver hook is called for it. Anyone may call it.
     */
    function syncParticipantCode(address account) external;

    // ---------------------------------------------------------------------------------------------------------
    // Auditors and methodologies (registry admin)
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Sets how many distinct auditors must sign an attestation (1 ≤ threshold ≤ number of auditors).
    function setAuditorThreshold(uint8 threshold) external;

    /// @notice Number of distinct auditor signatures required to issue.
    function auditorThreshold() external view returns (uint256);

    /// @notice Registers (and activates) a methodology + parameters version pair. Returns its id (from 1).
    function registerMethodology(string calldata name, string calldata parameters) external returns (uint16);

    /// @notice Enables or disables a methodology for new issuance.
    function setMethodologyActive(uint16 methodologyId, bool active) external;

    /// @notice A registered methodology.
    function methodology(uint16 methodologyId) external view returns (Methodology memory);

    /// @notice Id of a registered methodology + parameters pair, 0 when unknown.
    function methodologyIdOf(string calldata name, string calldata parameters) external view returns (uint16);

    // ---------------------------------------------------------------------------------------------------------
    // Issuance (issuer = the oracle's account)
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @notice Checks the auditors' signatures on `attestation` and mints `attestation.certificates` I-TECs of a
     * new batch to `attestation.owner`. Only the issuer role.
     * @param signatures One per auditor, sorted by strictly ascending auditor address.
     * @return batchId The new token id (sequential from 1).
     */
    function issue(
        Attestation calldata attestation,
        AuditorSignature[] calldata signatures
    ) external returns (uint256 batchId);

    /// @notice EIP-712 digest the auditors sign for `attestation` on this chain and contract.
    function attestationDigest(Attestation calldata attestation) external view returns (bytes32);

    /// @notice Batch issued from `reportHash` for `category`, or 0.
    function batchOfReport(bytes32 reportHash, uint8 category) external view returns (uint256);

    /// @notice Batch whose device Merkle root is `deviceRoot`, or 0.
    function batchOfDeviceRoot(bytes32 deviceRoot) external view returns (uint256);

    /// @notice Stored record of batch `batchId`; reverts when unknown.
    function batch(uint256 batchId) external view returns (Batch memory);

    /// @notice Certificates issued, retired and outstanding (issued − retired) for `batchId`.
    function batchTotals(uint256 batchId) external view returns (uint256 issued, uint256 retired, uint256 outstanding);

    /// @notice Number of batches issued so far (ids run from 1 to this number).
    function batchCount() external view returns (uint256);

    // ---------------------------------------------------------------------------------------------------------
    // Batch suspension and fraud proof
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Freezes a batch (e.g. an audit finding). Only the registry admin.
    function suspendBatch(uint256 batchId, string calldata reason) external;

    /// @notice Releases a frozen batch. Only the registry admin.
    function reinstateBatch(uint256 batchId, string calldata reason) external;

    /**
     * @notice Permissionless fraud proof: proves that device `deviceId` is a leaf of two batches' device trees.
     * The batch issued later is suspended.
     * @dev Leaves follow OpenZeppelin StandardMerkleTree with encoding ["bytes32"]:
     * `keccak256(bytes.concat(keccak256(abi.encode(deviceId))))`.
     */
    function challengeDuplicateDevice(
        bytes32 deviceId,
        bytes32 rootA,
        bytes32[] calldata proofA,
        bytes32 rootB,
        bytes32[] calldata proofB
    ) external returns (uint256 suspendedBatchId);

    // ---------------------------------------------------------------------------------------------------------
    // Retirement
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @notice Burns `request.amount` I-TECs held by `holder` and records the claim. The caller is the holder or
     * an operator the holder approved. Returns the sequential retirement id (from 1).
     */
    function retire(address holder, RetirementRequest calldata request) external returns (uint256 retirementId);

    /// @notice Stored claim of retirement `retirementId`; reverts when unknown.
    function retirement(uint256 retirementId) external view returns (Retirement memory);

    /// @notice Number of retirements so far (ids run from 1 to this number).
    function retirementCount() external view returns (uint256);

    /// @notice The hash binding a retirement's texts: `keccak256(abi.encode(beneficiaryName, purpose))`.
    function claimHashOf(string calldata beneficiaryName, string calldata purpose) external pure returns (bytes32);
}
