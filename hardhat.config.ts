import hardhatToolboxMochaEthersPlugin from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";

/**
 * The compiler comes from the npm `solc` package (wasm), pinned to exactly this
 * version in package.json: no compiler download ever happens (see docs/adr/0001).
 * The path must be absolute.
 */
const SOLC_VERSION = "0.8.28";
const solcPath = new URL("node_modules/solc/soljson.js", import.meta.url).pathname;

export default defineConfig({
  plugins: [hardhatToolboxMochaEthersPlugin],
  solidity: {
    version: SOLC_VERSION,
    path: solcPath,
    settings: {
      // OpenZeppelin >= 5.4 uses `mcopy`; the production chain (Besu QBFT) runs Cancun rules.
      evmVersion: "cancun",
      optimizer: { enabled: true, runs: 10_000 },
      viaIR: true,
    },
  },
  // QBFT (and the embedded chain) finalise immediately: one confirmation is enough for deployments.
  ignition: { requiredConfirmations: 1 },
  paths: {
    tests: { mocha: "test", solidity: "test/contracts" },
    // `npm start` keeps Ignition's deployment journal in its data directory (ITEC_IGNITION_DIR).
    ...(process.env.ITEC_IGNITION_DIR ? { ignition: process.env.ITEC_IGNITION_DIR } : {}),
  },
  test: {
    mocha: { timeout: 120_000 },
  },
  networks: {
    // The in-process simulator used by tests: same rules as production.
    hardhat: {
      type: "edr-simulated",
      chainType: "l1",
      hardfork: "cancun",
      chainId: 1337,
      // Besu QBFT runs with a zero base fee; tests keep EIP-1559 pricing so gas is measured honestly.
    },
    // The embedded registry node started by `npm start` (or any node on loopback).
    localhost: {
      type: "http",
      chainType: "l1",
      url: "http://127.0.0.1:8545",
    },
    // A Hyperledger Besu QBFT network; URL and deployer key come from config variables, never the repo.
    besu: {
      type: "http",
      chainType: "l1",
      url: configVariable("ITEC_BESU_RPC_URL"),
      accounts: [configVariable("ITEC_BESU_DEPLOYER_KEY")],
      gasPrice: 0,
    },
  },
});
