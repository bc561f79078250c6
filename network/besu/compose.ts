/**
 * Generates the container files of a one-machine (lab) consortium from a generated Besu network: `compose.yaml`
 * (4 validators and 1 RPC node on the pinned Besu image, PostgreSQL, the one-off Ignition deployment, two `itec serve`
 * instances behind an nginx round-robin proxy, Prometheus), the proxy's and Prometheus' configuration, the two
 * container entry scripts, the deployment's Ignition parameters and `.env.example`. Pure: input in, files out
 * ({@link composeFiles}); `network/besu/compose-cli.ts` writes them beside a generated network.
 *
 * The input is a small interface of its own ({@link ComposeInput}) rather than the generator's internal types, so
 * the generator can change without breaking this file: it needs each node's directory, its advertised P2P host and
 * its JSON-RPC port, nothing else.
 *
 * compose.yaml and prometheus.yml are JSON-formatted YAML, deliberately (compose-config.ts `jsonYaml`).
 *
 * Nothing here holds a secret: keys and passwords are compose `secrets:` files the operator creates under
 * `secrets/` (docs/containers.md), read by the entry scripts inside the containers.
 */
import { getAddress, isAddress } from "ethers";

import { PACKAGE } from "../../core/package.ts";
import { CodedError } from "../../sdk/src/errors.ts";
import {
  deployScript,
  envExample,
  ignitionParameters,
  itecEntrypoint,
  jsonYaml,
  nginxConf,
  prometheusYml,
  SECRETS,
  type Json,
  type SecretName,
} from "./compose-config.ts";
import { BESU_IMAGE } from "./version.ts";

/** One Besu node of the generated network, as the compose file needs it. */
export interface ComposeNode {
  /** Its directory in the generator's output (holds config.toml and the node key); also its compose service name. */
  readonly name: string;
  /** The host in its enode URL: a DNS name, which the compose network resolves to this container. */
  readonly p2pHost: string;
  /** Its JSON-RPC HTTP port (config.toml `rpc-http-port`). */
  readonly rpcPort: number;
}

export interface ComposeInput {
  readonly chainId: number;
  readonly validators: readonly ComposeNode[];
  /** The non-validator node the services and the deployment talk to. */
  readonly rpcNode: ComposeNode;
  /** The issuer (oracle) account the deployment grants the issuer role to: the address of the oracle keystore. */
  readonly issuer: string;
  /** ITEC_PUBLIC_URL: the registry's public base URL (behind the proxy); also the contract's token-link base. */
  readonly publicUrl: string;
  /** The repository root (with the Dockerfile), relative to the directory the files are written to. */
  readonly buildContext: string;
  /** Shared files of the generator's output, relative to that directory (defaults: the generator's names). */
  readonly genesisFile?: string;
  readonly permissionsFile?: string;
  /** File names inside each node's directory. */
  readonly configFile?: string;
  readonly keyFile?: string;
  /** Compose project name (default `itec-consortium`). */
  readonly projectName?: string;
}

export class ComposeError extends CodedError<"INVALID_COMPOSE_INPUT"> {
  constructor(message: string) {
    super("INVALID_COMPOSE_INPUT", message);
  }
}

// Pinned images: a tag, never `latest`, so the file means the same thing next year. ---------------------------------

/** The registry's own images, built from the repository's Dockerfile (targets `runtime` and `deploy`). */
export const ITEC_IMAGE = `itec-registry:${PACKAGE.version}`;
export const ITEC_DEPLOY_IMAGE = `itec-registry-deploy:${PACKAGE.version}`;
export const POSTGRES_IMAGE = "postgres:17.6-bookworm";
export const NGINX_IMAGE = "nginx:1.28.0-alpine";
export const PROMETHEUS_IMAGE = "prom/prometheus:v3.5.0";

/**
 * The documented deployment (network/besu/README.md), run once by the `deploy` service in the deploy image: one
 * constant (words separated by single spaces) to change when the documented command changes. Ignition's prompt is
 * answered by HARDHAT_IGNITION_CONFIRM_DEPLOYMENT in the service's environment (Ignition's non-interactive switch).
 */
export const DEPLOY_COMMAND =
  "npx hardhat ignition deploy ignition/modules/ITECRegistry.ts --network besu --parameters ignition/parameters/besu.json";
