/**
 * The registry API's operations the typed client calls by name: method, path template (as in the OpenAPI document
 * the API serves at /openapi.json), request body and reply types. test/sdk/api-operations.test.ts checks every
 * entry against that document (operation id, method, path and its parameters, body) and the reply types against
 * the schemas the API declares for them.
 */
import type { UnsignedTx } from "./api-client.ts";
import type { OfferJson } from "./market/offer.ts";
import type { Delivery, DeliveryProofs } from "./delivery.ts";
import type { ChainBatch, RetirementVerification } from "./verification.ts";

/** The listing index's progress, as listings and balances report it. */
export interface IndexStatus {
  lastBlock: number | null;
  head: number;
  lagBlocks: number | null;
}

/** An account's standing, organisation name, roles and accreditation, read from the chain. */
export interface Participant {
  account: string;
  kind: string;
  status: string;
  /** The organisation name on the register (null when not admitted). */
  name: string | null;
  /** The account has code: a contract (ERC-1271 signatures). */
  hasCode: boolean;
  /** `auditor`: accredited for an auditing body, within its validity window now. */
  roles: { admin: boolean; auditor: boolean; issuer: boolean };
  /** The auditing body it signs for, its device categories and validity window (null when not accredited). */
  accreditation: {
    bodyId: number;
    body: string;
    categories: string[];
    validFrom: string;
    validUntil: string;
  } | null;
}

/** Certificates held by an account: batches from the index, amounts from the chain (nonzero only). */
export interface Balances {
  account: string;
  balances: { batchId: string; amount: string }[];
  index: IndexStatus;
}

/** A batch an account holds, with the batch's figures (GET /accounts/{address}/portfolio). */
export interface PortfolioEntry {
  batchId: string;
  category: string;
  /** `active`; `suspended` (held by the admin or open challenges); `reversed` (void). */
  status: string;
  hold: { adminSuspended: boolean; openChallenges: number };
  issued: string;
  retired: string;
  outstanding: string;
  baselineGrams: string;
  reductionGrams: string;
  /** First and last refurbishment day (YYYY-MM-DD). */
  vintageStart: string;
  vintageEnd: string;
  methodology: string | null;
  owner: string;
  ownerName: string | null;
  /** Certificates held (for a reversed batch: what was held when it was reversed; void now). */
  held: string;
  /** B̄, V̄ and B̄ − V̄ in kgCO2e per device, three decimals. */
  baselineKgPerDevice: string;
  reductionKgPerDevice: string;
  certifiedIntensityKgPerDevice: string;
}

/** Every batch an account holds, ascending batch id, with totals (from the index). */
export interface Portfolio {
  account: string;
  batches: PortfolioEntry[];
  /** `held`: in batches not reversed; `usable`: in active batches. */
  totals: { batches: number; held: string; usable: string };
  index: IndexStatus;
}

/** Whether `operator` may move and retire `account`'s certificates (chain, at `blockNumber`). */
export interface OperatorApproval {
  account: string;
  operator: string;
  approved: boolean;
  blockNumber: number;
}

/** A batch as the chain holds it, with the link to its ERC-1155 metadata. */
export interface CertificateBatch extends ChainBatch {
  metadataURI: string;
}

/** What became of a transaction. */
export type TransactionStatus =
  | { hash: string; status: "mined" | "reverted"; blockNumber: number; gasUsed: string }
  | { hash: string; status: "pending" | "unknown"; blockNumber: null; gasUsed: null };

/** A Sign-In with Ethereum nonce and what the message must say. */
export interface SiweNonce {
  nonce: string;
  expiresAt: string;
  domain: string;
  uri: string;
  chainId: string;
}

/** A session: the bearer token for the signed-in address. */
export interface SiweSession {
  token: string;
  address: string;
  expiresAt: string;
}

/** Certificates to transfer (one batch or several); `from` defaults to the signed-in account. */
export interface TransferRequest {
  from?: string;
  to: string;
  items: { batchId: string; amount: string }[];
}

/** A retirement to build: burn `amount` of `batchId` against a claim; `holder` defaults to the signed-in account. */
export interface RetireRequest {
  holder?: string;
  batchId: string;
  amount: string;
  beneficiaryName: string;
  beneficiary?: string;
  /** YYYY-MM-DD. */
  periodStart: string;
  periodEnd: string;
  /** 1 purchased goods, 2 capital goods. */
  scope3Category: 1 | 2;
  purpose?: string;
}

/** The registry's chain, as a browser wallet adds it (`wallet_addEthereumChain`). */
export interface Network {
  /** uint256 as a decimal string. */
  chainId: string;
  chainName: string;
  /** The registry contract (checksummed). */
  registry: string;
  /** The block the registry was deployed in: where its events begin. */
  deployBlock: number;
  /** The JSON-RPC URL for browsers. */
  rpcUrl: string;
  /** A development chain (31337, 1337), whose keys are public. */
  dev: boolean;
  nativeCurrency: { name: string; symbol: string; decimals: number };
}

