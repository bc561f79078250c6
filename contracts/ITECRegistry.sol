// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

// solhint-disable-next-line max-line-length
import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {LeanERC1155} from "./base/LeanERC1155.sol";
import {ITECRegistryExtension} from "./ITECRegistryExtension.sol";
import {IITECRegistryCore} from "./interfaces/IITECRegistryCore.sol";
import {RegistryState} from "./registry/RegistryState.sol";

/**
 * @title ITECRegistry
 * @notice The I-TEC ledger: ERC-1155, one token id per audited batch, see {IITECRegistry}.
 * @dev This contract holds the token and the paths every certificate takes — issue, transfer, retire, replace —
 * with what a verifier reads of them. Governance, fraud proofs and the register's other views ({IITECRegistryAdmin})
 * run in {ITECRegistryExtension}, deployed first and fixed at construction, to which the fallback delegates: together
 * they exceed the 24,576-byte code limit, and the hot paths pay nothing for the split (docs/adr/0006-registry-v2.md).
 */
contract ITECRegistry is IITECRegistryCore, RegistryState, LeanERC1155, AccessControlDefaultAdminRules, EIP712 {
    /// @notice EIP-712 type hash of {IITECRegistryTypes-Attestation}.
    bytes32 public constant ATTESTATION_TYPEHASH = keccak256(
        "Attestation(address owner,uint8 category,uint32 certificates,uint40 baselineGrams,uint40 reductionGrams,"
        "uint40 vintageStart,uint40 vintageEnd,string methodology,string parameters,bytes32 reportHash,"
        "bytes32 referenceDataHash,bytes32 deviceRoot,bytes32 sampleHash,string evidenceURI,uint64 deadline)"
    );

    ITECRegistryExtension private immutable _EXTENSION;

    /**
     * @param admin The registry admin (admits participants, accredits auditors, settles and reverses).
     * @param adminDelay Seconds a scheduled admin transfer waits before the new admin can accept it.
     * @param externalBaseURI Base of the `external_url` in token metadata, e.g. "https://registry.example/batches/".
     * @param extension_ The deployed {ITECRegistryExtension} this registry delegates to (fixed for its lifetime).
     */
    constructor(
        address admin,
        uint48 adminDelay,
        string memory externalBaseURI,
        ITECRegistryExtension extension_
    ) AccessControlDefaultAdminRules(adminDelay, admin) EIP712("I-TEC Registry", "2") {
        _requireMarkupSafe(bytes(externalBaseURI), "baseURI");
        Layout storage $ = _state();
        $.counters.auditorThreshold = 1;
        $.externalBaseURI = externalBaseURI;
        if (address(extension_).code.length == 0) revert ITECNotDelegated();
        _EXTENSION = extension_;
    }

    /**
     * @notice Everything else the registry does (see {IITECRegistryAdmin}) runs in {ITECRegistryExtension}, in this
     * contract's storage; an unknown selector reverts there without data.
     */
    fallback() external {
        _delegateToExtension();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Issuance
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc IITECRegistryCore
    function issue(
        Attestation calldata attestation,
        AuditorSignature[] calldata signatures
    ) external onlyRole(ISSUER_ROLE) returns (uint256 batchId) {
        if (block.timestamp > attestation.deadline) {
            revert ITECAttestationExpired(attestation.deadline, block.timestamp);
        }
        _validateAttestation(attestation);
        Layout storage $ = _state();

        bytes32 methodologyHash = keccak256(bytes(attestation.methodology));
        bytes32 parametersHash = keccak256(bytes(attestation.parameters));
        MethodologyRef memory ref = $.methodologyRefs[_methodologyKey(methodologyHash, parametersHash)];
        if (!ref.active) revert ITECMethodologyNotApproved(attestation.methodology, attestation.parameters);

        bytes32 reportKey = _reportKey(attestation.reportHash, attestation.category);
        uint256 existing = $.batchOfReportKey[reportKey];
        if (existing != 0) revert ITECReportAlreadyIssued(attestation.reportHash, attestation.category, existing);
        existing = $.batchOfDeviceRoot[attestation.deviceRoot];
        if (existing != 0) revert ITECDeviceRootAlreadyUsed(attestation.deviceRoot, existing);

        bytes32 digest = _hashTypedDataV4(_attestationStructHash(attestation, methodologyHash, parametersHash));
        address[] memory auditors = _checkSignatures(digest, attestation.category, signatures);

        // Effects before the mint: `_mint` may call into the owner (ERC-1155 acceptance check).
        batchId = ++$.counters.batches;
        $.batchOfReportKey[reportKey] = batchId;
        $.batchOfDeviceRoot[attestation.deviceRoot] = batchId;
        $.batches[batchId] = Batch({
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
            attestation.sampleHash,
            attestation.evidenceURI,
            attestation.deadline,
            auditors
        );
        _mint(attestation.owner, batchId, attestation.certificates);
    }

    /// @inheritdoc IITECRegistryCore
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

    /// @inheritdoc IITECRegistryCore
    function batch(uint256 batchId) external view returns (Batch memory) {
        return _existingBatch(batchId);
    }

    /// @inheritdoc IITECRegistryCore
    function batchTotals(
        uint256 batchId
    ) external view returns (uint256 issued, uint256 retired, uint256 outstanding, uint256 cancelled) {
        Batch storage b = _existingBatch(batchId);
        issued = b.issued;
        retired = b.retired;
        // Burning adds to `retired` (retire and replace), so retired ≤ issued always; a reversal stops both.
        if (b.status == BatchStatus.Reversed) cancelled = issued - retired;
        else outstanding = issued - retired;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Retirement and replacement
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc IITECRegistryCore
    function retire(address holder, RetirementRequest calldata request) external returns (uint256 retirementId) {
        address operator = _requireHolderOrOperator(holder);
        if (request.amount == 0) revert ITECInvalidRetirement("amount");
        if (request.scope3Category != 1 && request.scope3Category != 2) revert ITECInvalidRetirement("scope3Category");
        if (request.periodStart > request.periodEnd) revert ITECInvalidRetirement("period");
        _requireText(request.beneficiaryName, "beneficiaryName", false);
        _requireText(request.purpose, "purpose", true);
        Batch storage b = _existingBatch(request.batchId);
        Layout storage $ = _state();

        // Checks holder/operator standing, batch status and balance (ERC1155InsufficientBalance).
        _burn(holder, request.batchId, request.amount);

        // A batch is at most 2^32-1 certificates and `retired` counts burned ones, so it cannot overflow; a block
        // number beyond 2^32 (136 years of one-second blocks) would wrap, which the verifier would notice.
        unchecked {
            b.retired += request.amount;
            retirementId = ++$.counters.retirements;
        }
        $.retirements[retirementId] = Retirement({
            account: holder,
            // `_existingBatch` proved batchId ≤ batchCount, and 2^40 batches cannot be issued in practice.
            batchId: uint40(request.batchId),
            scope3Category: request.scope3Category,
            amount: request.amount,
            replacements: 0,
            beneficiary: request.beneficiary,
            periodStart: request.periodStart,
            periodEnd: request.periodEnd,
            blockNumber: uint32(block.number),
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

    /// @inheritdoc IITECRegistryCore
    function replaceRetirement(uint256 retirementId, address holder, uint256 fromBatchId) external {
        address operator = _requireHolderOrOperator(holder);
        Retirement storage r = _existingRetirement(retirementId);
        uint256 previous = r.batchId;
        Batch storage reversed = _state().batches[previous];
        if (reversed.status != BatchStatus.Reversed) {
            revert ITECClaimNotReversed(
                retirementId,
                r.replacements == 0 ? ClaimStatus.Verified : ClaimStatus.Replaced
            );
        }
        Batch storage from = _existingBatch(fromBatchId);
        if (from.category != reversed.category) revert ITECCategoryMismatch(reversed.category, from.category);
        uint32 amount = r.amount;

        // Checks holder/operator standing, the replacement batch's status and the balance.
        _burn(holder, fromBatchId, amount);
        unchecked {
            from.retired += amount; // ≤ issued, as in `retire`
            ++r.replacements;
        }
        r.batchId = uint40(fromBatchId);
        emit RetirementReplaced(retirementId, previous, fromBatchId, holder, operator);
    }

    /// @inheritdoc IITECRegistryCore
    function retirement(uint256 retirementId) external view returns (Retirement memory) {
        return _existingRetirement(retirementId);
    }

    /// @inheritdoc IITECRegistryCore
    function claimStatus(uint256 retirementId) external view returns (ClaimStatus status, uint256 batchId) {
        Retirement storage r = _existingRetirement(retirementId);
        batchId = r.batchId;
        if (_state().batches[batchId].status == BatchStatus.Reversed) status = ClaimStatus.Reversed;
        else status = r.replacements == 0 ? ClaimStatus.Verified : ClaimStatus.Replaced;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Token
    // ---------------------------------------------------------------------------------------------------------

    /// @notice The {ITECRegistryExtension} this registry delegates to: compare its code with the published artifact.
    function extension() external view returns (address) {
        return address(_EXTENSION);
    }

    /// @notice A reversed batch's certificates are cancelled: every balance of it reads 0.
    function balanceOf(address account, uint256 id) public view override returns (uint256) {
        if (_state().batches[id].status == BatchStatus.Reversed) return 0;
        return super.balanceOf(account, id);
    }

    /// @inheritdoc LeanERC1155
    function supportsInterface(
        bytes4 interfaceId
    ) public view override(LeanERC1155, AccessControlDefaultAdminRules) returns (bool) {
        return
            LeanERC1155.supportsInterface(interfaceId) || AccessControlDefaultAdminRules.supportsInterface(interfaceId);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @dev Every operation (mint, single / batch / operator transfer, burn): the sender, the receiver and an
     * operator acting for the sender must be active participants.
     */
    function _checkParties(address operator, address from, address to) internal view override {
        if (from != address(0)) {
            _requireActive(from);
            if (operator != from) _requireActive(operator);
        }
        if (to != address(0)) _requireActive(to);
    }

    /// @dev No certificate of a suspended or reversed batch moves.
    function _checkToken(uint256 id) internal view override {
        BatchStatus status = _state().batches[id].status;
        if (status != BatchStatus.Active) {
            if (status == BatchStatus.Reversed) revert ITECBatchReversed(id);
            revert ITECBatchSuspended(id);
        }
    }

    /// @dev Admin, issuer and auditors are separate keys: refuse a role to an account that holds another.
    function _grantRole(bytes32 role, address account) internal override returns (bool) {
        if (_state().accreditations[account].bodyId != 0) revert ITECRoleConflict(account, role);
        if (role == DEFAULT_ADMIN_ROLE && hasRole(ISSUER_ROLE, account)) revert ITECRoleConflict(account, ISSUER_ROLE);
        if (role == ISSUER_ROLE && account == defaultAdmin()) revert ITECRoleConflict(account, DEFAULT_ADMIN_ROLE);
        return super._grantRole(role, account);
    }

    function _requireHolderOrOperator(address holder) private view returns (address operator) {
        operator = _msgSender();
        if (holder != operator && !isApprovedForAll(holder, operator)) revert ITECNotHolderOrOperator(operator, holder);
    }

    function _requireActive(address account) private view {
        ParticipantStatus status = _state().participants[account].status;
        if (status != ParticipantStatus.Active) revert ITECAccountNotActive(account, status);
    }

    function _existingRetirement(uint256 retirementId) private view returns (Retirement storage) {
        if (retirementId == 0 || retirementId > _state().counters.retirements) {
            revert ITECUnknownRetirement(retirementId);
        }
        return _state().retirements[retirementId];
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
        _requireText(a.evidenceURI, "evidenceURI", true);
    }

    /**
     * @dev Checks every signature and counts the distinct auditing bodies behind them: each auditor must be
     * accredited for `category` and within its window, and any invalid signature reverts with its auditor named,
     * so nothing is silently skipped. Ascending addresses make duplicate entries impossible in O(n); a contract
     * wallet that accepts a signature made by a key that also signs as another entry is refused, so one key never
     * counts twice whatever the accreditations say.
     */
    function _checkSignatures(
        bytes32 digest,
        uint8 category,
        AuditorSignature[] calldata signatures
    ) private view returns (address[] memory auditors) {
        Layout storage $ = _state();
        uint256 n = signatures.length;
        uint256 threshold = $.counters.auditorThreshold;
        if (n < threshold) revert ITECInsufficientSignatures(n, threshold);
        auditors = new address[](n);
        uint32[] memory bodies = new uint32[](n);
        uint256 distinct = 0;
        address previous = address(0);
        for (uint256 i = 0; i < n; ++i) {
            address auditor = signatures[i].auditor;
            if (auditor <= previous) revert ITECSignersNotDistinct(previous, auditor);
            Accreditation memory acc = $.accreditations[auditor];
            if (acc.bodyId == 0) revert ITECSignerNotAuditor(auditor);
            if (block.timestamp > acc.validUntil) revert ITECAuditorExpired(auditor, acc.validUntil);
            if (block.timestamp < acc.validFrom) revert ITECAuditorNotYetValid(auditor, acc.validFrom);
            if ((acc.categories >> category) & 1 == 0) revert ITECAuditorNotAccredited(auditor, category);
            _requireValidSignature(auditor, digest, signatures[i].signature, signatures);
            uint256 j = 0;
            while (j < distinct && bodies[j] != acc.bodyId) ++j;
            if (j == distinct) bodies[distinct++] = acc.bodyId;
            auditors[i] = auditor;
            previous = auditor;
        }
        if (distinct < threshold) revert ITECInsufficientSignatures(distinct, threshold);
    }

    /**
     * @dev ECDSA first (no EXTCODESIZE for the usual EOA auditor), then ERC-1271 for contract wallets. An ECDSA
     * signature that recovers to the auditor is valid whatever code the account has. A wallet is asked about the
     * bare digest, so if its signature recovers to a key that is itself one of the signers, the same key would
     * count twice: refused.
     */
    function _requireValidSignature(
        address auditor,
        bytes32 digest,
        bytes calldata signature,
        AuditorSignature[] calldata signatures
    ) private view {
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == auditor) return;
        if (
            auditor.code.length == 0 || !SignatureChecker.isValidERC1271SignatureNowCalldata(auditor, digest, signature)
        ) {
            revert ITECInvalidSignature(auditor);
        }
        if (err == ECDSA.RecoverError.NoError) {
            for (uint256 k = 0; k < signatures.length; ++k) {
                if (signatures[k].auditor == recovered) revert ITECSigningKeyReused(auditor, recovered);
            }
        }
    }

    /// @dev Runs the current call in {ITECRegistryExtension} with this contract's storage and returns its result.
    function _delegateToExtension() private {
        address target = address(_EXTENSION);
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, 0, calldatasize())
            let ok := delegatecall(gas(), target, ptr, calldatasize(), 0, 0)
            returndatacopy(ptr, 0, returndatasize())
            if iszero(ok) {
                revert(ptr, returndatasize())
            }
            return(ptr, returndatasize())
        }
    }

    function _attestationStructHash(
        Attestation calldata a,
        bytes32 methodologyHash,
        bytes32 parametersHash
    ) private pure returns (bytes32) {
        // Two halves keep the legacy code generator within its stack limit; the bytes are those of one
        // abi.encode of the 16 members, as EIP-712 `hashStruct` requires.
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
                        a.sampleHash,
                        keccak256(bytes(a.evidenceURI)),
                        a.deadline
                    )
                )
            );
    }
}
