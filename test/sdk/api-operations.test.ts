/**
 * The SDK's typed API client (sdk/src/api-operations.ts) against the API's own OpenAPI document (what it serves at
 * /openapi.json, built here in-process): every operation the client calls exists with the same operation id, method,
 * path parameters and request body; the SDK's request and reply types have the document's properties, required where
 * it requires them; and, at compile time (`npm run typecheck`), every reply the API's declared schemas allow is a
 * value of the SDK's reply type.
 */
import { expect } from "chai";
import { z } from "zod";

import { buildOpenApi } from "../../api/src/app.ts";
import type { AppDeps } from "../../api/src/deps.ts";
import {
  balancesSchema,
  certificateBatchSchema,
  chainBatchSchema,
  participantSchema,
  retirementVerificationSchema,
  transactionStatusSchema,
} from "../../api/src/responses.ts";
import { deliverySchema, proofsSchema } from "../../api/src/routes/deliveries.ts";
import { operatorApprovalSchema, portfolioSchema } from "../../api/src/routes/portfolio.ts";
import { bookOfferSchema } from "../../api/src/routes/market.ts";
import { unsignedTxSchema } from "../../api/src/schemas.ts";
import { networkSchema } from "../../api/src/routes/network.ts";
import { publicSampleSchema } from "../../api/src/routes/public-sample.ts";
import { referenceInfoSchema } from "../../api/src/routes/reference-data.ts";
import type { UnsignedTx } from "../../sdk/src/api-client.ts";
import {
  API_OPERATIONS,
  operationPath,
  type ApiOperationName,
  type ApiOperationTypes,
  type Balances,
  type BookOffer,
  type MarketFillRequest,
  type MarketReservation,
  type PublishOfferRequest,
  type CertificateBatch,
  type IndexedParticipant,
  type Network,
  type Participant,
  type ReferenceDataInfo,
  type OperatorApproval,
  type Portfolio,
  type RetireRequest,
  type Review,
  type SiweNonce,
  type SiweSession,
  type TransferRequest,
} from "../../sdk/src/api-operations.ts";
import type { Delivery, DeliveryProofs } from "../../sdk/src/delivery.ts";
import type { RetirementVerification } from "../../sdk/src/verification.ts";

// ---------------------------------------------------------------------------------------------------------------
// Compile time: the API's declared reply schemas against the SDK's reply types
// ---------------------------------------------------------------------------------------------------------------

/** The reply schema each operation declares (the API's route definitions use exactly these). */
const REPLY_SCHEMAS = {
  verifyRetirement: retirementVerificationSchema,
  getRetirement: retirementVerificationSchema,
  verifyBatch: chainBatchSchema,
  getBatchSample: publicSampleSchema,
  getCertificateBatch: certificateBatchSchema,
  getBalances: balancesSchema,
  getParticipant: participantSchema,
  whoAmI: participantSchema,
  transactionStatus: transactionStatusSchema,
  buildTransfer: unsignedTxSchema,
  buildRetirement: unsignedTxSchema,
  buildApproval: unsignedTxSchema,
  network: networkSchema,
  getReferenceDataInfo: referenceInfoSchema,
  getPortfolio: portfolioSchema,
  getOperatorApproval: operatorApprovalSchema,
  getOffer: bookOfferSchema,
  publishOffer: bookOfferSchema,
  buildMarketFill: unsignedTxSchema,
  recordDeliveryTransfer: deliverySchema,
  getDelivery: deliverySchema,
  getDeliveryProofs: proofsSchema,
} satisfies Partial<Record<ApiOperationName, z.ZodType>>;

/** true when every value `Api` allows is a `Sdk`, and both have the same (top-level) properties. */
type Covers<Api, Sdk> = [Api] extends [Sdk]
  ? [Exclude<keyof Api, keyof Sdk> | Exclude<keyof Sdk, keyof Api>] extends [never]
    ? true
    : false
  : false;
