/**
 * Deploys the I-TEC market (contracts/market/ITECMarket.sol, docs/market.md) for an existing registry and admits it
 * there as a participant (kind Trader), which its transfers require. The deploying account must be the registry's
 * admin (the ITECRegistry module's deployer, before any handover). Sellers then approve the market as operator
 * (`setApprovalForAll`), and the registry's admin admits settlement tokens (`setTokenAdmitted`) — the
 * ITECMarketTestToken module does so for the TEST token.
 * Parameters: ITECMarket.registry (required): the registry's address; ITECMarket.name: the market's participant
 * name (default "I-TEC Market").
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { itecRegistryArtifact } from "../../sdk/src/abi.ts";
import { itecMarketArtifact } from "../../sdk/src/market/abi.ts";

/** ParticipantKind.Trader: the market acts for others and holds certificates only in escrow. */
export const MARKET_PARTICIPANT_KIND = 4;

export default buildModule("ITECMarket", (m) => {
  const registryAddress = m.getParameter<string>("registry");
  const name = m.getParameter("name", "I-TEC Market");
  const registry = m.contractAt("ITECRegistry", itecRegistryArtifact, registryAddress);
  // The committed artifact (sdk/src/market/abi.ts, checked against the compiler by test/contracts/market-abi.test.ts).
  const market = m.contract("ITECMarket", itecMarketArtifact, [registry]);
  m.call(registry, "admitParticipant", [market, MARKET_PARTICIPANT_KIND, name], { id: "admitMarket" });
  return { market };
});
