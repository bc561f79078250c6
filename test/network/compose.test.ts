/**
 * The consortium's container files (network/besu/compose.ts), generated from a real generated network: compose.yaml
 * is valid under the Compose Specification's JSON Schema (data/schemas/compose-spec.json) and wires what the issue
 * asks for; the entry scripts run (with their paths redirected to a temp dir); the nginx configuration passes
 * `nginx -t` and balances real HTTP servers round robin when an nginx binary is present (else that part skips
 * and says so). No container is built or run here: there is no Docker engine.
 */
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { Agent, createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { Ajv } from "ajv";
import { expect } from "chai";

import { VARIABLES } from "../../core/config.ts";
import { composeInputFromNetworkDir, writeComposeFiles } from "../../network/besu/compose-cli.ts";
import { ENV_DEFAULTS, SECRETS } from "../../network/besu/compose-config.ts";
import {
  BESU_METRICS_PORT,
  composeFiles,
  ComposeError,
  DEPLOY_COMMAND,
  FILES,
  ITEC_API_PORTS,
  REGISTRY_FUTURE,
  type ComposeInput,
} from "../../network/besu/compose.ts";
import { generateNetwork, writeNetwork } from "../../network/besu/network.ts";
import { BESU_IMAGE } from "../../network/besu/version.ts";

const VALIDATORS = ["validator-1", "validator-2", "validator-3", "validator-4"];
const ISSUER = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
const CHAIN_ID = 2026;
const RPC_NODE = "rpc-1";

interface Service {
  image: string;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  secrets?: string[];
  networks?: string[] | Record<string, unknown>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
  build?: { context: string; target: string };
}
interface ComposeDoc {
  services: Record<string, Service>;
  networks: Record<string, { internal?: boolean }>;
  volumes: Record<string, unknown>;
  secrets: Record<string, { file: string }>;
}

/** JSON-formatted YAML: `#` lines, then one JSON document (compose-config.ts `jsonYaml`). */
function parseJsonYaml<T>(text: string): T {
  const lines = text.split("\n");
  const start = lines.findIndex((line) => !line.startsWith("#"));
  expect(lines.slice(0, start).every((line) => line.startsWith("#"))).to.equal(true);
  return JSON.parse(lines.slice(start).join("\n")) as T;
}

const networksOf = (s: Service): string[] => (Array.isArray(s.networks) ? s.networks : Object.keys(s.networks ?? {}));

describe("consortium containers: network/besu/compose.ts", function () {
  this.timeout(60_000);
  let dir: string;
  let files: Map<string, string>;
  let doc: ComposeDoc;
  let input: ComposeInput;
  let privateKeys: string[];

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), "itec-compose-"));
    // As an operator generates it for containers: DNS names for hosts, the RPC node rpc-1, metrics reachable.
    const network = generateNetwork({
      dev: true,
      chainId: CHAIN_ID,
      hosts: VALIDATORS.join(","),
      rpcNodeHost: RPC_NODE,
      metricsHost: "0.0.0.0",
    });
    await writeNetwork(dir, network);
    privateKeys = network.files.filter((f) => f.path.endsWith("/key")).map((f) => f.content.replace(/^0x/, ""));
    expect(network.summary.rpcNode?.name).to.equal(RPC_NODE);
    input = await composeInputFromNetworkDir(dir, {
      rpcNode: RPC_NODE,
      issuer: ISSUER,
      publicUrl: "https://r.example",
    });
    files = composeFiles(input);
    await writeComposeFiles(dir, files);
    doc = parseJsonYaml<ComposeDoc>(files.get(FILES.compose)!);
  });

  after(function () {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("compose.yaml is valid under the Compose Specification JSON Schema, which rejects a broken file", function () {
    const schema = JSON.parse(readFileSync("data/schemas/compose-spec.json", "utf8")) as { $schema: string };
    expect(schema.$schema).to.equal("https://json-schema.org/draft-07/schema");
    // strictTypes is a lint of how a schema is written (the published one unions types); every other strict check on
    const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
    // The file names draft-07's meta-schema by its https URL; Ajv knows it by http: the same meta-schema, aliased.
    const meta = JSON.parse(readFileSync("node_modules/ajv/dist/refs/json-schema-draft-07.json", "utf8")) as object;
    ajv.addMetaSchema({ ...meta, $id: schema.$schema });
    const validate = ajv.compile(schema);
    expect(validate(doc), ajv.errorsText(validate.errors)).to.equal(true);

    const broken = structuredClone(doc);
    (broken.services["itec-1"]!.depends_on!.postgres as { condition: string }).condition = "service_ready";
    expect(validate(broken)).to.equal(false);
  });

  it("runs 4 validators and a non-validator RPC node on the pinned Besu image, each with only its own key", function () {
    const besu = Object.entries(doc.services).filter(([, s]) => s.image === BESU_IMAGE);
    expect(besu.map(([name]) => name)).to.deep.equal([...VALIDATORS, RPC_NODE]);
    for (const [name, service] of besu) {
      const mounts = service.volumes!.filter((v) => v.startsWith("./")).map((v) => v.split(":")[0]);
      expect(mounts).to.deep.equal([`./${name}`, "./genesis.json", "./permissions_config.toml"]);
      expect(service.command).to.include(`--node-private-key-file=/network/${name}/key`);
      expect(service.command).to.include.members(["--metrics-enabled=true", `--metrics-port=${BESU_METRICS_PORT}`]);
      // Prometheus reaches the node by its service name: Besu checks the Host header of metrics requests too.
      expect(service.command).to.include(`--host-allowlist=localhost,127.0.0.1,${name}`);
      expect(service.healthcheck!.test.join(" ")).to.match(
        name === RPC_NODE ? /\/readiness\?minPeers=1/ : /\/liveness/,
      );
    }
    // The validators are on the internal chain network only; the services reach the chain through the RPC node.
    expect(doc.networks.chain!.internal).to.equal(true);
    for (const v of VALIDATORS) expect(networksOf(doc.services[v]!)).to.deep.equal(["chain"]);
    expect(networksOf(doc.services[RPC_NODE]!)).to.have.members(["chain", "app"]);
    for (const s of ["itec-1", "itec-2", "postgres", "proxy"])
      expect(networksOf(doc.services[s]!)).to.deep.equal(["app"]);
  });

  it("runs the one-off deployment after the RPC node is healthy, and the services after it completed", function () {
    const deploy = doc.services.deploy!;
    expect(deploy.restart).to.equal("no");
    expect(deploy.build).to.deep.equal({ context: input.buildContext, target: "deploy" });
    expect(existsSync(join(dir, input.buildContext, "Dockerfile"))).to.equal(true);
    expect(deploy.depends_on).to.deep.equal({ [RPC_NODE]: { condition: "service_healthy" } });
    expect(deploy.environment).to.include({
      HARDHAT_IGNITION_CONFIRM_DEPLOYMENT: "true",
      ITEC_BESU_RPC_URL: `http://${RPC_NODE}:8545`,
    });
    for (const name of ["itec-1", "itec-2"]) {
      expect(doc.services[name]!.depends_on).to.deep.equal({
        postgres: { condition: "service_healthy" },
        [RPC_NODE]: { condition: "service_healthy" },
        deploy: { condition: "service_completed_successfully" },
      });
    }
    // Every service waited for as healthy has a healthcheck.
    for (const service of Object.values(doc.services)) {
      for (const [target, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(doc.services[target], target).to.not.equal(undefined);
        if (condition === "service_healthy") expect(doc.services[target]!.healthcheck, target).to.not.equal(undefined);
      }
    }
    const params = JSON.parse(files.get(FILES.ignitionParameters)!) as { ITECRegistry: Record<string, string> };
    expect(params.ITECRegistry).to.deep.equal({
      issuer: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      externalBaseURI: "https://r.example/verify/batches/",
    });
  });

  it("runs two `itec serve` instances of one image with distinct ports, one database and shared secrets", function () {
    const [one, two] = [doc.services["itec-1"]!, doc.services["itec-2"]!];
    expect(one.image).to.equal(two.image);
    expect(one.command).to.deep.equal(["serve"]);
    expect([one.environment!.ITEC_API_PORT, two.environment!.ITEC_API_PORT]).to.deep.equal(ITEC_API_PORTS.map(String));
    expect(one.secrets)
      .to.deep.equal(two.secrets)
      .and.include.members([SECRETS.sessionSecret, SECRETS.postgresPassword]);
    // Every variable given to the services is one core/config.ts declares (the entry script sets the secret ones).
    const script = files.get(FILES.itecEntrypoint)!;
    const set = [...Object.keys(one.environment!), ...[...script.matchAll(/^\s*([A-Z_]+)=/gm)].map((m) => m[1]!)];
    const ours = set.filter((name) => !["SECRETS", "DEPLOYMENT", "ITEC"].includes(name));
    expect(ours.filter((name) => !(name in VARIABLES))).to.deep.equal([]);
    expect(ours).to.include.members(["DATABASE_URL", "ITEC_SESSION_SECRET", "ITEC_REGISTRY_ADDRESS"]);
    // Declared secrets are files under secrets/, every one used, none missing.
    const used = new Set(Object.values(doc.services).flatMap((s) => s.secrets ?? []));
    expect([...used].sort()).to.deep.equal(Object.values(SECRETS).sort());
    expect(Object.values(doc.secrets).every((s) => s.file.startsWith("./secrets/"))).to.equal(true);
  });

  it("publishes only the proxy and Prometheus, on loopback unless .env says otherwise", function () {
    const published = Object.entries(doc.services).filter(([, s]) => s.ports);
    expect(published.map(([name]) => name)).to.deep.equal(["proxy", "prometheus"]);
    expect(doc.services.proxy!.ports).to.deep.equal(["${ITEC_PROXY_BIND:-127.0.0.1}:${ITEC_PROXY_PORT:-8080}:80"]);
    expect(ENV_DEFAULTS.ITEC_PROXY_BIND).to.equal("127.0.0.1");
  });

  it("interpolates only the variables .env.example lists, and .env.example lists only those", function () {
    const text = files.get(FILES.compose)!;
    const used = [...text.matchAll(/\$\{([A-Z_]+)(:-[^}]*)?\}/g)].map((m) => m[1]!);
    expect(text.replaceAll(/\$\{[A-Z_]+(:-[^}]*)?\}/g, "").includes("$")).to.equal(false);
    const listed = [...files.get(FILES.envExample)!.matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]!);
    expect([...new Set(used)].sort()).to.deep.equal([...listed].sort());
  });

  it("mounts only files that exist, and no generated file holds a key", function () {
    for (const service of Object.values(doc.services)) {
      for (const source of (service.volumes ?? []).filter((v) => v.startsWith("./")).map((v) => v.split(":")[0]!)) {
        expect(existsSync(join(dir, source)), source).to.equal(true);
      }
    }
    for (const [path, content] of files) {
      for (const key of privateKeys) expect(content.toLowerCase(), path).to.not.include(key);
      expect(content, path).to.not.match(/0x[0-9a-fA-F]{64}\b/);
    }
    expect(files.get(FILES.secretsIgnore)).to.match(/^\*$/m);
  });

  it("Prometheus scrapes both instances' /metrics and every Besu node's metrics port", function () {
    type Scrape = { job_name: string; metrics_path?: string; static_configs: { targets: string[] }[] };
    const config = parseJsonYaml<{ global: { scrape_interval: string }; scrape_configs: Scrape[] }>(
      files.get(FILES.prometheus)!,
    );
    expect(config.global.scrape_interval).to.match(/^\d+[smh]$/);
    const jobs = config.scrape_configs.map((c) => c.job_name);
    expect(new Set(jobs).size).to.equal(jobs.length);
    const targets = (job: string) =>
      config.scrape_configs.find((c) => c.job_name === job)!.static_configs.flatMap((s) => s.targets);
    expect(targets("itec")).to.deep.equal(["itec-1:8081", "itec-2:8082"]);
    expect(targets("besu")).to.deep.equal([...VALIDATORS, RPC_NODE].map((n) => `${n}:${BESU_METRICS_PORT}`));
    for (const c of config.scrape_configs)
      for (const t of c.static_configs.flatMap((s) => s.targets)) expect(t).to.match(/^[a-z0-9.-]+:\d+$/);
    // Prometheus is on both networks: it reaches the validators (chain) and the services (app).
    expect(networksOf(doc.services.prometheus!)).to.have.members(["app", "chain"]);
  });

  it("refuses input the containers could not run: IP enode hosts, clashing names", function () {
    const bad = (change: Partial<ComposeInput>) => () => composeFiles({ ...input, ...change });
    const v = input.validators;
    expect(bad({ validators: [{ ...v[0]!, p2pHost: "127.0.0.1" }, ...v.slice(1)] })).to.throw(ComposeError, /DNS name/);
    expect(bad({ rpcNode: { ...input.rpcNode, name: "postgres" } })).to.throw(ComposeError, /taken/);
    expect(bad({ issuer: "0x123" })).to.throw(ComposeError, /issuer/);
    let error: unknown;
    try {
      bad({ validators: [] })();
    } catch (e) {
      error = e;
    }
    expect((error as ComposeError | undefined)?.code).to.equal("INVALID_COMPOSE_INPUT");
  });

  it("the CLI writes the same files, and replaces them only with --force", function () {
    const cli = (...extra: string[]) =>
      spawnSync(
        process.execPath,
        ["network/besu/compose-cli.ts", "--network", dir, "--rpc-node", RPC_NODE, "--issuer", ISSUER, ...extra],
        { encoding: "utf8" },
      );
    const refused = cli("--public-url", "https://r.example");
    expect(refused.status).to.equal(1);
    expect(refused.stderr).to.match(/^besu-compose: .*compose\.yaml exists; pass --force/);
    const forced = cli("--public-url", "https://r.example", "--force");
    expect(forced.status, forced.stderr).to.equal(0);
    for (const [path, content] of files) expect(readFileSync(join(dir, path), "utf8"), path).to.equal(content);
  });

  it("the network generator writes the same container files with --compose, in the same run as the nodes", function () {
    const out = mkdtempSync(join(tmpdir(), "itec-generate-compose-"));
    try {
      const args = ["--dev", "--chain-id", String(CHAIN_ID), "--hosts", VALIDATORS.join(","), "--rpc-node-host"];
      const run = spawnSync(
        process.execPath,
        [
          "network/besu/generate.ts",
          "--out",
          out,
          ...args,
          RPC_NODE,
          "--metrics-host",
          "0.0.0.0",
          "--compose",
          "--issuer",
          ISSUER,
          "--public-url",
          "https://r.example",
        ],
        { encoding: "utf8" },
      );
      expect(run.status, run.stderr).to.equal(0);
      expect(run.stdout).to.match(/compose\.yaml and the container files written/);
      for (const [path, content] of files) expect(readFileSync(join(out, path), "utf8"), path).to.equal(content);
      const without = spawnSync(process.execPath, ["network/besu/generate.ts", "--out", join(out, "x"), "--compose"], {
        encoding: "utf8",
      });
      expect(without.status).to.equal(1);
      expect(without.stderr).to.match(/--compose needs --issuer/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  describe("entry scripts (run by sh, with their paths redirected to a temp dir)", function () {
    let root: string;
    before(function () {
      root = mkdtempSync(join(tmpdir(), "itec-compose-sh-"));
      mkdirSync(join(root, "secrets"));
      const secrets: Record<string, string> = {
        [SECRETS.sessionSecret]: "ab".repeat(32) + "\n",
        [SECRETS.postgresPassword]: "0123abcd\n",
        [SECRETS.oracleKeystorePassword]: "correct horse\n",
        [SECRETS.deployerKey]: "0x" + "cd".repeat(32) + "\n",
      };
      for (const [name, value] of Object.entries(secrets)) writeFileSync(join(root, "secrets", name), value);
      mkdirSync(join(root, "deployment"));
      writeFileSync(
        join(root, "deployment", "deployed_addresses.json"),
        JSON.stringify({ [REGISTRY_FUTURE]: "0x00000000000000000000000000000000000000aa" }),
      );
      // stands in for bin/itec.js: prints its arguments and the variables it was given
      writeFileSync(
        join(root, "itec.js"),
        "console.log(JSON.stringify({ argv: process.argv.slice(2), env: process.env }))",
      );
    });
    after(() => rmSync(root, { recursive: true, force: true }));

    const redirect = (script: string) =>
      script
        .replace(/^SECRETS=.*$/m, `SECRETS=${root}/secrets`)
        .replace(/^DEPLOYMENT=.*$/m, `DEPLOYMENT=${root}/deployment`)
        .replace(/^ITEC=.*$/m, `ITEC=${root}/itec.js`);
    const runScript = (script: string, args: string[], env: Record<string, string> = {}) => {
      writeFileSync(join(root, "script.sh"), redirect(script));
      // node on PATH is this test's Node 22, as in the image
      const PATH = `${join(root, "bin")}:${join(process.execPath, "..")}:${process.env.PATH}`;
      return spawnSync("sh", [join(root, "script.sh"), ...args], { encoding: "utf8", env: { PATH, ...env } });
    };

    it("itec-entrypoint.sh: secrets and the deployed address into itec's variables, then `itec serve`", function () {
      const script = files.get(FILES.itecEntrypoint)!;
      expect(spawnSync("sh", ["-n", "-c", script]).status).to.equal(0);
      const run = runScript(script, ["serve"]);
      expect(run.status, run.stderr).to.equal(0);
      const out = JSON.parse(run.stdout) as { argv: string[]; env: Record<string, string> };
      expect(out.argv).to.deep.equal(["serve"]);
      expect(out.env).to.include({
        ITEC_SESSION_SECRET: "ab".repeat(32),
        ITEC_ORACLE_KEYSTORE_PASSWORD: "correct horse",
        DATABASE_URL: "postgres://itec:0123abcd@postgres:5432/itec",
        ITEC_REGISTRY_ADDRESS: "0x00000000000000000000000000000000000000aa",
      });
      const configured = runScript(script, ["serve"], {
        ITEC_REGISTRY_ADDRESS: "0x00000000000000000000000000000000000000bb",
      });
      expect(JSON.parse(configured.stdout).env.ITEC_REGISTRY_ADDRESS).to.equal(
        "0x00000000000000000000000000000000000000bb",
      );
    });

    it("itec-entrypoint.sh stops with a line naming a missing secret, and a missing deployment", function () {
      const script = files.get(FILES.itecEntrypoint)!;
      rmSync(join(root, "secrets", SECRETS.oracleKeystorePassword));
      const run = runScript(script, ["serve"]);
      writeFileSync(join(root, "secrets", SECRETS.oracleKeystorePassword), "correct horse\n");
      expect(run.status).to.not.equal(0);
      expect(run.stderr).to.include(`secret ${SECRETS.oracleKeystorePassword} is missing`);
      expect(run.stdout).to.equal("");
      const noDeployment = runScript(script.replace(/deployed_addresses\.json/, "missing.json"), ["serve"]);
      expect(noDeployment.status).to.not.equal(0);
      expect(noDeployment.stdout).to.equal("");
    });

    it("deploy.sh runs exactly DEPLOY_COMMAND with the deployer key in Hardhat's config variable", function () {
      mkdirSync(join(root, "bin"), { recursive: true });
      const fake = `#!/bin/sh\nnode -e 'console.log(JSON.stringify({ argv: process.argv.slice(1), key: process.env.ITEC_BESU_DEPLOYER_KEY }))' -- "$@"\n`;
      writeFileSync(join(root, "bin", "npx"), fake, { mode: 0o755 });
      const run = runScript(files.get(FILES.deployScript)!, []);
      expect(run.status, run.stderr).to.equal(0);
      const out = JSON.parse(run.stdout) as { argv: string[]; key: string };
      expect(["npx", ...out.argv]).to.deep.equal(DEPLOY_COMMAND.split(" "));
      expect(out.key).to.equal("0x" + "cd".repeat(32));
    });
  });

  describe("the nginx proxy (needs an nginx binary: ITEC_TEST_NGINX, `nginx` on PATH or /usr/sbin/nginx)", function () {
    const nginx = [process.env.ITEC_TEST_NGINX, "nginx", "/usr/sbin/nginx"].find(
      (bin) => bin && spawnSync(bin, ["-v"]).status === 0,
    );
    let work: string;
    const servers: Server[] = [];
    let running = false;
    const args = () => ["-p", work, "-c", join(work, "nginx.conf"), "-e", "stderr", "-g", `pid ${work}/nginx.pid;`];

    before(function () {
      if (!nginx) {
        console.log("      (skipped: no nginx binary here; `apt-get install nginx-light` or set ITEC_TEST_NGINX)");
        this.skip();
      }
      work = mkdtempSync(join(tmpdir(), "itec-nginx-"));
    });
    after(function () {
      if (running) spawnSync(nginx!, [...args(), "-s", "stop"]);
      for (const s of servers) s.close();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    /**
     * The generated file for this machine: upstreams and listen address on loopback (the compose names do not
     * resolve here) and temp paths in the work dir (Debian's build puts them under /var/lib/nginx). Nothing else.
     */
    function localConfig(upstreamPorts: number[], listenPort: number): string {
      let text = files.get(FILES.nginx)!;
      ITEC_API_PORTS.forEach((port, i) => {
        text = text.replace(`server itec-${i + 1}:${port} `, `server 127.0.0.1:${upstreamPorts[i]} `);
      });
      const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((t) => `${t}_temp_path ${work}/${t};`);
      return text
        .replace("listen 80;", `listen 127.0.0.1:${listenPort};`)
        .replace("http {", `http {\n  ${temp.join("\n  ")}`);
    }

    it("passes `nginx -t`, balances round robin with X-Forwarded-For, and hides /metrics", async function () {
      const seen: { server: number; forwardedFor: string | undefined }[] = [];
      const ports: number[] = [];
      for (const id of [1, 2]) {
        const server = createServer((req, res) => {
          seen.push({ server: id, forwardedFor: req.headers["x-forwarded-for"] as string | undefined });
          res.end(`instance ${id}`);
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        servers.push(server);
        ports.push((server.address() as AddressInfo).port);
      }
      const free = createServer();
      await new Promise<void>((resolve) => free.listen(0, "127.0.0.1", resolve));
      const listen = (free.address() as AddressInfo).port;
      await new Promise((resolve) => free.close(resolve));

      writeFileSync(join(work, "nginx.conf"), localConfig(ports, listen));
      // The config logs to /dev/stdout and /dev/stderr (a container's log); here those are a file.
      const log = join(work, "nginx.log");
      const nginxRun = (extra: string[]) => {
        const fd = openSync(log, "a");
        try {
          return spawnSync(nginx!, [...extra, ...args()], { stdio: ["ignore", fd, fd] }).status;
        } finally {
          closeSync(fd);
        }
      };
      expect(nginxRun(["-t"]), readFileSync(log, "utf8")).to.equal(0);
      expect(readFileSync(log, "utf8")).to.match(/syntax is ok/);
      expect(nginxRun([]), readFileSync(log, "utf8")).to.equal(0);
      running = true;

      // One keep-alive connection, so one nginx worker answers (each worker keeps its own round-robin position).
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const get = (path: string) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          request({ host: "127.0.0.1", port: listen, path, agent }, (res) => {
            let body = "";
            res.on("data", (chunk: Buffer) => (body += chunk.toString()));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
          })
            .on("error", reject)
            .end();
        });
      const bodies: string[] = [];
      for (let i = 0; i < 4; i++) bodies.push((await get("/health")).body);
      expect(bodies).to.deep.equal(["instance 1", "instance 2", "instance 1", "instance 2"]);
      expect(seen.every((s) => s.forwardedFor === "127.0.0.1")).to.equal(true);
      expect((await get("/metrics")).status).to.equal(404);
      agent.destroy();
      spawnSync(nginx!, [...args(), "-s", "stop"]);
      running = false;
    });
  });
});
