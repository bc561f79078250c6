/**
 * TEST ONLY: deploys the ITECMarket module and a permissioned TEST settlement token (contracts/market/
 * PermissionedToken.sol — it represents no money) whose admin is the deploying account, and admits the token on
 * the market. Production uses the tokenised deposit or stablecoin the operator chose, admitted with
 * `setTokenAdmitted` by the registry's admin. Parameters: the ITECMarket module's, plus ITECMarketTestToken.name,
 * .symbol and .decimals (default "I-TEC Test Deposit (no value)", "tdEUR", 6).
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { permissionedTokenArtifact } from "../../sdk/src/market/abi.ts";
import ITECMarketModule from "./ITECMarket.ts";

export const TEST_TOKEN = { name: "I-TEC Test Deposit (no value)", symbol: "tdEUR", decimals: 6 } as const;

export default buildModule("ITECMarketTestToken", (m) => {
  const { market } = m.useModule(ITECMarketModule);
  const admin = m.getAccount(0);
  const token = m.contract("PermissionedToken", permissionedTokenArtifact, [
    m.getParameter("name", TEST_TOKEN.name),
    m.getParameter("symbol", TEST_TOKEN.symbol),
    m.getParameter("decimals", TEST_TOKEN.decimals),
    admin,
  ]);
  m.call(market, "setTokenAdmitted", [token, true], { id: "admitTestToken" });
  return { market, token };
});
