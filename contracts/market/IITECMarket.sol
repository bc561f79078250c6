// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/**
 * @title I-TEC Market — settlement of signed offers
 * @notice Sellers sign EIP-712 {Offer}s off chain; buyers fill them here. A DvP fill moves price × amount of an
 * admitted ERC-20 settlement token buyer → seller and the certificates seller → buyer in one transaction; an
 * on-invoice fill escrows the certificates here until the seller confirms payment or the reservation expires.
 * The market is an admitted participant of the registry that sellers approve as operator (docs/market.md,
 * docs/adr/0057-market-settlement-contract.md).
 * @dev Mirrored in TypeScript by `sdk/src/market/offer.ts`; test/contracts/market-eip712.test.ts proves the type
 * hashes agree. Change only additively: the API, indexer, CLI and app read these events and types.
 */
interface IITECMarket {
    /**
     * @notice What a seller signs (EIP-712 primary type `Offer`, domain "I-TEC Market" / "1", this chain and
     * market). Criteria fields are checked against the filled batch's on-chain record when non-zero.
     * @param seller Holder of the certificates (an EOA, or an ERC-1271 wallet).
     * @param token ERC-20 settlement token (admitted by the admin); the zero address: on invoice only ({fill}
     * then reverts with {MarketTokenNotAdmitted}).
     * @param batchId The batch sold, or 0: any batch of the seller that meets the criteria.
     * @param category Device category the batch must have (1 laptop … 6 server), 0 = any.
     * @param vintageFrom The batch's first refurbishment date must be >= this, 0 = no bound.
     * @param vintageTo The batch's last refurbishment date must be <= this, 0 = no bound.
     * @param minReductionGrams The batch's V̄ (grams per certificate) must be >= this, 0 = no bound.
     * @param maxIntensityGrams The batch's certified intensity B̄ − V̄ (grams) must be <= this, 0 = no bound.
     * @param quantity Most certificates sold over all fills of this offer.
     * @param price Price per certificate in the token's smallest unit (also the invoice price).
     * @param nonce The seller's offer number: fills and cancellation are recorded per (seller, nonce), and
     * {cancelUpTo} voids every nonce below a bound. Use each nonce for one offer only.
     * @param expiry Last second at which the offer can be filled.
     * @param paymentWindow Seconds an on-invoice reservation lasts; 0 = no fills on invoice.
     * @param rfqId The request for quote this offer answers (see {publishRequest}), 0 = none; informational.
     */
    struct Offer {
        address seller;
        address token;
        uint256 batchId;
        uint8 category;
        uint40 vintageFrom;
        uint40 vintageTo;
        uint40 minReductionGrams;
        uint40 maxIntensityGrams;
        uint32 quantity;
        uint256 price;
        uint64 nonce;
        uint64 expiry;
        uint32 paymentWindow;
        uint256 rfqId;
    }

    /**
     * @notice Certificates escrowed by an on-invoice fill (two slots; deleted when settled).
     * @param seller Who gets them back on {reclaim}, and who confirms payment.
     * @param batchId The batch escrowed.
     * @param amount Certificates escrowed.
     * @param buyer Who receives them on {confirmPayment}.
     * @param expiresAt After this second the reservation can be reclaimed.
     */
    struct Reservation {
        address seller;
        uint40 batchId;
        uint32 amount;
        address buyer;
        uint40 expiresAt;
    }

    /**
     * @notice A buyer's published need (request for quote); sellers answer with offers whose `rfqId` names it.
     * @param category Device category wanted (1 … 6), 0 = any.
     * @param quantity Certificates wanted.
     * @param maxIntensityGrams Highest certified intensity B̄ − V̄ accepted (grams per device), 0 = any.
     * @param vintageFrom Earliest refurbishment date accepted, 0 = any.
     * @param vintageTo Latest refurbishment date accepted, 0 = any.
     * @param expiry Last second the request stands.
     */
    struct Request {
        uint8 category;
        uint32 quantity;
        uint40 maxIntensityGrams;
        uint40 vintageFrom;
        uint40 vintageTo;
        uint64 expiry;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @notice `buyer` bought `amount` certificates of `batchId` from `seller` and paid `payment` of `token` (DvP).
     * What remains of the offer: its quantity minus the fills of its (seller, nonce), see {filled}.
     */
    event OfferFilled(
        bytes32 indexed offerHash,
        address indexed seller,
        address indexed buyer,
        uint256 batchId,
        uint256 amount,
        address token,
        uint256 payment
    );

