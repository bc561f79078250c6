/**
 * Deploys the I-TEC registry — first its ITECRegistryExtension (governance, fraud proofs and the register's views,
 * which deploys the metadata renderer), then the registry that delegates to it — registers ITEC-CALC 1.0 /
 * ITEC-PARAMS-1 and grants the issuer role to the oracle.
 * Parameters (ignition/parameters/*.json or --parameters): issuer (default: account #1), externalBaseURI (required:
 * the registry's public base for token metadata links, e.g. "https://registry.example.org/verify/batches/" — the
 * documents and the CLI print verify links from it, so no default that could point at another registry),
 * adminDelay (seconds a change of admin waits between its two steps; default 172800 = 2 days).
 *
 * The deploying account becomes the registry admin: the module's own setup calls need the admin role, and Ignition
 * sends every call from the deployer. Admin, issuer and auditors must be separate accounts (the contract refuses
 * one account in two of these roles), so `issuer` must not be the deployer. To hand the registry to another admin
 * (e.g. a multisig) afterwards, in two steps (OpenZeppelin AccessControlDefaultAdminRules): from the deployer
 * `beginDefaultAdminTransfer(newAdmin)`, then, once `adminDelay` has passed, from the new admin
 * `acceptDefaultAdminTransfer()` (network/besu/README.md §6). `grantRole(DEFAULT_ADMIN_ROLE, …)` is refused.
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { id } from "ethers";

import { itecRegistryArtifact, itecRegistryExtensionArtifact } from "../../sdk/src/abi.ts";

export const METHODOLOGY = "ITEC-CALC 1.0";
export const PARAMETERS = "ITEC-PARAMS-1";
export const ISSUER_ROLE = id("ITEC_ISSUER_ROLE");
/** Default wait between the two steps of an admin transfer: 2 days, in seconds. */
export const DEFAULT_ADMIN_DELAY = 172_800n;

export default buildModule("ITECRegistry", (m) => {
  const admin = m.getAccount(0);
  const issuer = m.getParameter("issuer", m.getAccount(1));
  const externalBaseURI = m.getParameter<string>("externalBaseURI");
  const adminDelay = m.getParameter("adminDelay", DEFAULT_ADMIN_DELAY);

  // The committed artifacts (sdk/src/abi.ts, checked against the compiler by test/contracts/abi.test.ts): the
  // bytecode that was reviewed is the bytecode deployed, and a fresh clone's `npm start` deploys without compiling.
  const extension = m.contract("ITECRegistryExtension", itecRegistryExtensionArtifact, []);
  const registry = m.contract("ITECRegistry", itecRegistryArtifact, [admin, adminDelay, externalBaseURI, extension]);
  m.call(registry, "registerMethodology", [METHODOLOGY, PARAMETERS]);
  m.call(registry, "grantRole", [ISSUER_ROLE, issuer], { id: "grantIssuer" });
  return { registry, extension };
});
