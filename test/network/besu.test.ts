import { expect } from "chai";
import { computeAddress, encodeRlp, getAddress, SigningKey, zeroPadValue } from "ethers";

import { BesuNetworkError } from "../../network/besu/errors.ts";
import { decodeQbftExtraData, encodeQbftExtraData, genesisExtraData } from "../../network/besu/extra-data.ts";
import { QBFT_MIX_HASH } from "../../network/besu/genesis.ts";
import { devNodeKey, nodeKeyFromPrivateKey, parseEnodeUrl, randomNodeKey } from "../../network/besu/keys.ts";
import { generateNetwork } from "../../network/besu/network.ts";
import type { NetworkOptionsInput } from "../../network/besu/options.ts";
import { LOCAL_CHAIN_ID, parseNetworkOptions } from "../../network/besu/resolve.ts";
import { configOf, expectInvalid, fileOf, readToml } from "./besu-helpers.ts";

/**
 * Vector 1 — Besu documentation, "Configure QBFT consensus" › Extra data › Generate extra data: the `toEncode.json`
 * validators and the RLP that `besu rlp encode --type=QBFT_EXTRA_DATA` prints for them.
 * https://besu.hyperledger.org/private-networks/how-to/configure/consensus/qbft#generate-extra-data
 * (source: hyperledger/besu-docs, docs/private-networks/how-to/configure/consensus/qbft.md)
 */
const DOC_VALIDATORS = [
  "0x4592c8e45706cc08b8f44b11e43cba0cfc5892cb",
  "0x06e23768a0f59cf365e18c2e0c89e151bcdedc70",
  "0xc5327f96ee02d7bcbc1bf1236b8c15148971e1de",
  "0xab5e7f4061c605820d3744227eed91ff8e2c8908",
];
const DOC_EXTRA_DATA =
  "0xf87aa00000000000000000000000000000000000000000000000000000000000000000f854944592c8e45706cc08b8f44b11e43cba0cfc5892cb" +
  "9406e23768a0f59cf365e18c2e0c89e151bcdedc7094c5327f96ee02d7bcbc1bf1236b8c15148971e1de94ab5e7f4061c605820d3744227eed91ff8e2c8908c080c0";

/** Vector 2 — same page, "Genesis file" › block header validator selection: the example genesis's `extraData`. */
const DOC_GENESIS_EXTRA_DATA =
  "0xf87aa00000000000000000000000000000000000000000000000000000000000000000f8549464a702e6263b7297a96638cac6ae65e6541f4169" +
  "943923390ad55e90c237593b3b0e401f3b08a0318594aefdb9a738c9f433e5b6b212a6d62f6370c2f69294c7eeb9a4e00ce683cf93039b212648e01c6c6b78c080c0";

/** Vector 3 — same page, contract validator selection: no validators in `extraData`. */
const DOC_CONTRACT_EXTRA_DATA = "0xe5a00000000000000000000000000000000000000000000000000000000000000000c0c080c0";

/**
 * Vector 4 — Besu's own unit test, hyperledger/besu
 * consensus/qbft/src/test/java/org/hyperledger/besu/consensus/qbft/QbftExtraDataCodecTest.java, RAW_HEX_ENCODING_STRING:
 * vanity 0x01…0x20, validators 0x…01 and 0x…02, an add vote for 0x…01, round 0xFEDCBA and two seals
 * (r=1, s=10, v=0) and (r=10, s=1, v=0). It exercises the fields a genesis leaves empty.
 */
const BESU_CODEC_EXTRA_DATA =
  "0xf8f0a00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20ea940000000000000000" +
  "000000000000000000000001940000000000000000000000000000000000000002d7940000000000000000" +
  "00000000000000000000000181ff83fedcbaf886b841000000000000000000000000000000000000000000" +
  "0000000000000000000001000000000000000000000000000000000000000000000000000000000000000a" +
  "00b841000000000000000000000000000000000000000000000000000000000000000a0000000000000000" +
  "00000000000000000000000000000000000000000000000100";