type Replies = typeof REPLY_SCHEMAS;
/** Fails to compile when an operation's declared reply is not covered by the SDK's reply type. */
const REPLY_TYPES_MATCH: Record<keyof Replies, true> = null as unknown as {
  [K in keyof Replies]: Covers<z.output<Replies[K]>, ApiOperationTypes[K]["reply"]>;
};
void REPLY_TYPES_MATCH;

// ---------------------------------------------------------------------------------------------------------------
// Run time: properties of the SDK's types, exhaustively (the compiler refuses a missing or unknown key)
// ---------------------------------------------------------------------------------------------------------------

/** Each property of `T`, and whether `T` requires it. */
type Properties<T> = { [P in keyof T]-?: object extends Pick<T, P> ? "optional" : "required" };
const properties = <T>(p: Properties<T>): Record<string, "optional" | "required"> => p;

/** The SDK's request bodies, property by property. */
const BODIES: Partial<Record<ApiOperationName, Record<string, "optional" | "required">>> = {
  siweSignIn: properties<ApiOperationTypes["siweSignIn"]["body"]>({ message: "required", signature: "required" }),
  buildTransfer: properties<TransferRequest>({ from: "optional", to: "required", items: "required" }),
  buildRetirement: properties<RetireRequest>({
    holder: "optional",
    batchId: "required",
    amount: "required",
    beneficiaryName: "required",
    beneficiary: "optional",
    periodStart: "required",
    periodEnd: "required",
    scope3Category: "required",
    purpose: "optional",
  }),
  buildApproval: properties<ApiOperationTypes["buildApproval"]["body"]>({ operator: "required", approved: "required" }),
  relayTransaction: properties<ApiOperationTypes["relayTransaction"]["body"]>({ signedTransaction: "required" }),
  publishOffer: properties<PublishOfferRequest>({ offer: "required", signature: "required", signedFor: "optional" }),
  buildMarketFill: properties<MarketFillRequest>({
    offerHash: "required",
    amount: "required",
    batchId: "optional",
    onInvoice: "optional",
  }),
  recordDeliveryTransfer: properties<ApiOperationTypes["recordDeliveryTransfer"]["body"]>({ txHash: "required" }),
};