    /// @notice An on-invoice fill escrowed `amount` certificates of `batchId` until `expiresAt` (`price` invoiced).
    event ReservationOpened(
        uint256 indexed reservationId,
        bytes32 indexed offerHash,
        address indexed seller,
        address buyer,
        uint256 batchId,
        uint256 amount,
        uint256 price,
        uint256 expiresAt
    );

    /// @notice The seller confirmed payment: the escrowed certificates went to the buyer.
    event PaymentConfirmed(uint256 indexed reservationId, address indexed seller, address indexed buyer);

    /// @notice The reservation ended unpaid: its certificates went back to the seller (`returned` false: the batch
    /// was reversed, its certificates are cancelled and nothing moved).
    event ReservationReclaimed(
        uint256 indexed reservationId,
        address indexed seller,
        address indexed caller,
        bool returned
    );

    /// @notice The seller cancelled the offer with this nonce (every offer signed with it).
    event OfferCancelled(address indexed seller, uint64 indexed nonce, bytes32 offerHash);

    /// @notice Every offer of `seller` with a nonce below `minNonce` is void.
    event NoncesCancelled(address indexed seller, uint64 minNonce);

    /// @notice A buyer published request for quote `rfqId`.
    event RequestPublished(
        uint256 indexed rfqId,
        address indexed buyer,
        uint8 category,
        uint32 quantity,
        uint40 maxIntensityGrams,
        uint40 vintageFrom,
        uint40 vintageTo,
        uint64 expiry
    );

    /// @notice The buyer withdrew request for quote `rfqId`.
    event RequestWithdrawn(uint256 indexed rfqId, address indexed buyer);

    /// @notice The registry's admin admitted (`admitted` true) or withdrew settlement token `token`.
    event TokenAdmissionChanged(address indexed token, bool admitted);

    // ---------------------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------------------

    /// @notice The offer expired at `expiry`.
    error MarketOfferExpired(uint64 expiry, uint256 timestamp);
    /// @notice The signature does not verify for `seller` on this chain and market.
    error MarketInvalidSignature(address seller);
    /// @notice The seller cancelled this offer's nonce.
    error MarketOfferCancelled(address seller, uint64 nonce);
    /// @notice The seller voided every nonce below `minNonce`.
    error MarketNonceCancelled(address seller, uint64 nonce, uint64 minNonce);
    /// @notice Only `remaining` certificates of the offer are left; `amount` were asked for.
    error MarketOverfill(uint256 remaining, uint256 amount);
    /// @notice A field of the offer or call is invalid; `field` names it.
    error MarketInvalidOffer(string field);
    /// @notice Batch `batchId` does not meet the offer's criterion `field`.
    error MarketCriteriaNotMet(uint256 batchId, string field);
    /// @notice `token` is not an admitted settlement token.
    error MarketTokenNotAdmitted(address token);
    /// @notice The offer does not allow fills on invoice (`paymentWindow` 0).
    error MarketInvoiceNotAllowed();
    /// @notice `account` is not an active participant of the registry.
    error MarketAccountNotActive(address account);
    /// @notice Batch `batchId` is not active (suspended or reversed) in the registry.
    error MarketBatchNotActive(uint256 batchId);
    /// @notice No open reservation `reservationId`.
    error MarketUnknownReservation(uint256 reservationId);
    /// @notice `caller` may not do this (`expected` may).
    error MarketUnauthorized(address caller, address expected);
    /// @notice The reservation runs until `expiresAt`: only the buyer may release it before.
    error MarketReservationOpen(uint256 reservationId, uint256 expiresAt);
    /// @notice `token` has no code: it cannot be a settlement token.
    error MarketInvalidToken(address token);
    /// @notice A new minimum nonce must exceed the current one (`current`).
    error MarketNonceNotIncreasing(uint64 current, uint64 minNonce);
    /// @notice A field of the request for quote is invalid; `field` names it.
    error MarketInvalidRequest(string field);
    /// @notice The market accepts certificates only from its own escrow transfers.
    error MarketUnexpectedTransfer();

