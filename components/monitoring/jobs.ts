/**
 * Prometheus job names and the scrape targets each job has on the stack's Docker network.
 *
 * One job per container, named like the container (STYLE: containers and constants use the binary name).
 * The one exception is the execution client: op-reth and op-geth are interchangeable
 * (`ecp:executionClient`), run under the network alias `execution` and listen on the same metrics port, so
 * they share one job, `execution-client`, and rules and panels need not know which client runs. The
 * job's `client` target label says which one it is, and its metrics path differs (op-geth serves
 * Prometheus text only at /debug/metrics/prometheus).
 */
import { CONTAINER_PORTS, EXECUTION_CLIENT_ALIAS, type ExecutionClient } from "../config/defaults.js";

export const JOBS = {
  opNode: "op-node",
  executionClient: "execution-client",
  opBatcher: "op-batcher",
  opProposer: "op-proposer",
  opChallenger: "op-challenger",
  opDisputeMon: "op-dispute-mon",
  railWitness: "rail-witness",
  railRelayer: "rail-relayer",
} as const;

export type JobKey = keyof typeof JOBS;
export type JobName = (typeof JOBS)[JobKey];

export const JOB_KEYS = Object.keys(JOBS) as JobKey[];

/** The rail processes' ports (`rail relayer` 8650, `rail witness` 8651 unless `--listen` says otherwise);
 *  the stack's own containers listen on them on every address inside the container. */
export const RAIL_PORTS = { relayer: CONTAINER_PORTS.railRelayer.http, witness: CONTAINER_PORTS.railWitness.http } as const;

/**
 * Where each execution client serves Prometheus text. op-geth: `metrics/exp/exp.go` `Setup` registers
 * /debug/metrics/prometheus (base/op-geth@d0734fd5); op-reth answers any path other than its pprof and
 * tokio-dump routes (paradigmxyz/reth@v2.3.0:crates/node/metrics/src/server.rs).
 */
export const EXECUTION_METRICS_PATH: Readonly<Record<ExecutionClient, string>> = {
  "op-reth": "/metrics",
  "op-geth": "/debug/metrics/prometheus",
};

/** `host:port` targets per job. An empty list means the job is not scraped (e.g. no challenger deployed). */
export type ScrapeTargets = Readonly<Record<JobKey, readonly string[]>>;

/** The targets as the stack names its containers: service aliases on the `ecp-opstack` network. */
export function defaultTargets(): ScrapeTargets {
  return {
    opNode: [`op-node:${CONTAINER_PORTS.opNode.metrics}`],
    executionClient: [`${EXECUTION_CLIENT_ALIAS}:${CONTAINER_PORTS.executionClient.metrics}`],
    opBatcher: [`op-batcher:${CONTAINER_PORTS.opBatcher.metrics}`],
    opProposer: [`op-proposer:${CONTAINER_PORTS.opProposer.metrics}`],
    opChallenger: [`op-challenger:${CONTAINER_PORTS.opChallenger.metrics}`],
    opDisputeMon: [`op-dispute-mon:${CONTAINER_PORTS.opDisputeMon.metrics}`],
    railWitness: [`rail-witness:${RAIL_PORTS.witness}`],
    railRelayer: [`rail-relayer:${RAIL_PORTS.relayer}`],
  };
}

/**
 * The targets on verifier peers (ecp:peers) with a private metrics address: their op-node and execution
 * client publish their metrics ports there (services/node-role.ts), and Prometheus on ecp-forge reaches them
 * through the host's own routes. Peers without one are not scraped (config warning).
 */
export function peerTargets(peers: readonly { metricsAddress?: string }[]): { opNode: string[]; executionClient: string[] } {
  const addresses = peers.flatMap((p) => (p.metricsAddress === undefined ? [] : [p.metricsAddress]));
  return {
    opNode: addresses.map((a) => `${a}:${CONTAINER_PORTS.opNode.metrics}`),
    executionClient: addresses.map((a) => `${a}:${CONTAINER_PORTS.executionClient.metrics}`),
  };
}
