// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {AccessControlEnumerable} from "@openzeppelin/contracts/access/extensions/AccessControlEnumerable.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {LeanERC1155} from "./base/LeanERC1155.sol";
import {BatchMetadataRenderer} from "./BatchMetadataRenderer.sol";
import {IITECRegistry} from "./interfaces/IITECRegistry.sol";

/**
 * @title ITECRegistry
 * @notice The I-TEC ledger: ERC-1155, one token id per audited batch, see {IITECRegistry}.
 * @dev Storage is laid out for the writes each operation must make (docs/benchmarks.md, "Gas"; ADR 0002): a batch
 * is one slot, a retirement three, the counters and the threshold share one slot that issuance reads anyway, a
 * methodology's id and status are one slot, and a participant's standing and whether it has code are one slot.
 */
contract ITECRegistry is IITECRegistry, LeanERC1155, AccessControlEnumerable, EIP712 {
    /// @notice Role of the auditors whose signatures count towards the threshold.
    bytes32 public constant AUDITOR_ROLE = keccak256("ITEC_AUDITOR_ROLE");
    /// @notice Role of the oracle account that posts attestations.
    bytes32 public constant ISSUER_ROLE = keccak256("ITEC_ISSUER_ROLE");

    /// @notice EIP-712 type hash of {IITECRegistry-Attestation}.
    bytes32 public constant ATTESTATION_TYPEHASH = keccak256(
        "Attestation(address owner,uint8 category,uint32 certificates,uint40 baselineGrams,uint40 reductionGrams,"
        "uint40 vintageStart,uint40 vintageEnd,string methodology,string parameters,bytes32 reportHash,"
        "bytes32 referenceDataHash,bytes32 deviceRoot,string evidenceURI,uint64 deadline)"
    );

    /// @notice Highest device category code (1 laptop … 6 server).
    uint8 public constant MAX_CATEGORY = 6;
    /// @notice Longest accepted beneficiary name / purpose / reason, in bytes.
    uint256 public constant MAX_TEXT_BYTES = 1024;

    /// @dev Everything issuance and retirement count, in one slot.
    struct Counters {
        uint64 batches;
        uint64 retirements;
        uint8 auditorThreshold;
        uint16 methodologies;
    }

    /// @dev Issuance looks a methodology up by its (name, parameters) key with one storage read.
    struct MethodologyRef {
        uint16 id;
        bool active;
    }

    BatchMetadataRenderer private immutable _RENDERER;

    Counters private _counters;
    string private _externalBaseURI;

    mapping(address account => Participant) private _participants;
    mapping(uint256 batchId => Batch) private _batches;
    mapping(bytes32 reportKey => uint256 batchId) private _batchOfReportKey;
    mapping(bytes32 deviceRoot => uint256 batchId) private _batchOfDeviceRoot;
    mapping(uint256 retirementId => Retirement) private _retirements;
    mapping(uint16 methodologyId => Methodology) private _methodologies;
    mapping(bytes32 methodologyKey => MethodologyRef) private _methodologyRefs;

    /**
     * @param admin The registry admin (admits participants and auditors, suspends what is wrong).
     * @param externalBaseURI Base of the `external_url` in token metadata, e.g. "https://registry.example/batches/".
     */
    constructor(address admin, string memory externalBaseURI) EIP712("I-TEC Registry", "1") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _counters.auditorThreshold = 1;
        _requireJsonSafe(bytes(externalBaseURI), "baseURI");
        _externalBaseURI = externalBaseURI;
        _RENDERER = new BatchMetadataRenderer();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Participants
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc IITECRegistry
    function admitParticipant(address account, ParticipantKind kind) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (kind == ParticipantKind.None) revert ITECInvalidParticipantKind(kind);
        if (account == address(0)) revert ITECAccountNotActive(account, ParticipantStatus.None);
        Participant storage p = _participants[account];
        if (p.status != ParticipantStatus.None) revert ITECParticipantAlreadyAdmitted(account);
        p.kind = kind;
        p.status = ParticipantStatus.Active;
        p.hasCode = account.code.length > 0;
        emit ParticipantAdmitted(account, kind, _msgSender());
    }

    /// @inheritdoc IITECRegistry
    function syncParticipantCode(address account) external {
        Participant storage p = _participants[account];
        if (p.status == ParticipantStatus.None) revert ITECAccountNotActive(account, ParticipantStatus.None);
        bool hasCode = account.code.length > 0;
        p.hasCode = hasCode;
        emit ParticipantCodeSynced(account, hasCode);
    }

    /// @inheritdoc IITECRegistry
    function suspendParticipant(address account, string calldata reason) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _requireText(reason, "reason");
        _moveParticipant(account, ParticipantStatus.Active, ParticipantStatus.Suspended);
        emit ParticipantSuspended(account, _msgSender(), reason);
    }

    /// @inheritdoc IITECRegistry
    function reinstateParticipant(address account, string calldata reason) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _requireText(reason, "reason");
        _moveParticipant(account, ParticipantStatus.Suspended, ParticipantStatus.Active);
        emit ParticipantReinstated(account, _msgSender(), reason);
    }

    /// @inheritdoc IITECRegistry
    function participant(address account) external view returns (Participant memory) {
        return _participants[account];
    }

    // ---------------------------------------------------------------------------------------------------------
    // Auditors and methodologies
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc IITECRegistry
    function setAuditorThreshold(uint8 threshold) external onlyRole(DEFAULT_ADMIN_ROLE) {
        uint256 auditors = getRoleMemberCount(AUDITOR_ROLE);
        if (threshold == 0 || threshold > auditors) revert ITECInvalidThreshold(threshold, auditors);
        uint256 previous = _counters.auditorThreshold;
        _counters.auditorThreshold = threshold;
        emit AuditorThresholdChanged(previous, threshold);
    }

    /// @inheritdoc IITECRegistry
    function auditorThreshold() external view returns (uint256) {
        return _counters.auditorThreshold;
    }

    /// @inheritdoc IITECRegistry
    function registerMethodology(
        string calldata name,
        string calldata parameters
    ) external onlyRole(DEFAULT_ADMIN_ROLE) returns (uint16 methodologyId) {
        _requireText(name, "name");
        _requireText(parameters, "parameters");
        _requireJsonSafe(bytes(name), "name");
        _requireJsonSafe(bytes(parameters), "parameters");
        bytes32 key = _methodologyKey(keccak256(bytes(name)), keccak256(bytes(parameters)));
        uint16 existing = _methodologyRefs[key].id;
        if (existing != 0) revert ITECMethodologyExists(existing);
        methodologyId = ++_counters.methodologies;
        _methodologyRefs[key] = MethodologyRef({id: methodologyId, active: true});
        _methodologies[methodologyId] = Methodology({name: name, parameters: parameters, active: true});
        emit MethodologyRegistered(methodologyId, name, parameters);
        emit MethodologyStatusChanged(methodologyId, true);
    }

    /// @inheritdoc IITECRegistry
    function setMethodologyActive(uint16 methodologyId, bool active) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (methodologyId == 0 || methodologyId > _counters.methodologies) {
            revert ITECUnknownMethodology(methodologyId);
        }
        Methodology storage m = _methodologies[methodologyId];
        m.active = active;
        _methodologyRefs[_methodologyKey(keccak256(bytes(m.name)), keccak256(bytes(m.parameters)))].active = active;
        emit MethodologyStatusChanged(methodologyId, active);
    }

    /// @inheritdoc IITECRegistry
    function methodology(uint16 methodologyId) external view returns (Methodology memory) {
        if (methodologyId == 0 || methodologyId > _counters.methodologies) {
            revert ITECUnknownMethodology(methodologyId);
        }
        return _methodologies[methodologyId];
    }

    /// @inheritdoc IITECRegistry
    function methodologyIdOf(string calldata name, string calldata parameters) external view returns (uint16) {
        return _methodologyRefs[_methodologyKey(keccak256(bytes(name)), keccak256(bytes(parameters)))].id;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Issuance
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc IITECRegistry
    function issue(
        Attestation calldata attestation,
        AuditorSignature[] calldata signatures
    ) external onlyRole(ISSUER_ROLE) returns (uint256 batchId) {
        if (block.timestamp > attestation.deadline) {
            revert ITECAttestationExpired(attestation.deadline, block.timestamp);
        }
        _validateAttestation(attestation);

        bytes32 methodologyHash = keccak256(bytes(attestation.methodology));
        bytes32 parametersHash = keccak256(bytes(attestation.parameters));
        MethodologyRef memory ref = _methodologyRefs[_methodologyKey(methodologyHash, parametersHash)];
        if (!ref.active) revert ITECMethodologyNotApproved(attestation.methodology, attestation.parameters);

        bytes32 reportKey = _reportKey(attestation.reportHash, attestation.category);
        uint256 existing = _batchOfReportKey[reportKey];
        if (existing != 0) revert ITECReportAlreadyIssued(attestation.reportHash, attestation.category, existing);
        existing = _batchOfDeviceRoot[attestation.deviceRoot];
        if (existing != 0) revert ITECDeviceRootAlreadyUsed(attestation.deviceRoot, existing);

        bytes32 digest = _hashTypedDataV4(_attestationStructHash(attestation, methodologyHash, parametersHash));
        address[] memory auditors = _checkSignatures(digest, signatures);

        // Effects before the mint: `_mint` may call into the owner (ERC-1155 acceptance check).
        batchId = ++_counters.batches;
        _batchOfReportKey[reportKey] = batchId;
        _batchOfDeviceRoot[attestation.deviceRoot] = batchId;
        _batches[batchId] = Batch({
            issued: attestation.certificates,
            retired: 0,
            baselineGrams: attestation.baselineGrams,
            reductionGrams: attestation.reductionGrams,
            category: attestation.category,
            status: BatchStatus.Active,
            vintageStart: attestation.vintageStart,
            vintageEnd: attestation.vintageEnd,
            methodologyId: ref.id
        });
        emit BatchIssued(
            batchId,
            attestation.owner,
            attestation.reportHash,
            attestation.referenceDataHash,
            attestation.deviceRoot,
            attestation.evidenceURI,
            attestation.deadline,
            auditors
        );
        _mint(attestation.owner, batchId, attestation.certificates);
    }

    /// @inheritdoc IITECRegistry
    function attestationDigest(Attestation calldata attestation) external view returns (bytes32) {
        return
            _hashTypedDataV4(
                _attestationStructHash(
                    attestation,
                    keccak256(bytes(attestation.methodology)),
                    keccak256(bytes(attestation.parameters))
                )
            );
    }

    /// @inheritdoc IITECRegistry
    function batchOfReport(bytes32 reportHash, uint8 category) external view returns (uint256) {
        return _batchOfReportKey[_reportKey(reportHash, category)];
    }

    /// @inheritdoc IITECRegistry
    function batchOfDeviceRoot(bytes32 deviceRoot) external view returns (uint256) {
        return _batchOfDeviceRoot[deviceRoot];
    }

    /// @inheritdoc IITECRegistry
    function batch(uint256 batchId) public view returns (Batch memory) {
        return _existingBatch(batchId);
    }

    /// @inheritdoc IITECRegistry
    function batchTotals(uint256 batchId) external view returns (uint256 issued, uint256 retired, uint256 outstanding) {
        Batch storage b = _existingBatch(batchId);
        issued = b.issued;
        retired = b.retired;
        // Burning happens only in `retire`, which adds to `retired`: retired ≤ issued always.
        outstanding = issued - retired;
    }

    /// @inheritdoc IITECRegistry
    function batchCount() external view returns (uint256) {
        return _counters.batches;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Batch suspension and fraud proof
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc IITECRegistry
    function suspendBatch(uint256 batchId, string calldata reason) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _requireText(reason, "reason");
        Batch storage b = _existingBatch(batchId);
        if (b.status == BatchStatus.Suspended) revert ITECBatchSuspended(batchId);
        b.status = BatchStatus.Suspended;
        emit BatchSuspended(batchId, _msgSender(), reason);
    }

    /// @inheritdoc IITECRegistry
    function reinstateBatch(uint256 batchId, string calldata reason) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _requireText(reason, "reason");
        Batch storage b = _existingBatch(batchId);
        if (b.status != BatchStatus.Suspended) revert ITECBatchNotSuspended(batchId);
        b.status = BatchStatus.Active;
        emit BatchReinstated(batchId, _msgSender(), reason);
    }

    /// @inheritdoc IITECRegistry
    function challengeDuplicateDevice(
        bytes32 deviceId,
        bytes32 rootA,
        bytes32[] calldata proofA,
        bytes32 rootB,
        bytes32[] calldata proofB
    ) external returns (uint256 suspendedBatchId) {
        uint256 batchA = _batchOfDeviceRoot[rootA];
        if (batchA == 0) revert ITECUnknownDeviceRoot(rootA);
        uint256 batchB = _batchOfDeviceRoot[rootB];
        if (batchB == 0) revert ITECUnknownDeviceRoot(rootB);
        if (batchA == batchB) revert ITECSameBatch(batchA);

        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(deviceId))));
        if (!MerkleProof.verifyCalldata(proofA, rootA, leaf)) revert ITECInvalidDeviceProof(deviceId, rootA);
        if (!MerkleProof.verifyCalldata(proofB, rootB, leaf)) revert ITECInvalidDeviceProof(deviceId, rootB);

        (uint256 earlier, uint256 later) = batchA < batchB ? (batchA, batchB) : (batchB, batchA);
        Batch storage b = _batches[later];
        if (b.status == BatchStatus.Suspended) revert ITECBatchSuspended(later);
        b.status = BatchStatus.Suspended;
        emit DuplicateDeviceChallenged(deviceId, earlier, later, _msgSender());
        emit BatchSuspended(later, _msgSender(), "duplicate device proven on-chain");
        return later;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Retirement
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc IITECRegistry
    function retire(address holder, RetirementRequest calldata request) external returns (uint256 retirementId) {
        address operator = _msgSender();
        if (holder != operator && !isApprovedForAll(holder, operator)) {
            revert ITECNotHolderOrOperator(operator, holder);
        }
        if (request.amount == 0) revert ITECInvalidRetirement("amount");
        if (request.scope3Category != 1 && request.scope3Category != 2) revert ITECInvalidRetirement("scope3Category");
        if (request.periodStart > request.periodEnd) revert ITECInvalidRetirement("period");
        _requireText(request.beneficiaryName, "beneficiaryName");
        if (bytes(request.purpose).length > MAX_TEXT_BYTES) {
            revert ITECInvalidText("purpose", bytes(request.purpose).length);
        }
        Batch storage b = _existingBatch(request.batchId);

        // Checks holder/operator standing, batch suspension and balance (ERC1155InsufficientBalance).
        _burn(holder, request.batchId, request.amount);

        // A batch is at most 2^32-1 certificates and `retired` counts burned ones, so it cannot overflow.
        unchecked {
            b.retired += request.amount;
            retirementId = ++_counters.retirements;
        }
        _retirements[retirementId] = Retirement({
            account: holder,
            // `_existingBatch` proved batchId ≤ batchCount, and 2^40 batches cannot be issued in practice.
            batchId: uint40(request.batchId),
            scope3Category: request.scope3Category,
            amount: request.amount,
            beneficiary: request.beneficiary,
            periodStart: request.periodStart,
            periodEnd: request.periodEnd,
            claimHash: keccak256(abi.encode(request.beneficiaryName, request.purpose))
        });
        emit CertificatesRetired(
            retirementId,
            request.batchId,
            holder,
            operator,
            request.beneficiaryName,
            request.purpose
        );
    }

    /// @inheritdoc IITECRegistry
    function retirement(uint256 retirementId) external view returns (Retirement memory) {
        if (retirementId == 0 || retirementId > _counters.retirements) revert ITECUnknownRetirement(retirementId);
        return _retirements[retirementId];
    }

    /// @inheritdoc IITECRegistry
    function retirementCount() external view returns (uint256) {
        return _counters.retirements;
    }

    /// @inheritdoc IITECRegistry
    function claimHashOf(string calldata beneficiaryName, string calldata purpose) external pure returns (bytes32) {
        return keccak256(abi.encode(beneficiaryName, purpose));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Metadata
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @notice ERC-1155 metadata of batch `id` as an on-chain `data:application/json;base64,…` document, so any
     * wallet shows a certificate without trusting a server: name, category, per-device figures in kg, vintage,
     * methodology and a link to the registry's page for the batch.
     */
    function uri(uint256 id) public view override returns (string memory) {
        Batch memory b = _existingBatch(id);
        Methodology storage m = _methodologies[b.methodologyId];
        return _RENDERER.render(id, b, m.name, m.parameters, _externalBaseURI);
    }

    /// @notice Sets the base of the `external_url` in token metadata. Only the registry admin.
    function setExternalBaseURI(string calldata baseURI) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _requireJsonSafe(bytes(baseURI), "baseURI");
        _externalBaseURI = baseURI;
        emit ExternalBaseURIChanged(baseURI);
    }

    /// @inheritdoc LeanERC1155
    function supportsInterface(
        bytes4 interfaceId
    ) public view override(LeanERC1155, AccessControlEnumerable) returns (bool) {
        return LeanERC1155.supportsInterface(interfaceId) || AccessControlEnumerable.supportsInterface(interfaceId);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @dev The permissioning hook every balance change passes (mint on issue, single / batch / operator
     * transfers, burn on retire): the sender, the receiver and an operator acting for the sender must be active
     * participants, and no certificate of a suspended batch moves.
     */
    function _checkMove(address operator, address from, address to, uint256 id) internal view override {
        if (from != address(0)) {
            _requireActive(from);
            if (operator != from) _requireActive(operator);
            if (_batches[id].status == BatchStatus.Suspended) revert ITECBatchSuspended(id);
        }
        if (to != address(0)) _requireActive(to);
    }

    /**
     * @dev Every receiver is an admitted participant (checked in {_checkMove}), and whether it has code sits in
     * the participant slot just read, so transfers to EOAs skip a cold EXTCODESIZE.
     */
    function _isContractReceiver(address to) internal view override returns (bool) {
        return _participants[to].hasCode;
    }

    function _requireActive(address account) private view {
        ParticipantStatus status = _participants[account].status;
        if (status != ParticipantStatus.Active) revert ITECAccountNotActive(account, status);
    }

    function _moveParticipant(address account, ParticipantStatus from, ParticipantStatus to) private {
        Participant storage p = _participants[account];
        if (p.status != from) revert ITECParticipantStatus(account, p.status, from);
        p.status = to;
    }

    function _existingBatch(uint256 batchId) private view returns (Batch storage b) {
        b = _batches[batchId];
        // Every issued batch has issued ≥ 1, so a zero slot means "never issued".
        if (b.issued == 0) revert ITECUnknownBatch(batchId);
    }

    function _validateAttestation(Attestation calldata a) private view {
        if (a.category == 0 || a.category > MAX_CATEGORY) revert ITECInvalidAttestation("category");
        if (a.certificates == 0) revert ITECInvalidAttestation("certificates");
        if (a.reductionGrams == 0) revert ITECInvalidAttestation("reductionGrams");
        if (a.reductionGrams > a.baselineGrams) revert ITECInvalidAttestation("baselineGrams");
        if (a.vintageStart > a.vintageEnd || a.vintageEnd > block.timestamp) {
            revert ITECInvalidAttestation("vintage");
        }
        if (a.reportHash == bytes32(0)) revert ITECInvalidAttestation("reportHash");
        if (a.deviceRoot == bytes32(0)) revert ITECInvalidAttestation("deviceRoot");
        if (bytes(a.evidenceURI).length > MAX_TEXT_BYTES) {
            revert ITECInvalidText("evidenceURI", bytes(a.evidenceURI).length);
        }
    }

    /**
     * @dev Counts the signatures of distinct current auditors; any invalid one reverts with its auditor named,
     * so a bad signature is never silently skipped. Ascending order makes duplicates impossible in O(n).
     */
    function _checkSignatures(
        bytes32 digest,
        AuditorSignature[] calldata signatures
    ) private view returns (address[] memory auditors) {
        uint256 n = signatures.length;
        uint256 threshold = _counters.auditorThreshold;
        if (n < threshold) revert ITECInsufficientSignatures(n, threshold);
        auditors = new address[](n);
        address previous = address(0);
        for (uint256 i = 0; i < n; ++i) {
            address auditor = signatures[i].auditor;
            if (auditor <= previous) revert ITECSignersNotDistinct(previous, auditor);
            if (!hasRole(AUDITOR_ROLE, auditor)) revert ITECSignerNotAuditor(auditor);
            if (!_isValidSignature(auditor, digest, signatures[i].signature)) revert ITECInvalidSignature(auditor);
            auditors[i] = auditor;
            previous = auditor;
        }
    }

    /**
     * @dev ECDSA first (no EXTCODESIZE for the usual EOA auditor), then ERC-1271 for contract wallets. An
     * ECDSA signature that recovers to the auditor is valid whatever code the account has.
     */
    function _isValidSignature(address auditor, bytes32 digest, bytes calldata signature) private view returns (bool) {
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == auditor) return true;
        return
            auditor.code.length > 0 && SignatureChecker.isValidERC1271SignatureNowCalldata(auditor, digest, signature);
    }

    function _attestationStructHash(
        Attestation calldata a,
        bytes32 methodologyHash,
        bytes32 parametersHash
    ) private pure returns (bytes32) {
        // Two halves keep the legacy code generator within its stack limit; the bytes are those of one
        // abi.encode of the 15 members, as EIP-712 `hashStruct` requires.
        return
            keccak256(
                bytes.concat(
                    abi.encode(
                        ATTESTATION_TYPEHASH,
                        a.owner,
                        a.category,
                        a.certificates,
                        a.baselineGrams,
                        a.reductionGrams,
                        a.vintageStart,
                        a.vintageEnd
                    ),
                    abi.encode(
                        methodologyHash,
                        parametersHash,
                        a.reportHash,
                        a.referenceDataHash,
                        a.deviceRoot,
                        keccak256(bytes(a.evidenceURI)),
                        a.deadline
                    )
                )
            );
    }

    function _requireText(string calldata text, string memory field) private pure {
        uint256 length = bytes(text).length;
        if (length == 0 || length > MAX_TEXT_BYTES) revert ITECInvalidText(field, length);
    }

    function _requireJsonSafe(bytes memory text, string memory field) private pure {
        for (uint256 i = 0; i < text.length; ++i) {
            bytes1 c = text[i];
            // 0x22 is '"', 0x5c is '\\': both would end or escape a JSON string literal.
            if (c == 0x22 || c == 0x5c || uint8(c) < 0x20) revert ITECUnsafeText(field);
        }
    }

    function _reportKey(bytes32 reportHash, uint8 category) private pure returns (bytes32) {
        return keccak256(abi.encode(reportHash, category));
    }

    function _methodologyKey(bytes32 nameHash, bytes32 parametersHash) private pure returns (bytes32) {
        return keccak256(abi.encode(nameHash, parametersHash));
    }
}