/** Ignition's deployment id on that chain, and the future id of the registry in its journal. */
export const deploymentDir = (chainId: number): string => `chain-${chainId}`;
export const REGISTRY_FUTURE = "ITECRegistry#ITECRegistry";

/** Fixed names: services, networks, ports and paths inside the containers. */
export const SERVICES = {
  postgres: "postgres",
  deploy: "deploy",
  itec: ["itec-1", "itec-2"],
  proxy: "proxy",
  prometheus: "prometheus",
} as const;
/** Each `itec serve` instance's own ITEC_API_PORT (distinct, so logs and scrape targets name one instance). */
export const ITEC_API_PORTS = [8081, 8082] as const;
export const BESU_METRICS_PORT = 9545;
export const POSTGRES = { user: "itec", database: "itec", port: 5432 } as const;
/** `chain`: the Besu nodes only (internal: no route out); `app`: services, database, proxy. */
export const NETWORKS = { chain: "chain", app: "app" } as const;
export const PATHS = {
  /** Where a node's files are mounted (read-only) and its data volume. */
  network: "/network",
  besuData: "/data",
  /** Ignition's journal: written by `deploy`, read by the services. */
  deployJournal: "/app/ignition/deployments",
  deployments: "/deployments",
  itecData: "/var/lib/itec",
  scripts: "/compose",
} as const;

/** The files {@link composeFiles} writes, relative to the network directory. */
export const FILES = {
  compose: "compose.yaml",
  envExample: ".env.example",
  nginx: "containers/nginx.conf",
  prometheus: "containers/prometheus.yml",
  itecEntrypoint: "containers/itec-entrypoint.sh",
  deployScript: "containers/deploy.sh",
  ignitionParameters: "containers/ignition-parameters.json",
  secretsIgnore: "secrets/.gitignore",
} as const;

const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const SERVICE_NAME = /^[a-z0-9][a-z0-9_.-]*$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

function validate(input: ComposeInput): void {
  const problems: string[] = [];
  const nodes = [...input.validators, input.rpcNode];
  if (input.validators.length === 0) problems.push("no validators");
  if (!Number.isSafeInteger(input.chainId) || input.chainId < 1) problems.push(`chain id ${input.chainId}`);
  const reserved = new Set<string>([
    SERVICES.postgres,
    SERVICES.deploy,
    ...SERVICES.itec,
    SERVICES.proxy,
    SERVICES.prometheus,
  ]);
  const names = new Set<string>();
  for (const node of nodes) {
    if (!SERVICE_NAME.test(node.name)) problems.push(`node name ${JSON.stringify(node.name)} is not a service name`);
    if (reserved.has(node.name)) problems.push(`node name ${node.name} is taken by another service`);
    if (names.has(node.name)) problems.push(`two nodes are named ${node.name}`);
    names.add(node.name);
    // An enode's host must reach this container from the others: a name the compose network resolves. An address
    // (127.0.0.1, a LAN IP) would point every node at itself or at the host machine.
    if (IPV4.test(node.p2pHost) || node.p2pHost === "localhost" || !DNS_NAME.test(node.p2pHost)) {
      problems.push(
        `${node.name}: its enode host ${JSON.stringify(node.p2pHost)} must be a DNS name the containers resolve ` +
          "(generate the network with --hosts <one name per node>, e.g. the node names)",
      );
    }
    if (!Number.isSafeInteger(node.rpcPort) || node.rpcPort < 1 || node.rpcPort > 65_535) {
      problems.push(`${node.name}: RPC port ${node.rpcPort}`);
    }
    if (node.rpcPort === BESU_METRICS_PORT) problems.push(`${node.name}: RPC port ${node.rpcPort} is the metrics port`);
  }
  const aliases = nodes.map((n) => n.p2pHost);
  if (new Set(aliases).size !== aliases.length) problems.push("two nodes advertise the same enode host");
  if (!isAddress(input.issuer)) problems.push(`issuer ${JSON.stringify(input.issuer)} is not an address`);
  if (!/^https?:\/\/[^\s]+$/.test(input.publicUrl)) problems.push(`public URL ${JSON.stringify(input.publicUrl)}`);
  if (input.buildContext.length === 0 || input.buildContext.startsWith("/")) {
    problems.push("the build context must be a relative path to the repository root");
  }
  if (problems.length > 0) throw new ComposeError(`cannot generate the compose files: ${problems.join("; ")}`);
}

