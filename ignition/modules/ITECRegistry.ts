/**
 * Deploys the I-TEC registry — first its ITECRegistryExtension (governance, fraud proofs and the register's views,
 * which deploys the metadata renderer), then the registry that delegates to it — registers ITEC-CALC 1.0 /
 * ITEC-PARAMS-1 and grants the issuer role to the configured issuer.
 * Parameters (a JSON file given with --parameters, see network/besu/README.md §6):
 * - issuer (required): the address the oracle signs with. No default: the deploying account cannot be it (the
 *   contract refuses one account as admin and issuer), and "another account of this node" does not exist when a
 *   deployment runs over HTTP with the one deployer key (Ignition then fails with HHE10723 for `getAccount(1)`);
 * - externalBaseURI (required): the registry's public base for token metadata links, e.g.
 *   "https://registry.example.org/verify/batches/" — the documents and the CLI print verify links from it, so no
 *   default that could point at another registry;
 * - adminDelay: seconds a change of admin waits between its two steps (default 172800 = 2 days).
 *
 * The admin is the deploying account (`ITEC_BESU_DEPLOYER_KEY` for `--network besu`), not a parameter: the module's
 * own setup calls need the admin role and Ignition sends every call from the deployer, and an admin given here that
 * differs from the deployer could not make them. Admin, issuer and auditors must be separate accounts. To hand the
 * registry to another admin (e.g. a multisig) afterwards, in two steps (OpenZeppelin
 * AccessControlDefaultAdminRules): from the deployer `beginDefaultAdminTransfer(newAdmin)`, then, once `adminDelay`
 * has passed, from the new admin `acceptDefaultAdminTransfer()` (network/besu/README.md §6).
 * `grantRole(DEFAULT_ADMIN_ROLE, …)` is refused.
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
  const issuer = m.getParameter<string>("issuer");
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