const word = (n: number): string => zeroPadValue(`0x${n.toString(16).padStart(2, "0")}`, 32).slice(2);
const seal = (r: number, s: number, v: number): string => `0x${word(r)}${word(s)}${v.toString(16).padStart(2, "0")}`;
const address = (n: number): string => getAddress(zeroPadValue(`0x${n.toString(16).padStart(2, "0")}`, 20));
const BESU_CODEC_FIELDS = {
  vanity: `0x${Array.from({ length: 32 }, (_, i) => (i + 1).toString(16).padStart(2, "0")).join("")}`,
  validators: [address(1), address(2)],
  vote: { recipient: address(1), add: true },
  round: 0xfedcba,
  seals: [seal(1, 10, 0), seal(10, 1, 0)],
};

describe("Besu QBFT network generator", function () {
  describe("encodeQbftExtraData", function () {
    it("reproduces the Besu documentation's toEncode.json example byte for byte", function () {
      expect(encodeQbftExtraData({ validators: DOC_VALIDATORS })).to.equal(DOC_EXTRA_DATA);
      expect(genesisExtraData(DOC_VALIDATORS)).to.equal(DOC_EXTRA_DATA);
    });

    it("reproduces the extraData of the documentation's example genesis files", function () {
      const validators = [
        "0x64a702e6263b7297a96638cac6ae65e6541f4169",
        "0x3923390ad55e90c237593b3b0e401f3b08a03185",
        "0xaefdb9a738c9f433e5b6b212a6d62f6370c2f692",
        "0xc7eeb9a4e00ce683cf93039b212648e01c6c6b78",
      ];
      expect(genesisExtraData(validators)).to.equal(DOC_GENESIS_EXTRA_DATA);
      expect(genesisExtraData([])).to.equal(DOC_CONTRACT_EXTRA_DATA);
    });

    it("reproduces Besu's QbftExtraDataCodecTest encoding with a vote, a round and seals", function () {
      expect(encodeQbftExtraData(BESU_CODEC_FIELDS)).to.equal(BESU_CODEC_EXTRA_DATA);
    });

    it("accepts addresses in any case and keeps the validators' order", function () {
      const mixed = DOC_VALIDATORS.map((a) => getAddress(a));
      expect(genesisExtraData(mixed)).to.equal(DOC_EXTRA_DATA);
    });

    it("rejects a short vanity, a bad address, a bad round and a short seal", function () {
      const cases: [Parameters<typeof encodeQbftExtraData>[0], string][] = [
        [{ validators: [], vanity: "0x00" }, "vanity must be 32 bytes"],
        [{ validators: ["0x1234"] }, "validator 1 is not an address"],
        [{ validators: [], round: -1 }, "round must be an integer"],
        [{ validators: [], round: 2 ** 31 }, "round must be an integer"],
        [{ validators: [], seals: ["0x01"] }, "seal 1 must be 65 bytes"],
      ];
      for (const [input, message] of cases) {
        expect(() => encodeQbftExtraData(input))
          .to.throw(BesuNetworkError, message)
          .with.property("code", "INVALID_EXTRA_DATA");
      }
    });
  });

  describe("decodeQbftExtraData", function () {
    it("decodes the documentation's example to its validators, no vote, round 0 and no seals", function () {
      const decoded = decodeQbftExtraData(DOC_EXTRA_DATA);
      expect(decoded.vanity).to.equal(zeroPadValue("0x", 32));
      expect(decoded.validators).to.deep.equal(DOC_VALIDATORS.map((a) => getAddress(a)));
      expect(decoded.vote).to.equal(null);
      expect(decoded.round).to.equal(0);
      expect(decoded.seals).to.deep.equal([]);
    });

    it("decodes Besu's codec test vector to the fields it was built from", function () {
      expect(decodeQbftExtraData(BESU_CODEC_EXTRA_DATA)).to.deep.equal(BESU_CODEC_FIELDS);
    });

    it("round-trips decode(encode(x)) for genesis, add-vote and drop-vote data", function () {
      const samples = [
        {
          vanity: zeroPadValue("0x", 32),
          validators: DOC_VALIDATORS.map((a) => getAddress(a)),
          vote: null,
          round: 0,
          seals: [],
        },
        BESU_CODEC_FIELDS,
        {
          vanity: zeroPadValue("0x", 32),
          validators: [devNodeKey(1).address],
          vote: { recipient: devNodeKey(2).address, add: false },
          round: 1,
          seals: [seal(3, 4, 1)],
        },
        { ...BESU_CODEC_FIELDS, round: 2 ** 31 - 1 },
      ];
      for (const sample of samples) {
        const encoded = encodeQbftExtraData(sample);
        expect(decodeQbftExtraData(encoded)).to.deep.equal(sample);
        expect(encodeQbftExtraData(decodeQbftExtraData(encoded))).to.equal(encoded);
      }
    });

    it("rejects a fixed-width round, as Besu's readIntScalar does", function () {
      // Besu's incorrectlyEncodedRoundThrowsRlpException: round 0xDCBA written with a leading zero byte.
      const vanity = zeroPadValue("0x", 32);
      const minimal = encodeRlp([vanity, [], [address(1), "0xff"], "0xdcba", []]);
      const fixedWidth = encodeRlp([vanity, [], [address(1), "0xff"], "0x00dcba", []]);
      expect(decodeQbftExtraData(minimal).round).to.equal(0xdcba);
      expect(() => decodeQbftExtraData(fixedWidth)).to.throw(BesuNetworkError, "minimal integer scalar");
    });

    it("rejects bytes that are not QBFT extraData", function () {
      for (const bad of ["0x", "0x1234", "0xc0", encodeQbftExtraData({ validators: [] }).replace(/c0$/, "")]) {
        expect(() => decodeQbftExtraData(bad))
          .to.throw(BesuNetworkError)
          .with.property("code", "INVALID_EXTRA_DATA");
      }
    });
  });

  describe("node keys", function () {
    it("derives the address and the 64-byte enode id from the private key", function () {
      const key = randomNodeKey();
      expect(key.address).to.equal(computeAddress(key.privateKey));
      expect(`0x04${key.publicKey.slice(2)}`).to.equal(new SigningKey(key.privateKey).publicKey);
      expect(nodeKeyFromPrivateKey(key.privateKey)).to.deep.equal(key);
    });

    it("gives random keys by default and fixed, labelled dev keys on request", function () {
      expect(randomNodeKey().privateKey).to.not.equal(randomNodeKey().privateKey);
      expect(devNodeKey(1)).to.deep.equal(devNodeKey(1));
      expect(devNodeKey(1).address).to.not.equal(devNodeKey(2).address);
    });

    it("rejects private keys outside the secp256k1 range and malformed enode URLs", function () {
      expect(() => nodeKeyFromPrivateKey(zeroPadValue("0x", 32))).to.throw(BesuNetworkError, "between 1 and");
      expect(() => nodeKeyFromPrivateKey(`0x${"ff".repeat(32)}`)).to.throw(BesuNetworkError, "between 1 and");
      expect(() => parseEnodeUrl("enode://abc@127.0.0.1:30303")).to.throw(BesuNetworkError, "not an enode URL");
    });
  });

  describe("generateNetwork", function () {
    const network = generateNetwork({ dev: true, alloc: [`${devNodeKey(99).address}=1000`] });
    const genesis = network.genesis;

    it("writes a Cancun, zero-base-fee QBFT genesis with the qbft settings asked for", function () {
      const custom = generateNetwork({
        dev: true,
        chainId: "2024",
        blockPeriodSeconds: 5,
        epochLength: 100,
        requestTimeoutSeconds: "12",
      });
      expect(custom.genesis.config.chainId).to.equal(2024);
      expect(custom.genesis.config.qbft).to.deep.equal({
        blockperiodseconds: 5,
        epochlength: 100,
        requesttimeoutseconds: 12,
      });

      const written = JSON.parse(fileOf(network, "genesis.json")) as typeof genesis;
      expect(written).to.deep.equal(genesis);
      const { config } = written;
      expect(config.cancunTime).to.equal(0);
      expect(config.shanghaiTime).to.equal(0);
      expect(config.zeroBaseFee).to.equal(true);
      for (const fork of [
        "homesteadBlock",
        "eip150Block",
        "eip155Block",
        "eip158Block",
        "byzantiumBlock",
        "constantinopleBlock",
        "petersburgBlock",
        "istanbulBlock",
        "muirGlacierBlock",
        "berlinBlock",
        "londonBlock",
      ] as const) {
        expect(config[fork], fork).to.equal(0);
      }
      expect(config.chainId).to.equal(LOCAL_CHAIN_ID);
      expect(config.qbft).to.deep.equal({ blockperiodseconds: 2, epochlength: 30000, requesttimeoutseconds: 4 });
      expect(config).to.not.have.property("contractSizeLimit");
      expect(written.difficulty).to.equal("0x1");
      expect(written.mixHash).to.equal(QBFT_MIX_HASH);
      expect(written.baseFeePerGas).to.equal("0x0");
      expect(written.gasLimit).to.equal("0x1c9c380");
      expect(written.alloc).to.deep.equal({ [devNodeKey(99).address]: { balance: "0x3e8" } });
    });

    it("puts every validator, in ascending address order, in extraData", function () {
      const decoded = decodeQbftExtraData(genesis.extraData);
      const addresses = network.validators.map((v) => v.address);
      const sorted = [...addresses].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
      expect(decoded.validators).to.deep.equal(sorted);
      expect(decoded.vote).to.equal(null);
      expect(decoded.round).to.equal(0);
      expect(decoded.seals).to.deep.equal([]);
      expect(network.summary.extraData).to.equal(genesis.extraData);
    });

    it("writes contractSizeLimit only when asked", function () {
      const big = generateNetwork({ dev: true, contractSizeLimit: 49_152 });
      expect(big.genesis.config.contractSizeLimit).to.equal(49_152);
    });

    it("lists every node's enode URL (validators, rpc-1, --allow-node) in permissions_config.toml", function () {
      const extra = `enode://${devNodeKey(9).publicKey.slice(2)}@10.0.0.9:30303`;
      const withRpcNode = generateNetwork({ dev: true, validators: 5, allowNodes: [extra] });
      const allowlist = readToml(fileOf(withRpcNode, "permissions_config.toml"))["nodes-allowlist"] as string[];
      expect(allowlist).to.deep.equal([
        ...withRpcNode.validators.map((v) => v.enode),
        withRpcNode.rpcNode?.enode,
        extra,
      ]);
      withRpcNode.validators.forEach((v, i) => {
        expect(parseEnodeUrl(v.enode)).to.deep.equal({ publicKey: v.publicKey, host: "127.0.0.1", port: 30303 + i });
      });
      expect(readToml(fileOf(withRpcNode, "permissions_config.toml"))).to.have.all.keys("nodes-allowlist");
    });

    it("gives each validator a config with zero gas price, loopback operator RPC, metrics and the others as bootnodes", function () {
      network.validators.forEach((v, i) => {
        const config = configOf(network, v.name);
        expect(config).to.include({
          "min-gas-price": 0,
          "rpc-http-enabled": true,
          "rpc-http-host": "127.0.0.1",
          "rpc-http-port": 8545 + i,
          "rpc-http-max-active-connections": 80,
          "rpc-http-max-batch-size": 100,
          "revert-reason-enabled": true,
          "permissions-nodes-config-file-enabled": true,
          "permissions-nodes-config-file": "../permissions_config.toml",
          "p2p-port": 30303 + i,
          "p2p-host": "127.0.0.1",
          "data-path": "data",
          "genesis-file": "../genesis.json",
          "node-private-key-file": "key",
          "sync-mode": "FULL",
          "metrics-enabled": true,
          "metrics-host": "127.0.0.1",
          "metrics-port": 9545 + i,
        });
        expect(config["rpc-http-api"]).to.deep.equal(["ETH", "NET", "WEB3", "QBFT", "PERM"]);
        expect(config["host-allowlist"]).to.deep.equal(["localhost", "127.0.0.1"]);
        expect(config).to.not.have.property("rpc-http-cors-origins");
        expect(config["bootnodes"]).to.deep.equal(network.validators.filter((p) => p !== v).map((p) => p.enode));
      });
    });

    it("stores each key where its config points, with the public key matching the enode id", function () {
      for (const v of network.validators) {
        const key = nodeKeyFromPrivateKey(fileOf(network, `${v.name}/key`));
        expect(key.address).to.equal(v.address);
        expect(fileOf(network, `${v.name}/key.pub`)).to.equal(v.publicKey);
        expect(network.files.find((f) => f.path === `${v.name}/key`)?.mode).to.equal(0o600);
      }
      expect(fileOf(network, ".gitignore")).to.include("*/key");
    });

    it("produces identical files for --dev, labels them insecure, and random keys otherwise", function () {
      const again = generateNetwork({ dev: true, alloc: [`${devNodeKey(99).address}=1000`] });
      expect(again.files).to.deep.equal(network.files);
      expect(fileOf(network, "INSECURE-DEV-KEYS.txt")).to.include("INSECURE");
      expect(fileOf(network, "validator-1/config.toml")).to.include("INSECURE DEV KEY");
      expect(network.summary.insecureDevKeys).to.equal(true);

      const random = generateNetwork({});
      expect(random.summary.insecureDevKeys).to.equal(false);
      expect(random.files.map((f) => f.path)).to.not.include("INSECURE-DEV-KEYS.txt");
      expect(random.validators.map((v) => v.address)).to.not.deep.equal(network.validators.map((v) => v.address));
    });

    it("uses injected keys when not in dev mode", function () {
      const injected = generateNetwork({}, { randomKey: (i) => devNodeKey(100 + i) });
      expect(injected.validators.map((v) => v.address)).to.deep.equal(
        [1, 2, 3, 4].map((i) => devNodeKey(100 + i).address),
      );
    });

    it("supports one host per validator with the same port, and DNS names with Besu's DNS support", function () {
      const spread = generateNetwork({
        dev: true,
        chainId: 48_151_623,
        hosts: "10.0.0.1,10.0.0.2,10.0.0.3,10.0.0.4",
        p2pPorts: "30303,30303,30303,30303",
        rpcPorts: [8545, 8545, 8545, 8545],
        rpcNodeHost: "10.0.0.5",
      });
      expect(spread.validators.map((v) => v.enode.split("@")[1])).to.deep.equal([
        "10.0.0.1:30303",
        "10.0.0.2:30303",
        "10.0.0.3:30303",
        "10.0.0.4:30303",
      ]);
      // Validators answer their own host's operators only; the services use rpc-1.
      expect(spread.summary.validators.map((v) => v.rpcUrl)).to.deep.equal(Array(4).fill("http://127.0.0.1:8545"));
      expect(spread.summary.rpcNode?.rpcUrl).to.equal("http://10.0.0.5:8545");
      expect(configOf(spread, "validator-1")).to.include({ "p2p-interface": "0.0.0.0" });

      const dns = generateNetwork({
        dev: true,
        chainId: 48_151_623,
        hosts: "v1.example.org,v2.example.org,v3.example.org,v4.example.org",
        p2pPorts: 30303,
        rpcNodeHost: "rpc.example.org",
      });
      expect(readToml(fileOf(dns, "validator-1/config.toml"))).to.include({
        "Xdns-enabled": true,
        "Xdns-update-enabled": true,
      });
    });
  });

  describe("parseNetworkOptions", function () {
    it("rejects 0 validators and fewer than 4 unless explicitly allowed", function () {
      expectInvalid({ validators: 0 }, "--validators must be between 1 and 100, got 0");
      expectInvalid({ validators: "3" }, "--validators must be at least 4", "--allow-small-network");
      expect(parseNetworkOptions({ validators: 1, allowSmallNetwork: true }).nodes).to.have.length(1);
    });

    it("rejects a non-numeric chain id and fractional or out-of-range numbers", function () {
      expectInvalid({ chainId: "abc" }, '--chain-id must be a whole number, got "abc"');
      expectInvalid({ blockPeriodSeconds: 1.5 }, '--block-period must be a whole number, got "1.5"');
      expectInvalid({ gasLimit: "0x10" }, "--gas-limit must be a whole number");
      expectInvalid({ contractSizeLimit: 1000 }, "--contract-size-limit must be between 24576");
    });

    it("rejects duplicate ports on a host, naming both validators", function () {
      expectInvalid(
        { p2pPorts: "30303,30303,30305,30306" },
        "--p2p-ports duplicate port 127.0.0.1:30303",
        "validator-1 P2P and validator-2 P2P",
      );
      expectInvalid(
        { p2pPorts: 8545 },
        "--rpc-ports duplicate port 127.0.0.1:8545: used by validator-1 P2P and validator-1 RPC",
      );
      expectInvalid({ p2pPorts: 65_534 }, "--p2p-ports base port leaves the range");
    });

    it("rejects lists of the wrong length, unroutable or malformed hosts, and unknown options", function () {
      expectInvalid({ hosts: "10.0.0.1,10.0.0.2" }, "--hosts needs one value for all validators or exactly 4");
      expectInvalid({ hosts: "0.0.0.0" }, "--hosts 0.0.0.0 is not an address peers can reach");
      expectInvalid({ hosts: "not a host" }, "--hosts not an IPv4 address or DNS name");
      expectInvalid({ hosts: "::1" }, "IPv6 is not supported");
      expectInvalid({ chainID: 5 } as NetworkOptionsInput, "unknown option(s): chainID");
    });

    it("refuses ADMIN/DEBUG over HTTP, bad allowlist entries, bad accounts and bad enode URLs", function () {
      expectInvalid({ rpcApis: "ETH,ADMIN" }, '--rpc-api "ADMIN" is not offered over HTTP');
      expectInvalid({ hostAllowlist: "a b" }, '--host-allowlist not a host name, origin or "*"');
      expectInvalid({ alloc: ["0x1234=5"] }, "--alloc expected <address>=<wei>");
      expectInvalid({ alloc: [`${devNodeKey(1).address}=lots`] }, "--alloc balance of");
      expectInvalid(
        { alloc: [`${devNodeKey(1).address}=1`, `${devNodeKey(1).address}=2`] },
        "--alloc duplicate account",
      );
      expectInvalid({ allowNodes: ["enode://nope@1.2.3.4:1"] }, "--allow-node not an enode URL");
      expectInvalid({ dataStorageFormat: "rocks" }, "--data-storage-format must be one of BONSAI, FOREST");
    });

    it("reports every problem at once, each named by its flag", function () {
      const error = expectInvalid(
        { validators: 0, chainId: "x", rpcHost: "!" },
        "--validators",
        "--chain-id",
        "--rpc-host",
      );
      expect((error.details?.["issues"] as unknown[]).length).to.equal(3);
    });
  });
});
