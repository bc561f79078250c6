/**
 * Besu generator, security: open RPC refused unless acknowledged (and then flagged loudly), operator namespaces never
 * public, TLS and JWT options, the accounts allowlist, and a chain id that cannot be mistaken for a dev chain's.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { expect } from "chai";
import { SigningKey } from "ethers";

import { generateNetwork } from "../../network/besu/network.ts";
import { DEV_CHAIN_IDS, LOCAL_CHAIN_ID } from "../../network/besu/resolve.ts";
import { configOf, expectInvalid, fileOf, readToml, runCli, SPREAD } from "./besu-helpers.ts";

const ADMIN = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const ISSUER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

describe("Besu generator: security", function () {
  describe("open RPC", function () {
    it("refuses the open-validator recipe (0.0.0.0, any Host, any origin) without --insecure-rpc", function () {
      const error = expectInvalid(
        { dev: true, rpcHost: "0.0.0.0", hostAllowlist: "*", rpcCorsOrigins: "*", rpcApis: "ETH,NET,WEB3" },
        "--rpc-host 0.0.0.0 exposes the validators' JSON-RPC",
        '--host-allowlist "*"',
        '--rpc-cors-origins "*"',
        "refused without --insecure-rpc",
      );
      expect((error.details?.["issues"] as unknown[]).length).to.equal(3);
      expectInvalid({ dev: true, rpcNodeHostAllowlist: "*" }, '--rpc-node-host-allowlist "*"');
      expectInvalid({ dev: true, rpcNodeCorsOrigins: "*" }, '--rpc-node-cors-origins "*"');
    });

    it("never serves QBFT, PERM or TXPOOL off loopback, even with --insecure-rpc", function () {
      expectInvalid(
        { dev: true, rpcHost: "0.0.0.0", insecureRpc: true },
        "--rpc-api QBFT,PERM are never served on a non-loopback interface",
      );
      expectInvalid({ dev: true, rpcHost: "10.0.0.1", insecureRpc: true, rpcApis: "ETH,TXPOOL" }, "TXPOOL are never");
    });

    it("with --insecure-rpc, writes it but says so in the warnings, the configs and network.json", function () {
      const network = generateNetwork({
        dev: true,
        rpcHost: "0.0.0.0",
        hostAllowlist: "*",
        rpcApis: "ETH,NET,WEB3",
        insecureRpc: true,
      });
      expect(network.warnings.filter((w) => w.startsWith("INSECURE RPC"))).to.have.length(2);
      expect(configOf(network, "validator-1")).to.include({ "rpc-http-host": "0.0.0.0" });
      expect(fileOf(network, "validator-1/config.toml")).to.include("WARNING: INSECURE RPC");
      expect(fileOf(network, "rpc-1/config.toml")).to.not.include("INSECURE RPC");
      expect(network.summary.insecureRpc).to.equal(true);
    });

    it("keeps validators on loopback with the operators' namespaces by default", function () {
      const config = configOf(generateNetwork({ ...SPREAD, dev: true }), "validator-3");
      expect(config).to.include({ "rpc-http-host": "127.0.0.1" });
      expect(config["rpc-http-api"]).to.deep.equal(["ETH", "NET", "WEB3", "QBFT", "PERM"]);
      expect(config["host-allowlist"]).to.deep.equal(["localhost", "127.0.0.1"]);
      expect(config).to.not.have.property("rpc-http-cors-origins");
    });
  });

  describe("TLS and JWT", function () {
    const secured = generateNetwork({
      ...SPREAD,
      dev: true,
      rpcTlsKeystoreFile: "/etc/besu/rpc.p12",
      rpcTlsKeystorePasswordFile: "/etc/besu/rpc.pass",
      rpcJwtPublicKeyFile: "/etc/besu/jwt.pub.pem",
      rpcJwtAlgorithm: "es256",
    });

    it("secure rpc-1 with Besu's rpc-http-tls-* and rpc-http-authentication-jwt-* options", function () {
      expect(configOf(secured, "rpc-1")).to.include({
        "rpc-http-tls-enabled": true,
        "rpc-http-tls-keystore-file": "/etc/besu/rpc.p12",
        "rpc-http-tls-keystore-password-file": "/etc/besu/rpc.pass",
        "rpc-http-authentication-enabled": true,
        "rpc-http-authentication-jwt-public-key-file": "/etc/besu/jwt.pub.pem",
        "rpc-http-authentication-jwt-algorithm": "ES256",
      });
      expect(secured.summary.rpcNode?.rpcUrl).to.equal("https://10.0.0.5:8545");
      expect(secured.warnings.join(" ")).to.not.include("plain HTTP");
    });

    it("leave the loopback validator RPC without them (its operators call it on the host)", function () {
      const config = configOf(secured, "validator-1");
      expect(config).to.not.have.property("rpc-http-tls-enabled");
      expect(config).to.not.have.property("rpc-http-authentication-enabled");
      expect(secured.summary.validators[0]?.rpcUrl).to.equal("http://127.0.0.1:8545");
    });

    it("are refused half-given, and the JWT algorithm is checked", function () {
      expectInvalid(
        { dev: true, rpcTlsKeystoreFile: "/k.p12" },
        "--rpc-tls-keystore-file and --rpc-tls-keystore-password-file go together",
      );
      expectInvalid({ dev: true, rpcJwtAlgorithm: "RS256" }, "--rpc-jwt-algorithm needs --rpc-jwt-public-key-file");
      expectInvalid(
        { dev: true, rpcJwtPublicKeyFile: "/k.pem", rpcJwtAlgorithm: "none" },
        "--rpc-jwt-algorithm must be one of",
      );
      expectInvalid({ dev: true, rpcJwtPublicKeyFile: 'a"b' }, "--rpc-jwt-public-key-file not a plain file path");
    });
  });

  describe("accounts allowlist", function () {
    it("writes the given senders and turns account permissioning on in every node", function () {
      const network = generateNetwork({ dev: true, accountsAllowlist: [ADMIN.toLowerCase(), ISSUER, ADMIN] });
      const permissions = readToml(fileOf(network, "permissions_config.toml"));
      expect(permissions["accounts-allowlist"]).to.deep.equal([ADMIN, ISSUER]);
      for (const name of ["validator-1", "validator-4", "rpc-1"]) {
        expect(configOf(network, name)).to.include({
          "permissions-accounts-config-file-enabled": true,
          "permissions-accounts-config-file": "../permissions_config.toml",
        });
      }
      expect(fileOf(network, "permissions_config.toml")).to.include("perm_reloadPermissionsFromFile");
      expect(network.summary.accountsAllowlist).to.deep.equal([ADMIN, ISSUER]);
    });

    it("is absent unless asked, with a warning when the network is not local", function () {
      const local = generateNetwork({ dev: true });
      expect(readToml(fileOf(local, "permissions_config.toml"))).to.not.have.property("accounts-allowlist");
      expect(configOf(local, "validator-1")).to.not.have.property("permissions-accounts-config-file-enabled");
      expect(local.warnings).to.deep.equal([]);
      const { accountsAllowlist: _none, ...open } = SPREAD;
      expect(generateNetwork({ ...open, dev: true }).warnings.join(" ")).to.include("no --accounts-allowlist");
      expectInvalid({ accountsAllowlist: "0x1234" }, "--accounts-allowlist not an account address");
    });

    it("warns when private keys for other hosts are made here, or dev keys leave loopback", function () {
      expect(generateNetwork(SPREAD).warnings.join(" ")).to.include("use --public-keys so that none leaves a host");
      expect(generateNetwork({ ...SPREAD, dev: true }).warnings.join(" ")).to.include("--dev keys on a network");
      expect(generateNetwork({ dev: true }).warnings).to.deep.equal([]);
    });
  });

  describe("chain id", function () {
    it("defaults to LOCAL_CHAIN_ID (not a dev chain's 1337) when every node is on loopback", function () {
      expect(generateNetwork({ dev: true }).genesis.config.chainId).to.equal(LOCAL_CHAIN_ID);
      expect(DEV_CHAIN_IDS).to.not.include(LOCAL_CHAIN_ID);
      expect(LOCAL_CHAIN_ID).to.equal(0x49544543); // "ITEC"
    });

    it("is required off loopback, and a dev chain's id is refused there", function () {
      const { chainId: _none, ...noChainId } = SPREAD;
      expectInvalid(noChainId, "--chain-id is required when the nodes are not all on loopback");
      expectInvalid({ ...SPREAD, chainId: 1337 }, "--chain-id 1337 is a development chain id");
      expectInvalid({ ...SPREAD, chainId: 31337 }, "--chain-id 31337 is a development chain id");
      expect(generateNetwork({ dev: true, rpcNode: false, chainId: 1337 }).genesis.config.chainId).to.equal(1337);
      // An rpc-1 off loopback makes the network non-local too.
      expectInvalid({ dev: true, rpcNodeHost: "10.0.0.9" }, "--chain-id is required");
    });
  });

  describe("the CLI", function () {
    let dir: string;
    beforeEach(async function () {
      dir = await mkdtemp(path.join(os.tmpdir(), "itec-besu-sec-"));
    });
    afterEach(async function () {
      await rm(dir, { recursive: true, force: true });
    });

    it("refuses open RPC in one line, and prints each warning on stderr when acknowledged", async function () {
      const refused = runCli([
        "--out",
        path.join(dir, "a"),
        "--dev",
        "--rpc-host",
        "0.0.0.0",
        "--rpc-api",
        "ETH,NET,WEB3",
      ]);
      expect(refused.status).to.equal(1);
      expect(refused.stderr.trim().split("\n")).to.have.length(1);
      expect(refused.stderr).to.include("refused without --insecure-rpc");

      const out = path.join(dir, "b");
      const open = runCli([
        "--out",
        out,
        "--dev",
        "--rpc-host",
        "0.0.0.0",
        "--rpc-api",
        "ETH,NET,WEB3",
        "--insecure-rpc",
        "--json",
      ]);
      expect(open.status, open.stderr).to.equal(0);
      expect(open.stderr).to.include("WARNING: INSECURE RPC (--insecure-rpc)");
      expect(JSON.parse(open.stdout)).to.include({ insecureRpc: true });
      expect(await readFile(path.join(out, "validator-1/config.toml"), "utf8")).to.include("WARNING: INSECURE RPC");
    });

    it("takes public keys and an accounts allowlist, and writes no private key", async function () {
      const publicKeys = ["11", "22", "33", "44", "55"].map(
        (byte) => `0x${SigningKey.computePublicKey(`0x${byte.repeat(32)}`, false).slice(4)}`,
      );
      const out = path.join(dir, "hosts");
      const result = runCli([
        "--out",
        out,
        "--chain-id",
        "48151623",
        "--hosts",
        "10.0.0.1,10.0.0.2,10.0.0.3,10.0.0.4",
        "--p2p-ports",
        "30303",
        "--rpc-ports",
        "8545",
        "--metrics-ports",
        "9545",
        "--rpc-node-host",
        "10.0.0.5",
        "--public-keys",
        publicKeys.slice(0, 4).join(","),
        "--rpc-node-public-key",
        publicKeys[4] ?? "",
        "--accounts-allowlist",
        `${ADMIN},${ISSUER}`,
      ]);
      expect(result.status, result.stderr).to.equal(0);
      expect(result.stdout).to.include("public-key export");
      const summary = JSON.parse(await readFile(path.join(out, "network.json"), "utf8")) as {
        keysMadeOnHosts: boolean;
      };
      expect(summary.keysMadeOnHosts).to.equal(true);
      for (const name of ["validator-1", "rpc-1"]) {
        await readFile(path.join(out, name, "key")).then(
          () => expect.fail(`${name}/key must not exist`),
          (error: NodeJS.ErrnoException) => expect(error.code).to.equal("ENOENT"),
        );
      }
    });
  });
});
