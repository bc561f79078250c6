// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

import {IITECRegistry} from "../interfaces/IITECRegistry.sol";
import {IITECRegistryTypes} from "../interfaces/IITECRegistryTypes.sol";
import {IITECMarket} from "./IITECMarket.sol";

/**
 * @title ITECMarket
 * @notice Settles signed offers of I-TECs against an admitted ERC-20 (delivery versus payment) or on invoice, see
 * {IITECMarket}. A separate contract from the registry: it holds no rule of its own about who may hold or move
 * certificates — the registry checks seller, buyer, this market (an admitted participant acting as the seller's
 * approved operator) and the batch's status at every transfer (docs/adr/0057-market-settlement-contract.md).
 * @dev Storage per offer is 32 bits: fills are counted per (seller, nonce), eight nonces to a slot, so a seller's
 * next offers write a warm, non-zero word. The market holds certificates only in on-invoice escrow, and then exactly
 * the sum of its open reservations (test/contracts/market-escrow.property.test.ts).
 */
contract ITECMarket is IITECMarket, IERC1155Receiver, EIP712 {
    using SafeERC20 for IERC20;

    /// @inheritdoc IITECMarket
    bytes32 public constant OFFER_TYPEHASH = keccak256(
        "Offer(address seller,address token,uint256 batchId,uint8 category,uint40 vintageFrom,uint40 vintageTo,"
        "uint40 minReductionGrams,uint40 maxIntensityGrams,uint32 quantity,uint256 price,uint64 nonce,uint64 expiry,"
        "uint32 paymentWindow,uint256 rfqId)"
    );

    /// @dev A lane holding this value is a cancelled (or, at the largest quantity, used up) nonce.
    uint256 private constant CANCELLED = type(uint32).max;
    uint8 private constant MAX_CATEGORY = 6;

    IITECRegistry private immutable _REGISTRY;

    /// @dev seller => nonce / 8 => eight 32-bit lanes: certificates sold under each nonce (or {CANCELLED}).
    mapping(address seller => mapping(uint256 word => uint256 lanes)) private _fills;
    mapping(address seller => uint64 minNonce) private _minNonces;
    mapping(address token => bool admitted) private _tokens;
    mapping(uint256 reservationId => Reservation) private _reservations;
    mapping(uint256 rfqId => RequestRecord) private _requests;
    uint128 private _reservationCount;
    uint128 private _requestCount;

    struct RequestRecord {
        address buyer;
        uint64 expiry;
    }

    /// @param registry_ The I-TEC registry whose certificates this market settles (fixed for its lifetime).
    constructor(IITECRegistry registry_) EIP712("I-TEC Market", "1") {
        if (address(registry_).code.length == 0) revert MarketInvalidOffer("registry");
        _REGISTRY = registry_;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Trading
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc IITECMarket
    function fill(
        Offer calldata offer,
        bytes calldata signature,
        uint256 batchId,
        uint32 amount
    ) external returns (bytes32 hash) {
        // An on-invoice-only offer (token 0) fails here too: the zero address is never admitted.
        address token = offer.token;
        if (!_tokens[token]) revert MarketTokenNotAdmitted(token);
        hash = _take(offer, signature, batchId, amount);
        uint256 payment = offer.price * amount;
        emit OfferFilled(hash, offer.seller, msg.sender, batchId, amount, token, payment);
        // Interactions last, after the fill is counted: a re-entered fill of this offer sees it (and the guard).
        if (payment != 0) IERC20(token).safeTransferFrom(msg.sender, offer.seller, payment);
        // The registry checks seller, buyer and this market are active and the batch is not frozen or reversed.
        _transferCertificates(offer.seller, msg.sender, batchId, amount);
    }

    /// @inheritdoc IITECMarket
    function fillOnInvoice(
        Offer calldata offer,
        bytes calldata signature,
        uint256 batchId,
        uint32 amount
    ) external returns (uint256 reservationId) {
        if (offer.paymentWindow == 0) revert MarketInvoiceNotAllowed();
        if (batchId > type(uint40).max) revert MarketInvalidOffer("batchId");
        // The certificates come here first: the registry sees this market as receiver, so the buyer is checked here.
        _requireActive(msg.sender);
        bytes32 hash = _take(offer, signature, batchId, amount);
        uint256 expiresAt = block.timestamp + offer.paymentWindow;
        reservationId = ++_reservationCount;
        _reservations[reservationId] = Reservation({
            seller: offer.seller,
            batchId: uint40(batchId),
            amount: amount,
            buyer: msg.sender,
            expiresAt: uint40(expiresAt)
        });
        emit ReservationOpened(reservationId, hash, offer.seller, msg.sender, batchId, amount, offer.price, expiresAt);
        _REGISTRY.safeTransferFrom(offer.seller, address(this), batchId, amount, "");
    }

    /// @inheritdoc IITECMarket
    function confirmPayment(uint256 reservationId) external {
        Reservation memory r = _openReservation(reservationId);
        if (msg.sender != r.seller) revert MarketUnauthorized(msg.sender, r.seller);
        // The registry checks the escrow's receiver (the buyer) and the batch; the seller acts here, so it is checked
        // here: a suspended seller cannot trade.
        _requireActive(r.seller);
        delete _reservations[reservationId];
        emit PaymentConfirmed(reservationId, r.seller, r.buyer);
        _REGISTRY.safeTransferFrom(address(this), r.buyer, r.batchId, r.amount, "");
    }

    /// @inheritdoc IITECMarket
    function reclaim(uint256 reservationId) external {
        Reservation memory r = _openReservation(reservationId);
        if (block.timestamp <= r.expiresAt && msg.sender != r.buyer) {
            revert MarketReservationOpen(reservationId, r.expiresAt);
        }
        delete _reservations[reservationId];
        // A reversed batch's certificates are cancelled (the registry refuses to move them): close with nothing moved.
        bool returned = _REGISTRY.batch(r.batchId).status != IITECRegistryTypes.BatchStatus.Reversed;
        emit ReservationReclaimed(reservationId, r.seller, msg.sender, returned);
        if (returned) _REGISTRY.safeTransferFrom(address(this), r.seller, r.batchId, r.amount, "");
    }

    /// @inheritdoc IITECMarket
    function cancelOffer(Offer calldata offer) external {
        if (msg.sender != offer.seller) revert MarketUnauthorized(msg.sender, offer.seller);
        uint256 shift = (uint256(offer.nonce) & 7) << 5;
        _fills[offer.seller][offer.nonce >> 3] |= CANCELLED << shift;
        emit OfferCancelled(offer.seller, offer.nonce, _hashOffer(offer));
    }

    /// @inheritdoc IITECMarket
    function cancelUpTo(uint64 minNonce_) external {
        uint64 current = _minNonces[msg.sender];
        if (minNonce_ <= current) revert MarketNonceNotIncreasing(current, minNonce_);
        _minNonces[msg.sender] = minNonce_;
        emit NoncesCancelled(msg.sender, minNonce_);
    }

    /// @inheritdoc IITECMarket
    function publishRequest(Request calldata request) external returns (uint256 rfqId) {
        _requireActive(msg.sender);
        if (request.category > MAX_CATEGORY) revert MarketInvalidRequest("category");
        if (request.quantity == 0) revert MarketInvalidRequest("quantity");
        if (request.expiry <= block.timestamp) revert MarketInvalidRequest("expiry");
        if (request.vintageTo != 0 && request.vintageFrom > request.vintageTo) revert MarketInvalidRequest("vintage");
        rfqId = ++_requestCount;
        _requests[rfqId] = RequestRecord({buyer: msg.sender, expiry: request.expiry});
        emit RequestPublished(
            rfqId,
            msg.sender,
            request.category,
            request.quantity,
            request.maxIntensityGrams,
            request.vintageFrom,
            request.vintageTo,
            request.expiry
        );
    }

    /// @inheritdoc IITECMarket
    function withdrawRequest(uint256 rfqId) external {
        address buyer = _requests[rfqId].buyer;
        if (buyer == address(0) || msg.sender != buyer) revert MarketUnauthorized(msg.sender, buyer);
        delete _requests[rfqId];
        emit RequestWithdrawn(rfqId, buyer);
    }

    /// @inheritdoc IITECMarket
    function setTokenAdmitted(address token, bool admitted) external {
        address admin = _REGISTRY.defaultAdmin();
        if (msg.sender != admin) revert MarketUnauthorized(msg.sender, admin);
        if (admitted && token.code.length == 0) revert MarketInvalidToken(token);
        _tokens[token] = admitted;
        emit TokenAdmissionChanged(token, admitted);
    }

    /**
     * @notice Accepts certificates only from the registry, moved by this market itself (on-invoice escrow), so the
     * escrow holds exactly its open reservations.
     */
    function onERC1155Received(
        address operator,
        address,
        uint256,
        uint256,
        bytes calldata
    ) external view returns (bytes4) {
        if (msg.sender != address(_REGISTRY) || operator != address(this)) revert MarketUnexpectedTransfer();
        return IERC1155Receiver.onERC1155Received.selector;
    }

    /// @notice Refuses every batch transfer: escrow moves one batch at a time.
    function onERC1155BatchReceived(
        address,
        address,
        uint256[] calldata,
        uint256[] calldata,
        bytes calldata
    ) external pure returns (bytes4) {
        revert MarketUnexpectedTransfer();
    }

    /// @inheritdoc IERC165
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IERC1155Receiver).interfaceId || interfaceId == type(IERC165).interfaceId;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc IITECMarket
    function registry() external view returns (address) {
        return address(_REGISTRY);
    }

    /// @inheritdoc IITECMarket
    function offerHash(Offer calldata offer) external pure returns (bytes32) {
        return _hashOffer(offer);
    }

    /// @inheritdoc IITECMarket
    function offerDigest(Offer calldata offer) external view returns (bytes32) {
        return _hashTypedDataV4(_hashOffer(offer));
    }

    /// @inheritdoc IITECMarket
    function filled(address seller, uint64 nonce) external view returns (uint256 amount, bool cancelled) {
        amount = (_fills[seller][nonce >> 3] >> ((uint256(nonce) & 7) << 5)) & CANCELLED;
        cancelled = amount == CANCELLED;
        if (cancelled) amount = 0;
    }

    /// @inheritdoc IITECMarket
    function remaining(Offer calldata offer) external view returns (uint256) {
        if (block.timestamp > offer.expiry || offer.nonce < _minNonces[offer.seller]) return 0;
        uint256 used = (_fills[offer.seller][offer.nonce >> 3] >> ((uint256(offer.nonce) & 7) << 5)) & CANCELLED;
        return used >= offer.quantity ? 0 : offer.quantity - used;
    }

    /// @inheritdoc IITECMarket
    function minNonce(address seller) external view returns (uint64) {
        return _minNonces[seller];
    }

    /// @inheritdoc IITECMarket
    function tokenAdmitted(address token) external view returns (bool) {
        return _tokens[token];
    }

    /// @inheritdoc IITECMarket
    function reservation(uint256 reservationId) external view returns (Reservation memory) {
        return _openReservation(reservationId);
    }

    /// @inheritdoc IITECMarket
    function reservationCount() external view returns (uint256) {
        return _reservationCount;
    }

    /// @inheritdoc IITECMarket
    function requestCount() external view returns (uint256) {
        return _requestCount;
    }

    /// @inheritdoc IITECMarket
    function requestBuyer(uint256 rfqId) external view returns (address buyer, uint64 expiry) {
        RequestRecord memory r = _requests[rfqId];
        return (r.buyer, r.expiry);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @dev Every check an offer's fill needs, and its one effect: counts `amount` against (seller, nonce). Returns the
     * offer's hash.
     */
    function _take(
        Offer calldata offer,
        bytes calldata signature,
        uint256 batchId,
        uint32 amount
    ) private returns (bytes32 hash) {
        if (block.timestamp > offer.expiry) revert MarketOfferExpired(offer.expiry, block.timestamp);
        if (amount == 0) revert MarketInvalidOffer("amount");
        if (offer.batchId != 0 && offer.batchId != batchId) revert MarketCriteriaNotMet(batchId, "batchId");
        address seller = offer.seller;
        uint64 nonce = offer.nonce;
        uint64 floor = _minNonces[seller];
        if (nonce < floor) revert MarketNonceCancelled(seller, nonce, floor);

        mapping(uint256 => uint256) storage fills = _fills[seller];
        uint256 lanes = fills[nonce >> 3];
        uint256 shift = (uint256(nonce) & 7) << 5;
        uint256 used = (lanes >> shift) & CANCELLED;
        if (used == CANCELLED) revert MarketOfferCancelled(seller, nonce);
        uint256 left = used >= offer.quantity ? 0 : offer.quantity - used;
        if (amount > left) revert MarketOverfill(left, amount);
        // No carry into the next lane: used + amount <= quantity <= CANCELLED (a lane filled up to CANCELLED then
        // reads as cancelled, which leaves nothing to fill either way).
        unchecked {
            fills[nonce >> 3] = lanes + (uint256(amount) << shift);
        }

        if (
            offer.category != 0 ||
            offer.vintageFrom != 0 ||
            offer.vintageTo != 0 ||
            offer.minReductionGrams != 0 ||
            offer.maxIntensityGrams != 0
        ) _checkCriteria(offer, batchId);

        hash = _hashOffer(offer);
        bytes32 digest = _hashTypedDataV4(hash);
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(digest, signature);
        if (
            (err != ECDSA.RecoverError.NoError || recovered != seller) &&
            !SignatureChecker.isValidERC1271SignatureNowCalldata(seller, digest, signature)
        ) revert MarketInvalidSignature(seller);
    }

    /// @dev The batch's on-chain record against the offer's criteria (unknown batches revert in the registry).
    function _checkCriteria(Offer calldata offer, uint256 batchId) private view {
        IITECRegistryTypes.Batch memory b = _REGISTRY.batch(batchId);
        if (offer.category != 0 && b.category != offer.category) revert MarketCriteriaNotMet(batchId, "category");
        if (b.vintageStart < offer.vintageFrom) revert MarketCriteriaNotMet(batchId, "vintageFrom");
        if (offer.vintageTo != 0 && b.vintageEnd > offer.vintageTo) revert MarketCriteriaNotMet(batchId, "vintageTo");
        if (b.reductionGrams < offer.minReductionGrams) revert MarketCriteriaNotMet(batchId, "minReductionGrams");
        uint256 intensity = b.baselineGrams > b.reductionGrams ? b.baselineGrams - b.reductionGrams : 0;
        if (offer.maxIntensityGrams != 0 && intensity > offer.maxIntensityGrams) {
            revert MarketCriteriaNotMet(batchId, "maxIntensityGrams");
        }
    }

    /**
     * @dev `_REGISTRY.safeTransferFrom(from, to, id, amount, "")` as a plain call, bubbling the registry's revert: the
     * registry's code is known to exist (checked at construction), so the compiler's EXTCODESIZE check before a
     * high-level call is not needed (fill's hot path: ~100 gas).
     */
    function _transferCertificates(address from, address to, uint256 id, uint256 amount) private {
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory result) = address(_REGISTRY).call(
            abi.encodeCall(IERC1155.safeTransferFrom, (from, to, id, amount, ""))
        );
        if (!ok) {
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
    }

    /**
     * @dev EIP-712 `hashStruct(offer)`: every field is a static type, so encodeData is the struct's 14 calldata words
     * as they stand, copied rather than re-encoded (`abi.encode` of a calldata struct checks each field on the way:
     * ~1,000 gas of fill's budget). A word with dirty high bits yields a hash no EIP-712 signer signs, so the fill
     * fails the signature check; the fields the checks read are range-checked by the compiler as they are read.
     */
    function _hashOffer(Offer calldata offer) private pure returns (bytes32 hash) {
        bytes32 typeHash = OFFER_TYPEHASH;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, typeHash)
            calldatacopy(add(m, 0x20), offer, 0x1c0)
            hash := keccak256(m, 0x1e0)
        }
    }

    function _openReservation(uint256 reservationId) private view returns (Reservation memory r) {
        r = _reservations[reservationId];
        if (r.seller == address(0)) revert MarketUnknownReservation(reservationId);
    }

    function _requireActive(address account) private view {
        if (_REGISTRY.participant(account).status != IITECRegistryTypes.ParticipantStatus.Active) {
            revert MarketAccountNotActive(account);
        }
    }
}
