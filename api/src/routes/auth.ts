/** Sign-In with Ethereum (EIP-4361): a nonce, a signed message exchanged for a session token, who is signed in. */
import { z } from "zod";

import type { AppDeps } from "../deps.ts";
import { meExample, nonceExample, sessionExample, signInExample } from "../examples/wallet.ts";
import { checksumAddress, participantSchema } from "../responses.ts";
import { defineRoute, type RouteSpec } from "../route/define.ts";
import { hexData, uintString } from "../schemas.ts";

export function authRoutes(deps: AppDeps): RouteSpec[] {
  return [
    defineRoute({
      method: "get",
      path: "/auth/nonce",
      operationId: "siweNonce",
      summary: "A single-use nonce for a Sign-In with Ethereum (EIP-4361) message",
      tags: ["auth"],
      limit: "auth",
      responses: {
        200: {
          description: "Nonce and what the message must say",
          schema: z.object({
            nonce: z.string(),
            expiresAt: z.iso.datetime(),
            domain: z.string(),
            uri: z.url(),
            chainId: uintString,
          }),
          example: nonceExample,
        },
      },
      handler: async () => ({
        body: {
          ...(await deps.auth.issueNonce()),
          domain: new URL(deps.publicUrl).host,
          uri: deps.publicUrl,
          chainId: deps.chain.chainId.toString(),
        },
      }),
    }),
    defineRoute({
      method: "post",
      path: "/auth/siwe",
      operationId: "siweSignIn",
      summary: "Exchange a signed EIP-4361 message for a short-lived bearer token",
      description:
        "Any key may sign in (the web app shows a new account its standing); what it may do is read from the " +
        "chain per request. The message is parsed by EIP-4361's grammar: each field once, in order, a decimal " +
        "chain id, the optional `scheme://` before the domain, and a URI on this registry's origin (GET /auth/nonce).",
      tags: ["auth"],
      limit: "auth",
      body: z.object({ message: z.string().min(1).max(4000), signature: hexData }),
      example: { body: signInExample },
      responses: {
        200: {
          description: "Token",
          schema: z.object({ token: z.string(), address: checksumAddress, expiresAt: z.iso.datetime() }),
          example: sessionExample,
        },
        401: { description: "Refused (domain, URI, chain, nonce, expiry or signature)" },
      },
      problems: [
        "SIWE_MALFORMED",
        "SIWE_DOMAIN",
        "SIWE_CHAIN",
        "SIWE_EXPIRED",
        "SIWE_NOT_YET_VALID",
        "SIWE_STALE",
        "SIWE_NONCE",
        "SIWE_SIGNATURE",
        "SIWE_URI",
      ],
      handler: async ({ body }) => ({ body: await deps.auth.signIn(body.message, body.signature) }),
    }),
    defineRoute({
      method: "get",
      path: "/auth/me",
      operationId: "whoAmI",
      summary: "The signed-in account and its roles, read from the chain now",
      tags: ["auth"],
      auth: "session",
      responses: { 200: { description: "Account", schema: participantSchema, example: meExample } },
      handler: async ({ session }) => ({ body: await deps.reads.participant(session!.address) }),
    }),
  ];
}
