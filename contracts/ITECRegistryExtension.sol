// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
// solhint-disable-next-line max-line-length
import {IAccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/IAccessControlDefaultAdminRules.sol";
import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

import {BatchMetadataRenderer} from "./BatchMetadataRenderer.sol";
import {ExternalDeviceSets} from "./ExternalDeviceSets.sol";
import {IITECRegistryAdmin} from "./interfaces/IITECRegistryAdmin.sol";
import {RegistryState} from "./registry/RegistryState.sol";

/**
 * @title ITECRegistryExtension
 * @notice The registry's governance and fraud-proof paths and the register's views ({IITECRegistryAdmin}):
 * participants, auditing bodies and accreditation, methodologies, suspension, challenges and their settlement,
 * reversal. It runs only by `delegatecall` from {ITECRegistry}'s fallback, in the registry's storage
 * ({RegistryState}); called directly it refuses (its own storage is empty and must stay so).
 * @dev Under delegatecall `address(this)` is the registry, so the admin check asks the registry itself
 * (`hasRole`), and events are logged by the registry's address. The registry's roles live in its own
 * (OpenZeppelin) storage, which this contract never touches.
 */
contract ITECRegistryExtension is IITECRegistryAdmin, RegistryState {
    /// @notice The metadata renderer, deployed with this contract (its code is fixed by this contract's).
    BatchMetadataRenderer public immutable RENDERER;
    /// @notice The register of other schemes' device sets, deployed with this contract (docs/adr/0056).
    ExternalDeviceSets public immutable EXTERNAL_DEVICE_SETS;
    address private immutable _SELF;

    constructor() {
        RENDERER = new BatchMetadataRenderer();
        EXTERNAL_DEVICE_SETS = new ExternalDeviceSets();
        _SELF = address(this);
    }

    modifier onlyDelegated() {
        if (address(this) == _SELF) revert ITECNotDelegated();
        _;
    }

    /// @dev The registry's admin, asked through the registry (this code runs as the registry).
    modifier onlyAdmin() {
        if (address(this) == _SELF) revert ITECNotDelegated();
        if (!IAccessControl(address(this)).hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) {
            revert IAccessControl.AccessControlUnauthorizedAccount(msg.sender, DEFAULT_ADMIN_ROLE);
        }
        _;
    }

    /// @dev OpenZeppelin's admin role id, the same in the registry.
    bytes32 private constant DEFAULT_ADMIN_ROLE = 0x00;

    // ---------------------------------------------------------------------------------------------------------
    // Participants
    // ---------------------------------------------------------------------------------------------------------

    function admitParticipant(address account, ParticipantKind kind, string calldata name) external onlyAdmin {
        if (kind == ParticipantKind.None) revert ITECInvalidParticipantKind(kind);
        if (account == address(0)) revert ITECAccountNotActive(account, ParticipantStatus.None);
        _requireName(name, "name");
        Participant storage p = _state().participants[account];
        if (p.status != ParticipantStatus.None) revert ITECParticipantAlreadyAdmitted(account);
        p.kind = kind;
        p.status = ParticipantStatus.Active;
        p.name = name;
        emit ParticipantAdmitted(account, kind, msg.sender, name);
    }

    function renameParticipant(address account, string calldata name) external onlyAdmin {
        _requireName(name, "name");
        Participant storage p = _state().participants[account];
        if (p.status == ParticipantStatus.None) revert ITECAccountNotActive(account, ParticipantStatus.None);
        p.name = name;
        emit ParticipantRenamed(account, msg.sender, name);
    }

    function suspendParticipant(address account, string calldata reason) external onlyAdmin {
        _requireText(reason, "reason", false);
        _moveParticipant(account, ParticipantStatus.Active, ParticipantStatus.Suspended);
        emit ParticipantSuspended(account, msg.sender, reason);
    }

    function reinstateParticipant(address account, string calldata reason) external onlyAdmin {
        _requireText(reason, "reason", false);
        _moveParticipant(account, ParticipantStatus.Suspended, ParticipantStatus.Active);
        emit ParticipantReinstated(account, msg.sender, reason);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Auditing bodies and accreditation
    // ---------------------------------------------------------------------------------------------------------

    function registerAuditorBody(string calldata name) external onlyAdmin returns (uint32 bodyId) {
        _requireName(name, "name");
        Layout storage $ = _state();
        bodyId = ++$.counters.auditorBodies;
        $.auditorBodies[bodyId].name = name;
        emit AuditorBodyRegistered(bodyId, name);
    }

    function renameAuditorBody(uint32 bodyId, string calldata name) external onlyAdmin {
        _requireName(name, "name");
        _existingBody(bodyId).name = name;
        emit AuditorBodyRenamed(bodyId, name);
    }

    function setAccreditation(
        address auditor,
        uint32 bodyId,
        uint8 categories,
        uint40 validFrom,
        uint40 validUntil
    ) external onlyAdmin {
        if (auditor == address(0)) revert ITECInvalidAccreditation("auditor");
        // Separation of duties: the key that signs attestations neither administers the registry nor posts them.
        if (auditor == IAccessControlDefaultAdminRules(address(this)).defaultAdmin()) {
            revert ITECRoleConflict(auditor, DEFAULT_ADMIN_ROLE);
        }
        if (IAccessControl(address(this)).hasRole(ISSUER_ROLE, auditor)) revert ITECRoleConflict(auditor, ISSUER_ROLE);
        // Bits 1..6 are the categories; bit 0 and bit 7 name none.
        if (categories == 0 || categories & 0x81 != 0) revert ITECInvalidAccreditation("categories");
        // An empty window, or one already over, accredits no one (and must not raise the threshold's bound).
        if (validFrom >= validUntil || validUntil < block.timestamp) revert ITECInvalidAccreditation("validity");
        AuditorBody storage body = _existingBody(bodyId);
        Layout storage $ = _state();
        Accreditation storage acc = $.accreditations[auditor];
        uint32 previousBody = acc.bodyId;
        if (previousBody != bodyId) {
            if (previousBody != 0) _leaveBody(previousBody);
            if (body.auditors++ == 0) ++$.counters.bodiesWithAuditors;
        }
        $.accreditations[auditor] = Accreditation({
            bodyId: bodyId,
            categories: categories,
            validFrom: validFrom,
            validUntil: validUntil
        });
        emit AuditorAccredited(auditor, bodyId, categories, validFrom, validUntil, msg.sender);
        _requireThresholdMet();
    }

    function revokeAccreditation(address auditor, string calldata reason) external onlyAdmin {
        _requireText(reason, "reason", false);
        Layout storage $ = _state();
        uint32 bodyId = $.accreditations[auditor].bodyId;
        if (bodyId == 0) revert ITECSignerNotAuditor(auditor);
        delete $.accreditations[auditor];
        _leaveBody(bodyId);
        _requireThresholdMet();
        emit AccreditationRevoked(auditor, bodyId, msg.sender, reason);
    }

    function setAuditorThreshold(uint8 threshold) external onlyAdmin {
        Counters storage c = _state().counters;
        if (threshold == 0 || threshold > c.bodiesWithAuditors) {
            revert ITECInvalidThreshold(threshold, c.bodiesWithAuditors);
        }
        uint256 previous = c.auditorThreshold;
        c.auditorThreshold = threshold;
        emit AuditorThresholdChanged(previous, threshold);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Methodologies and metadata
    // ---------------------------------------------------------------------------------------------------------

    function registerMethodology(
        string calldata name,
        string calldata parameters
    ) external onlyAdmin returns (uint16 methodologyId) {
        _requireName(name, "name");
        _requireName(parameters, "parameters");
        Layout storage $ = _state();
        bytes32 key = _methodologyKey(keccak256(bytes(name)), keccak256(bytes(parameters)));
        uint16 existing = $.methodologyRefs[key].id;
        if (existing != 0) revert ITECMethodologyExists(existing);
        methodologyId = ++$.counters.methodologies;
        $.methodologyRefs[key] = MethodologyRef({id: methodologyId, active: true});
        $.methodologies[methodologyId] = Methodology({name: name, parameters: parameters, active: true});
        emit MethodologyRegistered(methodologyId, name, parameters);
        emit MethodologyStatusChanged(methodologyId, true);
    }

    function setMethodologyActive(uint16 methodologyId, bool active) external onlyAdmin {
        Layout storage $ = _state();
        Methodology storage m = _existingMethodology(methodologyId);
        m.active = active;
        $.methodologyRefs[_methodologyKey(keccak256(bytes(m.name)), keccak256(bytes(m.parameters)))].active = active;
        emit MethodologyStatusChanged(methodologyId, active);
    }

    /// @dev Changes every batch's `external_url`; no `URI` event per batch (unbounded) — wallets re-read on demand.
    function setExternalBaseURI(string calldata baseURI) external onlyAdmin {
        _requireMarkupSafe(bytes(baseURI), "baseURI");
        _state().externalBaseURI = baseURI;
        emit ExternalBaseURIChanged(baseURI);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Suspension
    // ---------------------------------------------------------------------------------------------------------

    function suspendBatch(uint256 batchId, string calldata reason) external onlyAdmin {
        _requireText(reason, "reason", false);
        _requireStanding(batchId);
        BatchHold storage hold = _state().holds[batchId];
        if (hold.adminSuspended) revert ITECBatchSuspended(batchId);
        hold.adminSuspended = true;
        emit BatchSuspended(batchId, msg.sender, reason);
        _refreshStatus(batchId);
    }

    function reinstateBatch(uint256 batchId, string calldata reason) external onlyAdmin {
        _requireText(reason, "reason", false);
        _requireStanding(batchId);
        BatchHold storage hold = _state().holds[batchId];
        if (!hold.adminSuspended) revert ITECBatchNotSuspended(batchId);
        hold.adminSuspended = false;
        emit BatchReinstated(batchId, msg.sender, reason);
        _refreshStatus(batchId);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Fraud proofs
    // ---------------------------------------------------------------------------------------------------------

    function challengeDuplicateDevice(
        DeviceProof calldata a,
        DeviceProof calldata b
    ) external onlyDelegated returns (uint256) {
        if (a.deviceId != b.deviceId) revert ITECInvalidChallenge("deviceId");
        uint256 batchA = _provenBatch(a);
        uint256 batchB = _provenBatch(b);
        if (batchA == batchB) revert ITECInvalidChallenge("same batch");
        (uint256 earlier, uint256 later) = batchA < batchB ? (batchA, batchB) : (batchB, batchA);
        bytes32 key = keccak256(abi.encode(ChallengeKind.DuplicateDevice, earlier, later, a.deviceId));
        uint256 existing = _state().challengeOfKey[key];
        if (existing != 0) revert ITECAlreadyChallenged(existing);
        // A tree already found lying (or reversed) is void: it may not freeze another batch with its next fake leaf.
        _requireCredibleWitness(earlier);
        _requireCredibleWitness(later);
        return _open(key, ChallengeKind.DuplicateDevice, earlier, later, a.deviceId, 0);
    }

    function challengeTreeSize(DeviceProof calldata p) external onlyDelegated returns (uint256) {
        uint256 batchId = _provenBatch(p);
        if (p.index < _state().batches[batchId].issued) revert ITECInvalidChallenge("index within batch");
        bytes32 key = keccak256(abi.encode(ChallengeKind.IndexOutOfRange, batchId, p.index, p.deviceId));
        return _open(key, ChallengeKind.IndexOutOfRange, batchId, 0, p.deviceId, p.index);
    }

    function challengeIndexReuse(
        DeviceProof calldata a,
        DeviceProof calldata b
    ) external onlyDelegated returns (uint256) {
        if (a.root != b.root || a.index != b.index) revert ITECInvalidChallenge("not one index of one tree");
        if (a.deviceId == b.deviceId) revert ITECInvalidChallenge("same leaf");
        uint256 batchId = _provenBatch(a);
        _provenBatch(b);
        bytes32 key = keccak256(abi.encode(ChallengeKind.IndexReused, batchId, a.index));
        return _open(key, ChallengeKind.IndexReused, batchId, 0, a.deviceId, a.index);
    }

    function challengeClaimedElsewhere(
        DeviceProof calldata ours,
        uint32 setId,
        DeviceProof calldata theirs
    ) external onlyDelegated returns (uint256 challengeId) {
        (bytes32 root, bool active) = EXTERNAL_DEVICE_SETS.rootOf(address(this), setId);
        if (!active) revert ITECExternalSetNotActive(setId);
        if (theirs.root != root || theirs.deviceId != ours.deviceId) revert ITECInvalidChallenge("not the set's leaf");
        _requireLeaf(theirs);
        uint256 batchId = _provenBatch(ours);
        // Whenever the other scheme listed it, before or after issuance, a double claim is a double claim.
        bytes32 key = keccak256(abi.encode(ChallengeKind.ClaimedElsewhere, batchId, setId, ours.deviceId));
        challengeId = _open(key, ChallengeKind.ClaimedElsewhere, batchId, 0, ours.deviceId, ours.index);
        emit DeviceClaimedElsewhere(challengeId, setId, ours.deviceId);
    }

    function settleChallenge(
        uint256 challengeId,
        uint256 faultyBatchId,
        string calldata reason,
        string calldata evidenceURI
    ) external onlyAdmin {
        _requireText(reason, "reason", false);
        _requireText(evidenceURI, "evidenceURI", true);
        Layout storage $ = _state();
        Challenge storage c = $.challenges[challengeId];
        if (c.status != ChallengeStatus.Open) revert ITECChallengeNotOpen(challengeId);
        uint256 batchA = c.batchA;
        uint256 batchB = c.batchB;
        if (faultyBatchId != 0 && faultyBatchId != batchA && faultyBatchId != batchB) {
            revert ITECInvalidSettlement(challengeId, faultyBatchId);
        }
        c.status = ChallengeStatus.Settled;
        c.faultyBatchId = uint40(faultyBatchId);
        emit ChallengeSettled(challengeId, faultyBatchId, msg.sender, reason, evidenceURI);
        _release(batchA, faultyBatchId == batchA);
        if (batchB != 0) _release(batchB, faultyBatchId == batchB);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reversal
    // ---------------------------------------------------------------------------------------------------------

    function reverseBatch(uint256 batchId, string calldata reason, string calldata evidenceURI) external onlyAdmin {
        _requireText(reason, "reason", false);
        _requireText(evidenceURI, "evidenceURI", true);
        Batch storage b = _requireStanding(batchId);
        b.status = BatchStatus.Reversed;
        emit BatchReversed(batchId, msg.sender, b.issued - b.retired, b.retired, reason, evidenceURI);
        emit BatchStatusChanged(batchId, BatchStatus.Reversed);
        emit IERC1155.URI(_renderUri(RENDERER, batchId), batchId);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @notice ERC-1155 metadata of batch `id` as an on-chain `data:application/json;base64,…` document with an SVG
     * card as its `image`, so any wallet shows a certificate without trusting a server. It changes only when the
     * batch's status does, and each change emits `URI`.
     */
    function uri(uint256 id) external view returns (string memory) {
        return _renderUri(RENDERER, id);
    }

    function participant(address account) external view returns (Participant memory) {
        return _state().participants[account];
    }

    function accreditation(address auditor) external view returns (Accreditation memory) {
        return _state().accreditations[auditor];
    }

    function auditorBody(uint32 bodyId) external view returns (AuditorBody memory) {
        return _existingBody(bodyId);
    }

    function auditorBodyCounts() external view returns (uint256 registered, uint256 withAuditors) {
        Counters storage c = _state().counters;
        return (c.auditorBodies, c.bodiesWithAuditors);
    }

    function auditorThreshold() external view returns (uint256) {
        return _state().counters.auditorThreshold;
    }

    function methodology(uint16 methodologyId) external view returns (Methodology memory) {
        return _existingMethodology(methodologyId);
    }

    function methodologyIdOf(string calldata name, string calldata parameters) external view returns (uint16) {
        return _state().methodologyRefs[_methodologyKey(keccak256(bytes(name)), keccak256(bytes(parameters)))].id;
    }

    function batchOfReport(bytes32 reportHash, uint8 category) external view returns (uint256) {
        return _state().batchOfReportKey[_reportKey(reportHash, category)];
    }

    function batchOfDeviceRoot(bytes32 deviceRoot) external view returns (uint256) {
        return _state().batchOfDeviceRoot[deviceRoot];
    }

    function batchHold(uint256 batchId) external view returns (BatchHold memory) {
        _existingBatch(batchId);
        return _state().holds[batchId];
    }

    function batchCount() external view returns (uint256) {
        return _state().counters.batches;
    }

    function challenge(uint256 challengeId) external view returns (Challenge memory) {
        Challenge storage c = _state().challenges[challengeId];
        if (c.status == ChallengeStatus.None) revert ITECChallengeNotOpen(challengeId);
        return c;
    }

    function challengeCount() external view returns (uint256) {
        return _state().counters.challenges;
    }

    function retirementCount() external view returns (uint256) {
        return _state().counters.retirements;
    }

    function claimHashOf(string calldata beneficiaryName, string calldata purpose) external pure returns (bytes32) {
        return keccak256(abi.encode(beneficiaryName, purpose));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------

    function _moveParticipant(address account, ParticipantStatus from, ParticipantStatus to) private {
        Participant storage p = _state().participants[account];
        if (p.status != from) revert ITECParticipantStatus(account, p.status, from);
        p.status = to;
    }

    function _existingBody(uint32 bodyId) private view returns (AuditorBody storage) {
        if (bodyId == 0 || bodyId > _state().counters.auditorBodies) revert ITECUnknownAuditorBody(bodyId);
        return _state().auditorBodies[bodyId];
    }

    function _existingMethodology(uint16 methodologyId) private view returns (Methodology storage) {
        if (methodologyId == 0 || methodologyId > _state().counters.methodologies) {
            revert ITECUnknownMethodology(methodologyId);
        }
        return _state().methodologies[methodologyId];
    }

    function _leaveBody(uint32 bodyId) private {
        if (--_state().auditorBodies[bodyId].auditors == 0) --_state().counters.bodiesWithAuditors;
    }

    /// @dev The threshold may never exceed the bodies that can sign (a revocation that would strand issuance reverts).
    function _requireThresholdMet() private view {
        Counters storage c = _state().counters;
        if (c.auditorThreshold > c.bodiesWithAuditors && c.bodiesWithAuditors != 0) {
            revert ITECInvalidThreshold(c.auditorThreshold, c.bodiesWithAuditors);
        }
    }

    /// @dev A batch that exists and is not reversed (reversal is final).
    function _requireStanding(uint256 batchId) private view returns (Batch storage b) {
        b = _existingBatch(batchId);
        if (b.status == BatchStatus.Reversed) revert ITECBatchReversed(batchId);
    }

    function _requireCredibleWitness(uint256 batchId) private view {
        if (_state().batches[batchId].status == BatchStatus.Reversed) revert ITECBatchReversed(batchId);
        if (_state().holds[batchId].atFault) revert ITECBatchAtFault(batchId);
    }

    /// @dev The batch whose tree holds the leaf (index, deviceId) under `p.root`.
    function _provenBatch(DeviceProof calldata p) private view returns (uint256 batchId) {
        batchId = _state().batchOfDeviceRoot[p.root];
        if (batchId == 0) revert ITECUnknownDeviceRoot(p.root);
        _requireLeaf(p);
    }

    /// @dev The leaf (index, deviceId) is under `p.root` (StandardMerkleTree, ["uint256","bytes32"]).
    function _requireLeaf(DeviceProof calldata p) private pure {
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(p.index, p.deviceId))));
        if (!MerkleProof.verifyCalldata(p.proof, p.root, leaf)) {
            revert ITECInvalidDeviceProof(p.root, p.index, p.deviceId);
        }
    }

    function _open(
        bytes32 key,
        ChallengeKind kind,
        uint256 batchA,
        uint256 batchB,
        bytes32 deviceId,
        uint256 index
    ) private returns (uint256 challengeId) {
        // Never taken (every caller passes a proven batch as `batchA`), but a function that may call itself is one the
        // optimizer does not copy into each caller: at runs 10,000 it would, ~590 bytes for each of the four fraud
        // proofs, more than the extension's code-size limit leaves (docs/adr/0056).
        if (batchA == 0 && batchB != 0) return _open(key, kind, batchB, 0, deviceId, index);
        Layout storage $ = _state();
        uint256 existing = $.challengeOfKey[key];
        if (existing != 0) revert ITECAlreadyChallenged(existing);
        challengeId = ++$.counters.challenges;
        $.challengeOfKey[key] = challengeId;
        $.challenges[challengeId] = Challenge({
            kind: kind,
            status: ChallengeStatus.Open,
            batchA: uint40(batchA),
            batchB: uint40(batchB),
            faultyBatchId: 0,
            challenger: msg.sender,
            deviceId: deviceId,
            index: index
        });
        emit ChallengeOpened(challengeId, batchA, batchB, kind, deviceId, index, msg.sender);
        _hold(batchA);
        if (batchB != 0) _hold(batchB);
    }

    function _hold(uint256 batchId) private {
        ++_state().holds[batchId].openChallenges;
        _refreshStatus(batchId);
    }

    /// @dev One open challenge on `batchId` is over; the batch found at fault stays suspended by the admin.
    function _release(uint256 batchId, bool atFault) private {
        BatchHold storage hold = _state().holds[batchId];
        --hold.openChallenges;
        if (atFault) {
            hold.adminSuspended = true;
            hold.atFault = true;
        }
        _refreshStatus(batchId);
    }

    /// @dev Active unless the admin suspended it or a challenge holds it; a reversed batch stays reversed.
    function _refreshStatus(uint256 batchId) private {
        Batch storage b = _state().batches[batchId];
        if (b.status == BatchStatus.Reversed) return;
        BatchHold memory hold = _state().holds[batchId];
        BatchStatus status =
            hold.adminSuspended || hold.openChallenges != 0 ? BatchStatus.Suspended : BatchStatus.Active;
        if (status == b.status) return;
        b.status = status;
        emit BatchStatusChanged(batchId, status);
        emit IERC1155.URI(_renderUri(RENDERER, batchId), batchId);
    }
}