/** A healthcheck that asks Besu's own `GET <path>` on its JSON-RPC port (the image has bash, not curl). */
function besuHealthcheck(port: number, path: string): Json {
  const request = `GET ${path} HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n`;
  return {
    test: [
      "CMD",
      "bash",
      "-c",
      `exec 3<>/dev/tcp/127.0.0.1/${port} && printf '${request}' >&3 && head -n 1 <&3 | grep -q ' 200 '`,
    ],
    interval: "10s",
    timeout: "5s",
    retries: 30,
    start_period: "30s",
  };
}

/** A Node.js healthcheck against the API (the runtime image has no curl or wget). */
export function nodeHealthcheck(url: string): string[] {
  return [
    "CMD",
    "node",
    "-e",
    `fetch(${JSON.stringify(url)}).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
  ];
}

function besuService(input: ComposeInput, node: ComposeNode, role: "validator" | "rpc"): Json {
  const dir = `${PATHS.network}/${node.name}`;
  const genesis = input.genesisFile ?? "genesis.json";
  const permissions = input.permissionsFile ?? "permissions_config.toml";
  return {
    image: BESU_IMAGE,
    // The generated config.toml names its files relative to the node's directory; the absolute options below
    // override them (command line beats config file in Besu) and put the chain data on a volume.
    working_dir: dir,
    command: [
      `--config-file=${dir}/${input.configFile ?? "config.toml"}`,
      `--node-private-key-file=${dir}/${input.keyFile ?? "key"}`,
      `--genesis-file=${PATHS.network}/${genesis}`,
      `--permissions-nodes-config-file=${PATHS.network}/${permissions}`,
      `--data-path=${PATHS.besuData}`,
      // Inside a container the node must listen on its container address; nothing here is published to the host.
      "--p2p-interface=0.0.0.0",
      "--rpc-http-host=0.0.0.0",
      // Host headers: its own service name (Prometheus, the services, the deployment) and loopback (healthcheck).
      // Besu applies this list to the metrics endpoint as well.
      `--host-allowlist=localhost,127.0.0.1,${node.name}`,
      "--metrics-enabled=true",
      "--metrics-host=0.0.0.0",
      `--metrics-port=${BESU_METRICS_PORT}`,
    ],
    volumes: [
      `./${node.name}:${dir}:ro`,
      `./${genesis}:${PATHS.network}/${genesis}:ro`,
      `./${permissions}:${PATHS.network}/${permissions}:ro`,
      `${node.name}-data:${PATHS.besuData}`,
    ],
    networks:
      role === "rpc"
        ? { [NETWORKS.chain]: aliasesOf(node), [NETWORKS.app]: {} }
        : { [NETWORKS.chain]: aliasesOf(node) },
    // A validator is alive when Besu answers; the RPC node is ready when it has a peer and is in sync.
    healthcheck: besuHealthcheck(
      node.rpcPort,
      role === "rpc" ? "/readiness?minPeers=1&maxBlocksBehind=2" : "/liveness",
    ),
    restart: "unless-stopped",
  };
}

const list = (names: readonly SecretName[]): string[] => [...names];

/** On the chain network, a node whose enode host is not its service name is also reachable by that host. */
function aliasesOf(node: ComposeNode): Json {
  return node.p2pHost === node.name ? {} : { aliases: [node.p2pHost] };
}

function itecService(input: ComposeInput, index: 0 | 1): Json {
  const name = SERVICES.itec[index];
  const port = ITEC_API_PORTS[index];
  return {
    image: ITEC_IMAGE,
    build: { context: input.buildContext, target: "runtime" },
    // Build it here from the repository, never pull a same-named image from a registry (the second instance's build
    // is all cache hits).
    pull_policy: "build",
    entrypoint: ["/bin/sh", `${PATHS.scripts}/itec-entrypoint.sh`],
    command: ["serve"],
    environment: {
      ITEC_RPC_URL: `http://${input.rpcNode.name}:${input.rpcNode.rpcPort}`,
      ITEC_CHAIN_ID: String(input.chainId),
      ITEC_GAS_PRICE: "0",
      ITEC_API_HOST: "0.0.0.0",
      ITEC_API_PORT: String(port),
      // A literal, not a .env override: the deployed contract's token links were built from the same URL
      // (containers/ignition-parameters.json); change both by generating again.
      ITEC_PUBLIC_URL: input.publicUrl,
      ITEC_EVIDENCE_BASE_URL: input.publicUrl,
      ITEC_DB_PATH: `${PATHS.itecData}/registry.db`,
      ITEC_ORACLE_KEYSTORE: `/run/secrets/${SECRETS.oracleKeystore}`,
      // Empty: the entry script reads the address from the deployment's journal.
      ITEC_REGISTRY_ADDRESS: "${ITEC_REGISTRY_ADDRESS:-}",
      ITEC_LOG_LEVEL: "${ITEC_LOG_LEVEL:-info}",
      // Only the proxy reaches the instances, over the compose network (a private range): its X-Forwarded-For
      // names the client, so each client has its own rate-limit bucket instead of all sharing the proxy's.
      ITEC_TRUST_PROXY: "uniquelocal",
    },
    secrets: list([
      SECRETS.sessionSecret,
      SECRETS.postgresPassword,
      SECRETS.oracleKeystore,
      SECRETS.oracleKeystorePassword,
    ]),
    volumes: [
      `./${FILES.itecEntrypoint}:${PATHS.scripts}/itec-entrypoint.sh:ro`,
      `ignition-deployments:${PATHS.deployments}:ro`,
      `${name}-data:${PATHS.itecData}`,
    ],
    networks: [NETWORKS.app],
    depends_on: {
      [SERVICES.postgres]: { condition: "service_healthy" },
      [input.rpcNode.name]: { condition: "service_healthy" },
      [SERVICES.deploy]: { condition: "service_completed_successfully" },
    },
    // Ready = chain, store and index answer (the image's own HEALTHCHECK asks the cheaper /health).
    healthcheck: {
      test: nodeHealthcheck(`http://127.0.0.1:${port}/ready`),
      interval: "10s",
      timeout: "5s",
      retries: 12,
      start_period: "20s",
    },
    restart: "unless-stopped",
  };
}

