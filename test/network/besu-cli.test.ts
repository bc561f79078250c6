/** Besu generator: writing the files, and the CLI as an operator runs it. */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { expect } from "chai";

import { BesuNetworkError } from "../../network/besu/errors.ts";
import { devNodeKey } from "../../network/besu/keys.ts";
import { generateNetwork, writeNetwork } from "../../network/besu/network.ts";
import { runCli } from "./besu-helpers.ts";

describe("Besu generator: files and CLI", function () {
  describe("writeNetwork and the CLI", function () {
    let dir: string;
    beforeEach(async function () {
      dir = await mkdtemp(path.join(os.tmpdir(), "itec-besu-"));
    });
    afterEach(async function () {
      await rm(dir, { recursive: true, force: true });
    });

    it("writes every file with its mode and refuses a non-empty directory without force", async function () {
      const network = generateNetwork({ dev: true });
      const out = path.join(dir, "net");
      await writeNetwork(out, network);
      for (const file of network.files) {
        const target = path.join(out, file.path);
        expect(await readFile(target, "utf8")).to.equal(file.content);
        expect((await stat(target)).mode & 0o777).to.equal(file.mode);
      }
      try {
        await writeNetwork(out, generateNetwork({}));
        expect.fail("expected OUTPUT_EXISTS");
      } catch (error) {
        expect(error).to.be.instanceOf(BesuNetworkError).with.property("code", "OUTPUT_EXISTS");
      }
      expect(await readFile(path.join(out, "validator-1/key"), "utf8")).to.equal(devNodeKey(1).privateKey);
      await writeNetwork(out, network, { force: true });
    });

    it("runs as `tsx network/besu/generate.ts` and writes the same files as the library for --dev", async function () {
      const out = path.join(dir, "cli");
      const result = runCli([
        "--validators",
        "4",
        "--out",
        out,
        "--chain-id",
        "1337",
        "--block-period",
        "2",
        "--dev",
        "--json",
      ]);
      expect(result.status, result.stderr).to.equal(0);
      expect(result.stderr).to.include("INSECURE");
      const network = generateNetwork({ dev: true, validators: 4, chainId: 1337, blockPeriodSeconds: 2 });
      expect(JSON.parse(result.stdout)).to.deep.equal(network.summary);
      const names = (await readdir(out, { recursive: true })).sort();
      expect(names).to.include.members(network.files.map((f) => f.path));
      for (const file of network.files)
        expect(await readFile(path.join(out, file.path), "utf8")).to.equal(file.content);
    });

    it("exits 1 with a one-line reason for bad options and for a non-empty output directory", async function () {
      const bad = runCli(["--out", path.join(dir, "x"), "--chain-id", "abc", "--validators", "0"]);
      expect(bad.status).to.equal(1);
      expect(bad.stderr.trim().split("\n")).to.have.length(1);
      expect(bad.stderr).to.include('--chain-id must be a whole number, got "abc"').and.include("--validators");

      await writeFile(path.join(dir, "occupied"), "x");
      const occupied = runCli(["--out", dir, "--dev"]);
      expect(occupied.status).to.equal(1);
      expect(occupied.stderr).to.include("is not empty");
    });
  });
});
