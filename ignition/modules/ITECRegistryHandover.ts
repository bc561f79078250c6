/**
 * A deployment with a handover: deploys the ITECRegistry module (deployer as admin, for its setup calls) and
 * begins handing the registry to the configured admin — e.g. a multisig — in OpenZeppelin
 * AccessControlDefaultAdminRules' two steps. The new admin completes it with `acceptDefaultAdminTransfer()` once the
 * registry's `adminDelay` has passed; until then the deployer stays admin and can `cancelDefaultAdminTransfer()`.
 *
 * Why a module of its own: the ITECRegistry module's setup calls need the deployer to be admin, and an Ignition
 * module cannot branch on a parameter's value, so "hand over only if another admin is configured" is this module,
 * deployed or not. Parameters: ITECRegistryHandover.admin (required), plus the ITECRegistry module's.
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import ITECRegistryModule from "./ITECRegistry.ts";

export default buildModule("ITECRegistryHandover", (m) => {
  const { registry, extension } = m.useModule(ITECRegistryModule);
  const admin = m.getParameter<string>("admin");
  m.call(registry, "beginDefaultAdminTransfer", [admin], { id: "beginAdminHandover" });
  return { registry, extension };
});