/** The compose file as a value (validated against the Compose Specification by test/network/compose.test.ts). */
export function composeDocument(input: ComposeInput): Json {
  validate(input);
  const nodes = [...input.validators.map((v) => [v, "validator"] as const), [input.rpcNode, "rpc"] as const];
  const services: Record<string, Json> = {};
  for (const [node, role] of nodes) services[node.name] = besuService(input, node, role);

  services[SERVICES.postgres] = {
    image: POSTGRES_IMAGE,
    environment: {
      POSTGRES_USER: POSTGRES.user,
      POSTGRES_DB: POSTGRES.database,
      POSTGRES_PASSWORD_FILE: `/run/secrets/${SECRETS.postgresPassword}`,
    },
    secrets: list([SECRETS.postgresPassword]),
    volumes: ["postgres-data:/var/lib/postgresql/data"],
    networks: [NETWORKS.app],
    healthcheck: {
      test: ["CMD", "pg_isready", "-U", POSTGRES.user, "-d", POSTGRES.database],
      interval: "5s",
      timeout: "5s",
      retries: 20,
    },
    restart: "unless-stopped",
  };

  services[SERVICES.deploy] = {
    image: ITEC_DEPLOY_IMAGE,
    build: { context: input.buildContext, target: "deploy" },
    pull_policy: "build",
    entrypoint: ["/bin/sh", `${PATHS.scripts}/deploy.sh`],
    environment: {
      ITEC_BESU_RPC_URL: `http://${input.rpcNode.name}:${input.rpcNode.rpcPort}`,
      HARDHAT_IGNITION_CONFIRM_DEPLOYMENT: "true",
    },
    secrets: list([SECRETS.deployerKey]),
    volumes: [
      `./${FILES.deployScript}:${PATHS.scripts}/deploy.sh:ro`,
      `./${FILES.ignitionParameters}:/app/ignition/parameters/besu.json:ro`,
      // The journal: a rerun resumes or finds nothing to do; the services read the registry's address from it.
      `ignition-deployments:${PATHS.deployJournal}`,
    ],
    networks: [NETWORKS.chain],
    depends_on: { [input.rpcNode.name]: { condition: "service_healthy" } },
    restart: "no",
  };

  services[SERVICES.itec[0]] = itecService(input, 0);
  services[SERVICES.itec[1]] = itecService(input, 1);

  services[SERVICES.proxy] = {
    image: NGINX_IMAGE,
    // Loopback by default: put TLS in front, or set ITEC_PROXY_BIND=0.0.0.0 deliberately.
    ports: ["${ITEC_PROXY_BIND:-127.0.0.1}:${ITEC_PROXY_PORT:-8080}:80"],
    volumes: [`./${FILES.nginx}:/etc/nginx/nginx.conf:ro`],
    networks: [NETWORKS.app],
    // nginx resolves its upstreams when it starts: `restart: true` restarts it when compose restarts an instance.
    depends_on: Object.fromEntries(
      SERVICES.itec.map((name) => [name, { condition: "service_healthy", restart: true }]),
    ),
    healthcheck: {
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/health"],
      interval: "10s",
      timeout: "5s",
      retries: 6,
    },
    restart: "unless-stopped",
  };

  services[SERVICES.prometheus] = {
    image: PROMETHEUS_IMAGE,
    ports: ["127.0.0.1:${PROMETHEUS_PORT:-9090}:9090"],
    volumes: [`./${FILES.prometheus}:/etc/prometheus/prometheus.yml:ro`, "prometheus-data:/prometheus"],
    networks: [NETWORKS.app, NETWORKS.chain],
    healthcheck: {
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:9090/-/ready"],
      interval: "10s",
      timeout: "5s",
      retries: 6,
    },
    restart: "unless-stopped",
  };

  const volumes: Record<string, Json> = {};
  for (const [node] of nodes) volumes[`${node.name}-data`] = {};
  for (const name of [
    "postgres-data",
    "ignition-deployments",
    ...SERVICES.itec.map((n) => `${n}-data`),
    "prometheus-data",
  ]) {
    volumes[name] = {};
  }

  return {
    name: input.projectName ?? "itec-consortium",
    services,
    networks: { [NETWORKS.chain]: { internal: true }, [NETWORKS.app]: {} },
    volumes,
    secrets: Object.fromEntries(Object.values(SECRETS).map((name) => [name, { file: `./secrets/${name}` }])),
  };
}

