import hardhatToolboxMochaEthersPlugin from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";
import type { HardhatPlugin } from "hardhat/types/plugins";

import { refuseDevKeyOffDevChain } from "./core/keys.ts";

/**
 * The compiler comes from the npm `solc` package (wasm), pinned to exactly this
 * version in package.json: no compiler download ever happens (see docs/adr/0001).
 * The path must be absolute.
 */
const SOLC_VERSION = "0.8.28";
const solcPath = new URL("node_modules/solc/soljson.js", import.meta.url).pathname;

/**
 * One compiler configuration for every build profile. Hardhat 3 builds `npm run build` and the tests with the
 * `default` profile but `hardhat ignition deploy` with `production`, which it otherwise derives from the bare
 * version (its own optimizer defaults, no viaIR, no evmVersion, isolated jobs): the registry then does not even
 * compile ("Stack too deep" without viaIR), and if it did, the deployed bytecode would differ from the reviewed
 * artifact. test/e2e/deploy-url.test.ts deploys with the documented command and compares the code on chain with
 * the artifact `npm run build` makes.
 */
const compiler = {
  version: SOLC_VERSION,
  path: solcPath,
  // What else differs between the two profiles by default: production compiles each file in its own job and
  // records Hardhat's version in the build info, which is part of the build id, so each profile would recompile
  // everything (~1.5 min) after the other. Same jobs, same ids: a deployment after `npm run build` compiles nothing.
  isolated: false,
  toolVersionsInBuildInfo: false,
  // `optimizer` first: Hardhat merges the production profile's own optimizer default in before these settings, and
  // the build id hashes the settings' JSON text, key order included.
  settings: {
    optimizer: { enabled: true, runs: 10_000 },
    // OpenZeppelin >= 5.4 uses `mcopy`; the production chain (Besu QBFT) runs Cancun rules.
    evmVersion: "cancun",
    viaIR: true,
  },
};

/**
 * Hardhat's test accounts are public keys: a deployment to a network that is not a development chain (chain id
 * other than 31337/1337) with one of them as its account — e.g. a test key pasted into ITEC_BESU_DEPLOYER_KEY — is
 * refused as the connection opens, before anything is sent (core/keys.ts; the oracle and the CLI refuse them too).
 */
const devKeyGuard: HardhatPlugin = {
  id: "itec-dev-key-guard",
  hookHandlers: {
    network: () =>
      Promise.resolve({
        default: () =>
          Promise.resolve({
            async newConnection(context, next) {
              const connection = await next(context);
              if (connection.networkConfig.type !== "http") return connection;
              const chainId = BigInt((await connection.provider.request({ method: "eth_chainId" })) as string);
              const accounts = (await connection.provider.request({ method: "eth_accounts" })) as string[];
              for (const address of accounts) {
                refuseDevKeyOffDevChain({ address }, chainId, `the account of network "${connection.networkName}"`);
              }
              return connection;
            },
          }),
      }),
  },
};

export default defineConfig({
  plugins: [hardhatToolboxMochaEthersPlugin, devKeyGuard],
  solidity: {
    profiles: { default: compiler, production: compiler },
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
