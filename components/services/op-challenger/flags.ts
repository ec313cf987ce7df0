/**
 * op-challenger: plays the chain's dispute games.
 *
 * Runs the ROOT command (no subcommand). `run-trace`, which the tutorial uses, is a diagnostics loop
 * ("Continuously runs the specified trace providers", mono@op-challenger/v1.9.3:op-challenger/cmd/run_trace.go).
 * Flags checked at mono@op-challenger/v1.9.3: op-challenger/flags/flags.go (env prefix OP_CHALLENGER;
 * requiredFlags l1-eth-rpc, datadir, l1-beacon; game-types with alias trace-type; cannon-bin, cannon-server;
 * CheckCannonFlags needs rollup-rpc, rollup-config + l2-genesis, and prestates-url or cannon-prestate),
 * op-challenger/flags/vm_flag.go (per-VM names `cannon-<name>`), op-challenger/game/types/game_type.go
 * (`permissioned` = 1, `cannon` = 0; the permissioned game uses the cannon flags),
 * op-service/txmgr/cli.go, op-service/{metrics,log}/cli.go. op-challenger has no RPC server.
 * Image: ubuntu base with op-challenger, op-program and cannon in /usr/local/bin (ops/docker/op-stack-go/Dockerfile).
 */
import { CONTAINER_PORTS, EXECUTION_CLIENT_ALIAS, GAME_TYPE, HOST_LOOPBACK_PORTS, SERVICE_DEFAULTS } from "../../config/defaults.js";
import { imageRef } from "../../config/images.js";
import type { StackConfig } from "../../config/schema.js";
import type { Addresses } from "../../deployer/deployment.js";
import { CONTAINER_PATHS, type HostPaths } from "../paths.js";
import { flag, httpProbe, internalUrl, roleSigning, secretRef, type ServiceSpec, opServiceTelemetryFlags } from "../spec.js";

const P = CONTAINER_PORTS.opChallenger;

/** op-challenger game-type names for the proof setup. */
export function challengerGameTypes(config: Pick<StackConfig, "proofs">): string[] {
  // The permissioned game (type 1) is always deployed; play cannon (type 0) too once it is the proposer's type.
  return config.proofs.proposerGameType === GAME_TYPE.CANNON ? ["permissioned", "cannon"] : ["permissioned"];
}

/**
 * @throws Error when no prestate is configured: run prestate/gate.ts first; it decides whether to create this.
 */
export function opChallengerSpec(
  config: Pick<StackConfig, "images" | "proofs" | "prestate" | "signers">,
  addresses: Pick<Addresses, "DisputeGameFactoryProxy">,
  paths: HostPaths,
): ServiceSpec {
  const signing = roleSigning(config, "challenger", "OP_CHALLENGER_PRIVATE_KEY");
  if (config.prestate === undefined) {
    throw new Error("op-challenger needs `ecp:prestate`; check prestateGate() before building its spec.");
  }
  return {
    name: "op-challenger",
    image: imageRef(config.images.opChallenger),
    command: [
      "op-challenger",
      // Must be archive with the debug API (both clients are: see op-reth/flags.ts, op-geth/flags.ts).
      flag("l2-eth-rpc", internalUrl(EXECUTION_CLIENT_ALIAS, CONTAINER_PORTS.executionClient.http)),
      // op-node with --safedb.path.
      flag("rollup-rpc", internalUrl("op-node", CONTAINER_PORTS.opNode.rpc)),
      flag("game-factory-address", addresses.DisputeGameFactoryProxy),
      flag("game-types", challengerGameTypes(config).join(",")),
      flag("datadir", CONTAINER_PATHS.data),
      // Our chain is not in the superchain registry, so no --network: rollup config and genesis by file.
      flag("cannon-rollup-config", CONTAINER_PATHS.rollup),
      flag("cannon-l2-genesis", CONTAINER_PATHS.genesis),
      // The image also sets these through ENV; explicit so a custom image fails loudly.
      flag("cannon-bin", "/usr/local/bin/cannon"),
      flag("cannon-server", "/usr/local/bin/op-program"),
      // A directory holding `<hash><ext>`; the challenger picks the file named by each game's on-chain
      // absolutePrestate() and checks it (prestates/multi.go). file:// is read directly.
      flag("cannon-prestates-url", `file://${CONTAINER_PATHS.prestatesDir}`),
      flag("num-confirmations", SERVICE_DEFAULTS.opChallenger.numConfirmations),
      ...signing.flags,
      ...opServiceTelemetryFlags(P.metrics),
    ],
    env: {
      // The tutorial page's OP_CHALLENGER_L1_RPC_URL / OP_CHALLENGER_L1_BEACON_URL do not exist.
      OP_CHALLENGER_L1_ETH_RPC: secretRef("l1RpcUrl"),
      OP_CHALLENGER_L1_BEACON: secretRef("l1BeaconUrl"),
      // Permissioned games accept moves only from the intent's `challenger` address.
      ...signing.env,
    },
    ports: [
      // No RPC: the metrics port, on loopback, is the only thing to probe.
      {
        name: "metrics",
        kind: "metrics",
        internal: P.metrics,
        external: HOST_LOOPBACK_PORTS.opChallengerMetrics,
        ip: "127.0.0.1",
        protocol: "tcp",
      },
    ],
    mounts: [
      { hostPath: paths.opChallengerData, containerPath: CONTAINER_PATHS.data, readOnly: false },
      { hostPath: paths.configDir, containerPath: CONTAINER_PATHS.configDir, readOnly: true },
      { hostPath: paths.prestatesDir, containerPath: CONTAINER_PATHS.prestatesDir, readOnly: true },
      ...signing.mounts,
    ],
    healthcheck: httpProbe(`http://127.0.0.1:${HOST_LOOPBACK_PORTS.opChallengerMetrics}/metrics`),
    dependsOn: [EXECUTION_CLIENT_ALIAS, "op-node"],
    networkAlias: "op-challenger",
    restart: "unless-stopped",
  };
}
