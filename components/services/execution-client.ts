/**
 * The L2 execution client, op-reth (default) or op-geth (`ecp:executionClient`): its `init` from genesis.json
 * (remote/execution-init.sh, on every genesis change), then the container. Only the chosen client runs; its
 * data directory is its own, so switching clients starts the new one from genesis (see README, day-2).
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";

import type { ExecutionClient } from "../config/defaults.js";
import type { StackConfig } from "../config/schema.js";
import { opStackScript, remoteScript } from "../host/shell.js";
import { dockerRunArgs } from "./container.js";
import { opGethSpec } from "./op-geth/flags.js";
import { opRethSpec } from "./op-reth/flags.js";
import { type NodeSettings, sequencerNode } from "./node-role.js";
import type { HostPaths } from "./paths.js";
import type { ExecutionClientSpec } from "./spec.js";
import { createService, remoteImage, type ServiceArgs } from "./service.js";

/**
 * The JSON-RPC namespaces the other services call on the execution client's HTTP port (op-node talks only to
 * the auth port, which serves the engine API and eth). A test checks that both clients' `--http.api` serve all of them.
 */
export const EL_NAMESPACES_CALLED: Readonly<Record<string, { namespaces: readonly string[]; source: string }>> = {
  "op-batcher": {
    namespaces: ["eth", "miner"],
    source: "mono@op-batcher/v1.16.10: batcher/driver.go (eth_* blocks; miner_setMaxDASize from DA throttling, on by default, fatal on method-not-found)",
  },
  "op-challenger": {
    namespaces: ["eth", "debug"],
    source: "mono@op-challenger/v1.9.3: op-challenger/flags/flags.go l2-eth-rpc (archive node; debug_dbGet for the preimage oracle's trie nodes)",
  },
  rail: { namespaces: ["eth"], source: "rail/connection.ts, rail/tx.ts (eth_chainId, eth_call, eth_getLogs, eth_sendRawTransaction, eth_getTransactionReceipt)" },
};

/** The namespaces a spec's `--http.api` serves. */
export function httpApiOf(spec: { command: readonly string[] }): string[] {
  const arg = spec.command.find((a) => a.startsWith("--http.api="));
  return arg === undefined ? [] : arg.slice("--http.api=".length).split(",");
}

/** The chosen client's spec, with its init run. */
export function executionClientSpec(
  config: Pick<StackConfig, "executionClient" | "images" | "p2p"> & { host?: StackConfig["host"] },
  paths: HostPaths,
  node: NodeSettings = sequencerNode(config),
): ExecutionClientSpec {
  const specs: Record<ExecutionClient, () => ExecutionClientSpec> = {
    "op-reth": () => opRethSpec(config, paths, node),
    "op-geth": () => opGethSpec(config, paths, node),
  };
  return specs[config.executionClient]();
}

export interface ExecutionClientArgs extends ServiceArgs {
  genesisSha256: pulumi.Input<string>;
  /** Default: the sequencer's. */
  node?: NodeSettings;
}

export class ExecutionClientService extends pulumi.ComponentResource {
  readonly init: command.remote.Command;
  readonly ready: pulumi.Resource;

  constructor(name: string, args: ExecutionClientArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecp:opstack:ExecutionClient", name, {}, opts);
    const spec = executionClientSpec(args.config, args.paths, args.node);
    const image = remoteImage(name, spec.image, args.ctx, this);
    const step = pulumi.all([args.genesisSha256, image.imageId]).apply(([sha, imageId]) => ({
      create: `bash -s # ${spec.name} init, genesis.json sha256 ${sha}, image ${imageId}`,
      stdin: remoteScript(
        {
          GENESIS_SHA256: sha,
          DOCKER_RUN_ARGS: dockerRunArgs({ image: imageId, ...spec.init }).join("\n"),
        },
        opStackScript("remote/execution-init.sh"),
      ),
    }));
    this.init = new command.remote.Command(
      `${name}-init`,
      { connection: args.ctx.connection, create: step.create, stdin: step.stdin, addPreviousOutputInEnv: false },
      { parent: this, dependsOn: args.dependsOn ?? [] },
    );
    const svc = createService(name, spec, args.ctx, this, {
      image,
      imageRef: spec.image,
      // op-geth's image has a shell and checks itself; op-reth's is probed from the host.
      hostProbe: spec.healthcheck.kind === "http",
      configHash: args.configHash,
      dependsOn: [this.init],
    });
    this.ready = svc.ready;
    this.registerOutputs({ container: svc.container.name });
  }
}