const R = "required" as const;
/** The SDK's reply types that are one object, property by property. */
const REPLIES: Partial<Record<ApiOperationName, Record<string, "optional" | "required">>> = {
  siweNonce: properties<SiweNonce>({ nonce: R, expiresAt: R, domain: R, uri: R, chainId: R }),
  siweSignIn: properties<SiweSession>({ token: R, address: R, expiresAt: R }),
  relayTransaction: properties<ApiOperationTypes["relayTransaction"]["reply"]>({ hash: R, function: R }),
  whoAmI: properties<Participant>({
    account: R,
    kind: R,
    status: R,
    name: R,
    hasCode: R,
    roles: R,
    accreditation: R,
  }),
  getParticipant: properties<Participant>({
    account: R,
    kind: R,
    status: R,
    name: R,
    hasCode: R,
    roles: R,
    accreditation: R,
  }),
  network: properties<Network>({
    chainId: R,
    chainName: R,
    registry: R,
    deployBlock: R,
    rpcUrl: R,
    dev: R,
    nativeCurrency: R,
  }),
  getReferenceDataInfo: properties<ReferenceDataInfo>({
    sha256: R,
    rows: R,
    methodVersion: R,
    paramsVersion: R,
    source: R,
  }),
  listParticipants: properties<ApiOperationTypes["listParticipants"]["reply"]>({ participants: R, index: R }),
  listReviews: properties<ApiOperationTypes["listReviews"]["reply"]>({ reviews: R }),
  getBalances: properties<Balances>({ account: R, balances: R, index: R }),
  getPortfolio: properties<Portfolio>({ account: R, batches: R, totals: R, index: R }),
  getOperatorApproval: properties<OperatorApproval>({ account: R, operator: R, approved: R, blockNumber: R }),
  listOffers: properties<ApiOperationTypes["listOffers"]["reply"]>({ offers: R }),
  listReservations: properties<ApiOperationTypes["listReservations"]["reply"]>({ reservations: R }),
  ...Object.fromEntries(
    (["getOffer", "publishOffer"] as const).map((k) => [
      k,
      properties<BookOffer>({
        hash: R,
        offer: R,
        signature: R,
        remaining: R,
        status: R,
        expiresAt: R,
        publishedAt: R,
      }),
    ]),
  ),
  ...Object.fromEntries(
    (["recordDeliveryTransfer", "getDelivery"] as const).map((k) => [
      k,
      properties<Delivery>({
        id: R,
        reference: R,
        referenceHash: R,
        itad: R,
        customer: R,
        state: R,
        delivered: R,
        certified: R,
        items: R,
        refused: R,
        transfer: R,
        summary: R,
        createdAt: R,
        links: R,
      }),
    ]),
  ),
  listDeliveries: properties<ApiOperationTypes["listDeliveries"]["reply"]>({ deliveries: R }),
  getDeliveryProofs: properties<DeliveryProofs>({
    deliveryId: R,
    reference: R,
    referenceHash: R,
    transfer: R,
    devices: R,
  }),
  ...Object.fromEntries(
    (["buildTransfer", "buildRetirement", "buildApproval", "buildMarketFill"] as const).map((k) => [
      k,
      properties<UnsignedTx>({
        from: R,
        to: R,
        data: R,
        value: R,
        chainId: R,
        gasPrice: "optional",
        gasLimit: R,
        description: R,
      }),
    ]),
  ),
  ...Object.fromEntries(
    (["verifyRetirement", "getRetirement"] as const).map((k) => [
      k,
      properties<RetirementVerification>({
        retirementId: R,
        verified: R,
        verdict: R,
        summary: R,
        claimStatus: R,
        chain: R,
        claim: R,
        proof: R,
        batch: R,
        totals: R,
        checks: R,
        statement: R,
      }),
    ]),
  ),
  getCertificateBatch: properties<CertificateBatch>({
    batchId: R,
    category: R,
    issued: R,
    retired: R,
    outstanding: R,
    cancelled: R,
    status: R,
    hold: R,
    statusDetail: R,
    reversal: R,
    baselineKgPerDevice: R,
    reductionKgPerDevice: R,
    certifiedIntensityKgPerDevice: R,
    baselineGrams: R,
    reductionGrams: R,
    vintageStart: R,
    vintageEnd: R,
    methodology: R,
    parameters: R,
    owner: R,
    ownerName: R,
    reportHash: R,
    referenceDataHash: R,
    deviceRoot: R,
    sampleHash: R,
    evidenceURI: R,
    auditors: R,
    signers: R,
    issuance: R,
    metadataURI: R,
  }),
};

/** The SDK's types of list items, property by property, against the document's component of that name. */
const COMPONENTS: Record<string, Record<string, "optional" | "required">> = {
  MarketReservation: properties<MarketReservation>({
    reservationId: R,
    offerHash: R,
    seller: R,
    buyer: R,
    batchId: R,
    amount: R,
    price: R,
    expiresAt: R,
    status: R,
    expired: R,
    openedIn: R,
  }),
  IndexedParticipant: properties<IndexedParticipant>({
    account: R,
    name: R,
    kind: R,
    status: R,
    admittedBlock: R,
    admittedAt: R,
    updatedBlock: R,
    updatedAt: R,
  }),
  Review: properties<Review>({
    batchId: R,
    lotId: R,
    category: R,
    state: R,
    devices: R,
    certificates: R,
    baselineKg: R,
    reductionKg: R,
    submittedAt: R,
    deadline: R,
    digest: R,
    signatures: R,
    threshold: R,
    mine: R,
    sample: R,
    links: R,
  }),
};

// ---------------------------------------------------------------------------------------------------------------

