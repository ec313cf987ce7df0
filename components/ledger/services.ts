/**
 * The rail as long-running services on ecp-forge, as data: `rail relayer` and (with `ecp:railWitnessKey`)
 * `rail witness`, each the bundled client (components/ledger/bundle.ts) in the pinned Node image, on the
 * stack's network, with a Docker health check, a memory limit, json-file logs and `unless-stopped`, like the
 * other services. Flags are the client's own (rail/usage.ts lists them; ./services.test.ts checks each).
 */
import { CONTAINER_PORTS, EXECUTION_CLIENT_ALIAS, HOST_LOOPBACK_PORTS } from "../config/defaults.js";
import { imageRef } from "../config/images.js";
import type { StackConfig } from "../config/schema.js";
import type { HostPaths } from "../services/paths.js";
import { type Healthcheck, internalUrl, type PortSpec, secretRef, type ServiceSpec } from "../services/spec.js";
import { L2_RPC_ON_NETWORK } from "./steps.js";

/** Where the bundle is mounted in the rail containers. */
export const BUNDLE_IN_CONTAINER = "/rail/rail.mjs";
/** Where ecp-forge's witness finds its archive (`ecp:rail.archiveDir`, read-only) and keeps its record. */
export const WITNESS_ARCHIVE_IN_CONTAINER = "/archive";
export const WITNESS_STATE_IN_CONTAINER = "/state";

/** Memory limits (MiB): the relayer's store is bounded at 20,000 slots and candidates (rail/relayer/store.ts),
 *  the witness's open slots at 512; both measured well under 400 MiB RSS in the fault tests. */
export const RAIL_MEMORY_MB = { relayer: 1024, witness: 768 } as const;

const R = CONTAINER_PORTS.railRelayer.http;
const W = CONTAINER_PORTS.railWitness.http;

/** Node is in the image, curl is not: the health check asks /healthz with Node's own fetch. */
function nodeHealthcheck(port: number): Healthcheck {
  return {
    kind: "exec",
    test: ["CMD", "node", "-e", `fetch('http://127.0.0.1:${port}/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`],
    intervalSeconds: 15,
    timeoutSeconds: 5,
    retries: 5,
    startPeriodSeconds: 30,
  };
}

/** The relayer's URL as ecp-forge's own witness reaches it (the Docker network). */
export const RELAYER_ON_NETWORK = internalUrl("rail-relayer", R);

/** Where the relayer is published: loopback always (witnesses on this host, the SSH tunnel), and
 *  ecp:host.privateAddress when set, for witnesses on other hosts. Never a public address. */
export function relayerPorts(host: Pick<StackConfig["host"], "privateAddress">): PortSpec[] {
  const ports: PortSpec[] = [{ name: "http", kind: "rpc", internal: R, external: HOST_LOOPBACK_PORTS.railRelayer, ip: "127.0.0.1", protocol: "tcp" }];
  if (host.privateAddress !== undefined) ports.push({ name: "http-private", kind: "rpc", internal: R, external: HOST_LOOPBACK_PORTS.railRelayer, ip: host.privateAddress, protocol: "tcp" });
  return ports;
}

export function railRelayerSpec(config: Pick<StackConfig, "rail" | "host">, paths: Pick<HostPaths, "rail">, ledger: string, fromBlock: string): ServiceSpec {
  return {
    name: "rail-relayer",
    image: imageRef(config.rail.nodeImage),
    entrypoint: ["node"],
    command: [BUNDLE_IN_CONTAINER, "relayer", "--rpc", L2_RPC_ON_NETWORK, "--ledger", ledger, "--from-block", fromBlock, "--listen", `0.0.0.0:${R}`],
    env: { ECP_RELAYER_KEY: secretRef("railRelayerKey") },
    ports: relayerPorts(config.host),
    mounts: [{ hostPath: `${paths.rail}/rail.mjs`, containerPath: BUNDLE_IN_CONTAINER, readOnly: true }],
    healthcheck: nodeHealthcheck(R),
    dependsOn: [EXECUTION_CLIENT_ALIAS],
    networkAlias: "rail-relayer",
    restart: "unless-stopped",
    memoryMb: RAIL_MEMORY_MB.relayer,
  };
}

/** The relayers ecp-forge's witness posts to: its own on the network, then every other one the members
 *  name (`ecp:rail.witnesses[].relayer`), each once. */
export function witnessRelayers(rail: Pick<StackConfig["rail"], "witnesses">): string[] {
  return [...new Set([RELAYER_ON_NETWORK, ...rail.witnesses.flatMap((w) => (w.relayer === undefined ? [] : [w.relayer]))])];
}

export function railWitnessSpec(config: Pick<StackConfig, "rail">, paths: Pick<HostPaths, "rail" | "railWitnessState">, ledger: string, fromBlock: string): ServiceSpec {
  const archive = config.rail.archiveDir;
  if (archive === undefined) throw new Error("rail-witness: `ecp:rail.archiveDir` is not set; the config check requires it with `ecp:railWitnessKey`.");
  return {
    name: "rail-witness",
    image: imageRef(config.rail.nodeImage),
    entrypoint: ["node"],
    command: [
      BUNDLE_IN_CONTAINER, "witness",
      "--rpc", L2_RPC_ON_NETWORK,
      "--ledger", ledger,
      "--from-block", fromBlock,
      "--archive", WITNESS_ARCHIVE_IN_CONTAINER,
      "--state-dir", WITNESS_STATE_IN_CONTAINER,
      ...witnessRelayers(config.rail).flatMap((u) => ["--relayer", u]),
      "--mode", config.rail.mode,
      "--listen", `0.0.0.0:${W}`,
    ],
    env: { ECP_WITNESS_KEY: secretRef("railWitnessKey") },
    // Not published: Prometheus scrapes it on the network; nothing else needs to reach it.
    ports: [{ name: "http", kind: "metrics", internal: W, ip: "127.0.0.1", protocol: "tcp" }],
    mounts: [
      { hostPath: `${paths.rail}/rail.mjs`, containerPath: BUNDLE_IN_CONTAINER, readOnly: true },
      { hostPath: archive, containerPath: WITNESS_ARCHIVE_IN_CONTAINER, readOnly: true },
      { hostPath: paths.railWitnessState, containerPath: WITNESS_STATE_IN_CONTAINER, readOnly: false },
    ],
    healthcheck: nodeHealthcheck(W),
    dependsOn: ["rail-relayer"],
    networkAlias: "rail-witness",
    restart: "unless-stopped",
    memoryMb: RAIL_MEMORY_MB.witness,
  };
}
