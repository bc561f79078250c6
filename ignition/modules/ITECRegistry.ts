/**
 * Deploys the I-TEC registry, registers ITEC-CALC 1.0 / ITEC-PARAMS-1 and grants the issuer role to the oracle.
 * Parameters (ignition/parameters/*.json or --parameters): issuer (default: account #1), externalBaseURI (required:
 * the registry's public base for token metadata links, e.g. "https://registry.example.org/verify/batches/" — the
 * documents and the CLI print verify links from it, so no default that could point at another registry).
 *
 * The deploying account becomes the registry admin: the module's own setup calls need the admin role, and Ignition
 * sends every call from the deployer. To hand the registry to another admin (e.g. a multisig) afterwards:
 * `grantRole(DEFAULT_ADMIN_ROLE, newAdmin)`, then from the deployer `renounceRole(DEFAULT_ADMIN_ROLE, deployer)`
 * (network/besu/README.md §6).
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { id } from "ethers";

import { itecRegistryArtifact } from "../../sdk/src/abi.ts";

export const METHODOLOGY = "ITEC-CALC 1.0";
export const PARAMETERS = "ITEC-PARAMS-1";
export const ISSUER_ROLE = id("ITEC_ISSUER_ROLE");

export default buildModule("ITECRegistry", (m) => {
  const admin = m.getAccount(0);
  const issuer = m.getParameter("issuer", m.getAccount(1));
  const externalBaseURI = m.getParameter<string>("externalBaseURI");

  // The committed artifact (sdk/src/abi.ts, checked against the compiler by test/contracts/abi.test.ts): the bytecode
  // that was reviewed is the bytecode deployed, and a fresh clone's `npm start` deploys without compiling.
  const registry = m.contract("ITECRegistry", itecRegistryArtifact, [admin, externalBaseURI]);
  m.call(registry, "registerMethodology", [METHODOLOGY, PARAMETERS]);
  m.call(registry, "grantRole", [ISSUER_ROLE, issuer], { id: "grantIssuer" });
  return { registry };
});