interface JsonSchema {
  $ref?: string;
  type?: string;
  properties?: Record<string, unknown>;
  required?: string[];
}
interface Operation {
  operationId: string;
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
}

describe("SDK API client against the OpenAPI document", function () {
  const doc = buildOpenApi({ publicUrl: "http://127.0.0.1:8080" } as AppDeps) as unknown as {
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, JsonSchema> };
  };
  const resolve = (s: JsonSchema): JsonSchema => {
    if (s.$ref === undefined) return s;
    const name = s.$ref.replace("#/components/schemas/", "");
    expect(doc.components.schemas, s.$ref).to.have.property(name);
    return resolve(doc.components.schemas[name]!);
  };
  /** Each property of an object schema, and whether the document requires it. */
  const propertiesOf = (s: JsonSchema) =>
    Object.fromEntries(Object.keys(s.properties ?? {}).map((p) => [p, s.required?.includes(p) ? R : "optional"]));
  const operation = (name: ApiOperationName): Operation => {
    const { method, path } = API_OPERATIONS[name];
    const op = doc.paths[path]?.[method.toLowerCase()];
    expect(op, `${method} ${path} is in the document`).to.not.equal(undefined);
    return op!;
  };
  const success = (op: Operation): JsonSchema => {
    const [, response] = Object.entries(op.responses).find(([status]) => /^2\d\d$/.test(status))!;
    return resolve(response.content!["application/json"]!.schema!);
  };

  for (const name of Object.keys(API_OPERATIONS) as ApiOperationName[]) {
    const { method, path } = API_OPERATIONS[name];
    it(`${name}: ${method} ${path} is the document's operation, with its path parameters and body`, function () {
      const op = operation(name);
      expect(op.operationId).to.equal(name);
      const inTemplate = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const inDocument = (op.parameters ?? [])
        .filter((p) => p.in === "path")
        .map((p) => p.name)
        .sort();
      expect(inTemplate).to.deep.equal(inDocument);
      expect(op.requestBody !== undefined, "a body exactly when the client sends one").to.equal(method !== "GET");
      const body = BODIES[name];
      if (method !== "GET") {
        expect(body, `the test lists ${name}'s body`).to.not.equal(undefined);
        expect(body).to.deep.equal(propertiesOf(resolve(op.requestBody!.content["application/json"]!.schema)));
      }
    });
  }

  it("the replies the SDK types property by property have the document's properties, required alike", function () {
    for (const [name, sdk] of Object.entries(REPLIES) as [ApiOperationName, Record<string, string>][]) {
      expect(sdk, name).to.deep.equal(propertiesOf(success(operation(name))));
    }
  });

  it("the list items the SDK types have the document's properties, required alike", function () {
    for (const [name, sdk] of Object.entries(COMPONENTS)) {
      expect(sdk, name).to.deep.equal(propertiesOf(resolve({ $ref: `#/components/schemas/${name}` })));
    }
  });

  it("the reply schemas checked at compile time are the ones the document names", function () {
    for (const [name, schema] of Object.entries(REPLY_SCHEMAS) as [ApiOperationName, z.ZodType][]) {
      const id = z.globalRegistry.get(schema)?.id;
      expect(id, `${name}'s reply schema has a component name`).to.be.a("string");
      const { method, path } = API_OPERATIONS[name];
      const [, response] = Object.entries(operation(name).responses).find(([status]) => /^2\d\d$/.test(status))!;
      expect(response.content!["application/json"]!.schema!.$ref, `${method} ${path}`).to.equal(
        `#/components/schemas/${id}`,
      );
    }
  });

  it("fills path parameters, URI-encoded", function () {
    expect(operationPath("verifyRetirement", { id: 12n })).to.equal("/verify/retirements/12");
    expect(operationPath("getBalances", { address: "0xAb" })).to.equal("/accounts/0xAb/balances");
    expect(operationPath("getParticipant", { address: "a/b c" })).to.equal("/participants/a%2Fb%20c");
  });
});