/** The reference data the oracle calculates with (its bytes: GET /reference-data, text/csv). */
export interface ReferenceDataInfo {
  /** sha256 (hex) of the file: a lot's `referenceDataSha256`. */
  sha256: string;
  rows: number;
  methodVersion: string;
  paramsVersion: string;
  source: string;
}

/** An admitted participant, as the listing index holds it. */
export interface IndexedParticipant {
  account: string;
  /** The organisation name on the ledger. */
  name: string;
  kind: string;
  status: string;
  admittedBlock: number;
  admittedAt: string;
  updatedBlock: number;
  updatedAt: string;
}

/** Participants by `status`, `kind` and `name` (a part of the organisation name, any case): query parameters. */
export interface ParticipantList {
  participants: IndexedParticipant[];
  index: IndexStatus;
}

/** A batch in the auditor's queue (GET /reviews; query `mine=pending|all`, `limit`, `offset`). */
export interface Review {
  batchId: string;
  lotId: string;
  category: string;
  state: "awaiting_signatures" | "ready";
  /** Eligible devices of the category in the lot. */
  devices: number;
  certificates: number;
  /** B̄ and V̄, kgCO2e per certificate, three decimals. */
  baselineKg: string;
  reductionKg: string;
  submittedAt: string;
  deadline: string | null;
  /** The EIP-712 digest auditors sign. */
  digest: string;
  /** Accepted signatures over the current attestation, and how many the registry requires. */
  signatures: number;
  threshold: number | null;
  /** The signed-in auditor's part. */
  mine: "pending" | "signed" | "refused";
  /** The audit sample (docs/methodology.md, "Audit sampling"); null until the oracle records one. */
  sample: AuditSample | null;
  links: { attestation: string; report: string; batch: string; sample: string };
}

/** A batch's audit sample: drawn from a seed the chain fixed after the lot's submission (GET /reviews/{id}/sample). */
export interface AuditSample {
  /** pending: the block after the submission does not exist yet. */
  state: "pending" | "drawn";
  plan: string | null;
  submittedBlock: number;
  seedBlock: number | null;
  seedBlockHash: string | null;
  seed: string | null;
  population: number | null;
  size: number | null;
  /** The sampled devices in draw order with the batch's outcome (the latest recorded by any of its auditors). */
  devices: { deviceId: string; outcome: "seen" | "missing" | null }[];
  /** keccak256 of the canonical sample record once every device has an outcome: the attestation's sampleHash. */
  sampleHash: string | null;
}

/** The canonical audit sample record (core/audit/sample-record.ts): its keccak256 is the batch's `sampleHash`. */
export interface AuditSampleRecordJson {
  plan: string;
  categoryCode: number;
  reportHash: string;
  submittedBlock: number;
  seedBlock: { number: number; hash: string };
  seed: string;
  population: number;
  size: number;
  devices: { deviceId: string; outcome: "seen" | "missing" | null }[];
}

/** An issued batch's public sample record (GET /verify/batches/{id}/sample). */
export interface PublicAuditSample {
  batchId: string;
  /** keccak256 of the record's canonical bytes; null while a device has no outcome (such a record is never attested). */
  sampleHash: string | null;
  record: AuditSampleRecordJson;
  /** The seed block's hash as the API read the chain (the CLI reads its own node instead). */
  seedBlockHash: string | null;
}

/** An offer of the market's offer book with what is left of it (GET /market/offers, docs/market.md). */
export interface BookOffer {
  hash: string;
  offer: OfferJson;
  signature: string;
  /** Certificates still available: quantity − fills; "0" once cancelled, voided or expired. */
  remaining: string;
  status: "open" | "closed" | "expired";
  expiresAt: string;
  publishedAt: string;
}

/** An on-invoice reservation (GET /market/reservations). */
export interface MarketReservation {
  reservationId: string;
  offerHash: string;
  seller: string;
  buyer: string;
  batchId: string;
  amount: string;
  price: string;
  expiresAt: string;
  status: "open" | "confirmed" | "reclaimed";
  /** Open and past its expiry: anyone may reclaim it. */
  expired: boolean;
  openedIn: string;
}

/** POST /market/offers: the offer as signed, its signature, and (optionally) the domain the wallet signed for. */
export interface PublishOfferRequest {
  offer: OfferJson;
  signature: string;
  signedFor?: { chainId?: string; verifyingContract?: string };
}

/** POST /tx/market/fill: DvP, or on invoice; `batchId` for an offer of any matching batch. */
export interface MarketFillRequest {
  offerHash: string;
  amount: string;
  batchId?: string;
  onInvoice?: boolean;
}