/**
 * Every file of the consortium's containers, by path relative to the network directory (the generator's output,
 * where compose.yaml sits beside genesis.json and the node directories).
 * @throws ComposeError INVALID_COMPOSE_INPUT naming every problem of the input.
 */
export function composeFiles(input: ComposeInput): Map<string, string> {
  const document = composeDocument(input);
  const itec = SERVICES.itec.map((name, i) => ({ name, port: ITEC_API_PORTS[i] as number }));
  return new Map([
    [
      FILES.compose,
      jsonYaml(
        [
          "I-TEC Registry: a one-machine consortium (generated by network/besu/compose.ts; docs/containers.md).",
          `Besu ${BESU_IMAGE}; chain id ${input.chainId}; ${input.validators.length} validators + RPC node ${input.rpcNode.name}.`,
          "JSON-formatted YAML (YAML 1.2 is a superset of JSON). Secrets: files under secrets/, never in this file.",
          "Start: docker compose up -d   (create secrets/* first, see .env.example)",
        ],
        document,
      ),
    ],
    [FILES.envExample, envExample()],
    [FILES.nginx, nginxConf(itec)],
    [
      FILES.prometheus,
      prometheusYml(
        itec,
        input.validators.map((v) => v.name),
        [input.rpcNode.name],
        BESU_METRICS_PORT,
      ),
    ],
    [
      FILES.itecEntrypoint,
      itecEntrypoint(`${PATHS.deployments}/${deploymentDir(input.chainId)}`, POSTGRES, SERVICES.postgres),
    ],
    [FILES.deployScript, deployScript(DEPLOY_COMMAND)],
    [FILES.ignitionParameters, ignitionParameters(getAddress(input.issuer), input.publicUrl)],
    [
      FILES.secretsIgnore,
      "# Secret files for compose.yaml's `secrets:` (docs/containers.md). Never commit them.\n*\n!.gitignore\n",
    ],
  ]);
}
