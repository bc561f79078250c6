// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/**
 * @title I-TEC Registry — types
 * @notice The enums and structs of {IITECRegistry}. Figures are integer grams CO2e per device (kg × 1000, floor3,
 * docs/methodology.md §7); times are Unix seconds.
 */
interface IITECRegistryTypes {
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
     * @notice A batch's standing. `Suspended` freezes its certificates (the admin suspended it, or an open fraud
     * proof names it); `Reversed` is final: the batch was found wrong, its outstanding certificates are cancelled
     * and its retirements must be replaced.
     */
    enum BatchStatus {
        Active,
        Suspended,
        Reversed
    }

    /// @notice A retirement's claim: valid, reversed with its batch (replacement owed), or replaced from another batch.
    enum ClaimStatus {
        Verified,
        Reversed,
        Replaced
    }

    /**
     * @notice What a fraud proof shows. `DuplicateDevice`: one device id in two batches' trees. `IndexOutOfRange`: a
     * leaf whose index is not below the batch's certificates. `IndexReused`: two different leaves with one index.
     * The last two together prove any tree that holds more devices than were certified. `ClaimedElsewhere`: a device
     * of the batch's tree is in a registered external scheme's device set ({IExternalDeviceSets}).
     */
    enum ChallengeKind {
        DuplicateDevice,
        IndexOutOfRange,
        IndexReused,
        ClaimedElsewhere
    }

    /// @notice A challenge is open (its batches frozen) until the admin settles it.
    enum ChallengeStatus {
        None,
        Open,
        Settled
    }

    /**
     * @notice Register entry of an account. `kind` and `status` share the slot every transfer reads; the
     * organisation's `name` (what certificates and the verify page print) is in the next.
     */
    struct Participant {
        ParticipantKind kind;
        ParticipantStatus status;
        string name;
    }

    /**
     * @notice An auditor signing address's accreditation (one slot, the only one issuance reads per signer).
     * @param bodyId The auditing body it signs for; signatures count once per body.
     * @param categories Bit `c` set = accredited for device category `c` (1 laptop … 6 server).
     * @param validFrom First second the accreditation is valid.
     * @param validUntil Last second it is valid; expiry needs no transaction.
     */
    struct Accreditation {
        uint32 bodyId;
        uint8 categories;
        uint40 validFrom;
        uint40 validUntil;
    }

    /// @notice An auditing body: its name and how many signing addresses are accredited for it.
    struct AuditorBody {
        string name;
        uint16 auditors;
    }

    /**
     * @notice The statement an auditor signs (EIP-712 primary type `Attestation`).
     * @dev Mirrored once in TypeScript (`sdk/src/attestation.ts`); a test proves the type hashes agree.
     * @param owner Admitted participant who receives the certificates (the refurbisher / ITAD provider).
     * @param category Device category code: 1 laptop, 2 desktop, 3 monitor, 4 smartphone, 5 tablet, 6 server.
     * @param certificates Number of I-TECs = eligible devices in the batch (`n`) = leaves of the device tree.
     * @param baselineGrams `B̄` × 1000: baseline intensity of the new equivalent, per device.
     * @param reductionGrams `V̄` × 1000: verified reduction, per device (must be positive to issue).
     * @param vintageStart First refurbishment date in the batch.
     * @param vintageEnd Last refurbishment date in the batch.
     * @param methodology Methodology version, e.g. "ITEC-CALC 1.0"; must be registered and active here.
     * @param parameters Parameter table version, e.g. "ITEC-PARAMS-1"; registered together with `methodology`.
     * @param reportHash keccak256 of the lot's canonical (RFC 8785) calculation report.
     * @param referenceDataHash sha256 of the reference-data file the calculation used.
     * @param deviceRoot StandardMerkleTree root over [index, deviceId] leaves (["uint256","bytes32"], ADR 0015).
     * @param sampleHash keccak256 of the canonical (RFC 8785) audit sample record: the seed, the devices drawn and
     * the evidence outcome per device (core/audit/sample-record.ts, ADR 0055); zero when no device was sampled.
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
        bytes32 sampleHash;
        string evidenceURI;
        uint64 deadline;
    }

    /// @notice One auditor's signature over the attestation digest; `auditor` may be an EOA or an ERC-1271 wallet.
    struct AuditorSignature {
        address auditor;
        bytes signature;
    }

    /**
     * @notice Stored record of an issued batch, packed into exactly one slot; `issued - retired` certificates
     * are outstanding (cancelled once the batch is reversed). `retired` counts every certificate burned from the
     * batch: by retirement and by replacement of another batch's reversed claim.
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

    /**
     * @notice Why a batch is frozen: the admin's suspension and the fraud proofs still open against it; `atFault`
     * once a settlement found it at fault (its tree then proves nothing against another batch).
     */
    struct BatchHold {
        bool adminSuspended;
        uint16 openChallenges;
        bool atFault;
    }

    /**
     * @notice What the holder asks for when retiring.
     * @param batchId Token id of the batch to retire from.
     * @param amount Number of I-TECs to retire (burn).
     * @param beneficiaryName Organisation that makes the claim (may differ from the holder: retire on behalf).
     * @param beneficiary Beneficiary's account, or the zero address when it has none.
     * @param periodStart First second of the reporting period the claim is for.
     * @param periodEnd Last second of the reporting period the claim is for.
     * @param scope3Category GHG Protocol Scope 3 category: 1 purchased goods, 2 capital goods.
     * @param purpose Free text of the claim (e.g. "FY2026 laptop procurement, CDP C6.5").
     */
    struct RetirementRequest {
        uint256 batchId;
        uint32 amount;
        string beneficiaryName;
        address beneficiary;
        uint32 periodStart;
        uint32 periodEnd;
        uint8 scope3Category;
        string purpose;
    }

    /**
     * @notice Stored claim of a retirement (three slots, each written once by `retire`).
     * @dev `account` is the holder whose certificates were burned; `batchId` is the batch the claim rests on now
     * (another one after a replacement, counted in `replacements`). The texts are in the {CertificatesRetired}
     * event of block `blockNumber` — one single-block log read for any verifier — bound by
     * `claimHash = keccak256(abi.encode(beneficiaryName, purpose))`, see {claimHashOf}.
     */
    struct Retirement {
        address account;
        uint40 batchId;
        uint8 scope3Category;
        uint32 amount;
        uint16 replacements;
        address beneficiary;
        uint32 periodStart;
        uint32 periodEnd;
        uint32 blockNumber;
        bytes32 claimHash;
    }

    /// @notice A registered methodology + parameter version pair.
    struct Methodology {
        string name;
        string parameters;
        bool active;
    }

    /**
     * @notice A device's place in a batch's tree: leaf = keccak256(keccak256(abi.encode(index, deviceId))) under
     * `root`, proven by `proof` (OpenZeppelin StandardMerkleTree, leaf encoding ["uint256","bytes32"]).
     */
    struct DeviceProof {
        bytes32 root;
        uint256 index;
        bytes32 deviceId;
        bytes32[] proof;
    }

    /**
     * @notice A fraud proof: the batches it names (`batchB` is 0 for a proof about one tree), what it shows,
     * and, once settled, the batch the admin found at fault (0: neither).
     */
    struct Challenge {
        ChallengeKind kind;
        ChallengeStatus status;
        uint40 batchA;
        uint40 batchB;
        uint40 faultyBatchId;
        address challenger;
        bytes32 deviceId;
        uint256 index;
    }
}