/** Each operation's request body (`never` when it takes none) and reply. */
export interface ApiOperationTypes {
  siweNonce: { body: never; reply: SiweNonce };
  siweSignIn: { body: { message: string; signature: string }; reply: SiweSession };
  whoAmI: { body: never; reply: Participant };
  buildTransfer: { body: TransferRequest; reply: UnsignedTx };
  buildRetirement: { body: RetireRequest; reply: UnsignedTx };
  buildApproval: { body: { operator: string; approved: boolean }; reply: UnsignedTx };
  relayTransaction: { body: { signedTransaction: string }; reply: { hash: string; function: string } };
  transactionStatus: { body: never; reply: TransactionStatus };
  verifyRetirement: { body: never; reply: RetirementVerification };
  verifyBatch: { body: never; reply: ChainBatch };
  getBatchSample: { body: never; reply: PublicAuditSample };
  getRetirement: { body: never; reply: RetirementVerification };
  getCertificateBatch: { body: never; reply: CertificateBatch };
  getBalances: { body: never; reply: Balances };
  getParticipant: { body: never; reply: Participant };
  listParticipants: { body: never; reply: ParticipantList };
  network: { body: never; reply: Network };
  getReferenceDataInfo: { body: never; reply: ReferenceDataInfo };
  listReviews: { body: never; reply: { reviews: Review[] } };
  getPortfolio: { body: never; reply: Portfolio };
  getOperatorApproval: { body: never; reply: OperatorApproval };
  listOffers: { body: never; reply: { offers: BookOffer[] } };
  getOffer: { body: never; reply: BookOffer };
  publishOffer: { body: PublishOfferRequest; reply: BookOffer };
  listReservations: { body: never; reply: { reservations: MarketReservation[] } };
  buildMarketFill: { body: MarketFillRequest; reply: UnsignedTx };
  recordDeliveryTransfer: { body: { txHash: string }; reply: Delivery };
  listDeliveries: { body: never; reply: { deliveries: Delivery[] } };
  getDelivery: { body: never; reply: Delivery };
  getDeliveryProofs: { body: never; reply: DeliveryProofs };
}

export type ApiOperationName = keyof ApiOperationTypes;

/** Method and path template of each operation (path parameters in braces, as in OpenAPI). */
export const API_OPERATIONS = {
  siweNonce: { method: "GET", path: "/auth/nonce" },
  siweSignIn: { method: "POST", path: "/auth/siwe" },
  whoAmI: { method: "GET", path: "/auth/me" },
  buildTransfer: { method: "POST", path: "/tx/transfer" },
  buildRetirement: { method: "POST", path: "/tx/retire" },
  buildApproval: { method: "POST", path: "/tx/approval" },
  relayTransaction: { method: "POST", path: "/tx/relay" },
  transactionStatus: { method: "GET", path: "/tx/{hash}" },
  verifyRetirement: { method: "GET", path: "/verify/retirements/{id}" },
  verifyBatch: { method: "GET", path: "/verify/batches/{id}" },
  getBatchSample: { method: "GET", path: "/verify/batches/{id}/sample" },
  getRetirement: { method: "GET", path: "/retirements/{id}" },
  getCertificateBatch: { method: "GET", path: "/certificates/{batchId}" },
  getBalances: { method: "GET", path: "/accounts/{address}/balances" },
  getParticipant: { method: "GET", path: "/participants/{address}" },
  listParticipants: { method: "GET", path: "/participants" },
  network: { method: "GET", path: "/network" },
  getReferenceDataInfo: { method: "GET", path: "/reference-data/info" },
  listReviews: { method: "GET", path: "/reviews" },
  getPortfolio: { method: "GET", path: "/accounts/{address}/portfolio" },
  getOperatorApproval: { method: "GET", path: "/accounts/{address}/operators/{operator}" },
  listOffers: { method: "GET", path: "/market/offers" },
  getOffer: { method: "GET", path: "/market/offers/{hash}" },
  publishOffer: { method: "POST", path: "/market/offers" },
  listReservations: { method: "GET", path: "/market/reservations" },
  buildMarketFill: { method: "POST", path: "/tx/market/fill" },
  recordDeliveryTransfer: { method: "POST", path: "/deliveries/{id}/sent" },
  listDeliveries: { method: "GET", path: "/deliveries" },
  getDelivery: { method: "GET", path: "/deliveries/{id}" },
  getDeliveryProofs: { method: "GET", path: "/deliveries/{id}/proofs" },
} as const satisfies Record<ApiOperationName, { method: "GET" | "POST" | "PUT" | "DELETE"; path: string }>;

/** The names in a path template: `"/tx/{hash}"` → `"hash"`. */
type ParamNames<P extends string> = P extends `${string}{${infer K}}${infer Rest}` ? K | ParamNames<Rest> : never;

/** The path parameters of operation `K` (bigints and numbers for ids are fine). */
export type PathParams<K extends ApiOperationName> = Record<
  ParamNames<(typeof API_OPERATIONS)[K]["path"]>,
  string | number | bigint
>;

/** The path of operation `name` with its parameters filled in (URI-encoded). */
export function operationPath<K extends ApiOperationName>(name: K, params: PathParams<K>): string {
  const values = params as Record<string, string | number | bigint>;
  return API_OPERATIONS[name].path.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new TypeError(`${name}: missing path parameter ${key}`);
    return encodeURIComponent(String(value));
  });
}