    // ---------------------------------------------------------------------------------------------------------
    // Trading
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @notice Buys `amount` certificates of `batchId` under `offer` (delivery versus payment): moves
     * `offer.price × amount` of `offer.token` from the caller to the seller (the caller approved this market on the
     * token) and the certificates from the seller to the caller, or reverts as a whole.
     * @return offerHash The offer's EIP-712 struct hash (its id in events and the offer book).
     */
    function fill(
        Offer calldata offer,
        bytes calldata signature,
        uint256 batchId,
        uint32 amount
    ) external returns (bytes32 offerHash);

    /**
     * @notice Reserves `amount` certificates of `batchId` under `offer` for the caller, on invoice: they move from
     * the seller into this market's escrow until the seller confirms payment or `offer.paymentWindow` seconds pass.
     */
    function fillOnInvoice(
        Offer calldata offer,
        bytes calldata signature,
        uint256 batchId,
        uint32 amount
    ) external returns (uint256 reservationId);

    /**
     * @notice The seller confirms the invoice was paid: the reserved certificates go to the buyer. Also after expiry,
     * as long as nobody reclaimed them.
     */
    function confirmPayment(uint256 reservationId) external;

    /**
     * @notice Ends an unpaid reservation: the certificates go back to the seller. Anyone after expiry; before, only
     * the buyer (who gives the reservation up). A reversed batch's reservation closes with nothing moved.
     */
    function reclaim(uint256 reservationId) external;

    /// @notice The seller cancels `offer` (its nonce: every offer signed with that nonce).
    function cancelOffer(Offer calldata offer) external;

    /// @notice The caller voids all its offers with a nonce below `minNonce`.
    function cancelUpTo(uint64 minNonce) external;

    /// @notice The caller (an active participant) publishes a request for quote; returns its id (from 1).
    function publishRequest(Request calldata request) external returns (uint256 rfqId);

    /// @notice The buyer withdraws its request for quote `rfqId`.
    function withdrawRequest(uint256 rfqId) external;

    /// @notice The registry's admin admits or withdraws an ERC-20 settlement token.
    function setTokenAdmitted(address token, bool admitted) external;

    // ---------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------

    /// @notice The registry whose certificates this market settles.
    function registry() external view returns (address);

    /// @notice EIP-712 type hash of {Offer}.
    function OFFER_TYPEHASH() external view returns (bytes32);

    /// @notice EIP-712 struct hash of `offer` (its id).
    function offerHash(Offer calldata offer) external pure returns (bytes32);

    /// @notice The digest the seller signs for `offer` on this chain and market.
    function offerDigest(Offer calldata offer) external view returns (bytes32);

    /// @notice Certificates already sold under (`seller`, `nonce`), and whether it was cancelled.
    function filled(address seller, uint64 nonce) external view returns (uint256 amount, bool cancelled);

    /**
     * @notice Certificates still available under `offer` now: 0 once expired, cancelled, voided or fully filled
     * (the signature and the seller's balance are not checked).
     */
    function remaining(Offer calldata offer) external view returns (uint256);

    /// @notice Offers of `seller` with a nonce below this are void.
    function minNonce(address seller) external view returns (uint64);

    /// @notice Whether `token` is an admitted settlement token.
    function tokenAdmitted(address token) external view returns (bool);

    /// @notice Open reservation `reservationId`; reverts when unknown or settled.
    function reservation(uint256 reservationId) external view returns (Reservation memory);

    /// @notice Reservations opened so far (ids run from 1).
    function reservationCount() external view returns (uint256);

    /// @notice Requests for quote published so far (ids run from 1); who published each: {requestBuyer}.
    function requestCount() external view returns (uint256);

    /// @notice The buyer of request `rfqId` (zero once withdrawn or when unknown), and its expiry.
    function requestBuyer(uint256 rfqId) external view returns (address buyer, uint64 expiry);
}
