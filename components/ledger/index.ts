/**
 * The observation rail on the new chain, run by the same client as the local smoke (rail/cli.ts, bundled):
 * - RailLedger: copies the bundle to ecp-forge, tops up the deployer and the relayer on L2 through
 *   OptimismPortal deposits, deploys the rail and the ledger with CREATE2 at an address fixed by the chain,
 *   the deployer and the salt (never by the witnesses), then reconciles its witness set and quorum with
 *   `ecp:rail.witnesses` / `ecp:rail.quorum` in place and reads them back. A membership change re-runs this
 *   step (an update); the ledger keeps its address. Retained and protected: contracts cannot be undeployed.
 * - RailServices: `rail relayer`, and `rail witness` when ecp-forge holds a witness key, as containers.
 * - RailSmoke: the witness network on a fresh smoke ledger of its own with throwaway keys the stack
 *   generates (random), over the configured archive or the bundled fixture. Never the real ledger.
 */
import { readFileSync } from "node:fs";

import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { privateKeyToAddress } from "viem/accounts";

import { imageRef } from "../config/images.js";
import type { StackConfig } from "../config/schema.js";
import type { CommandConnection } from "../host/ssh.js";
import type { Secrets } from "../secrets/index.js";
import type { HostPaths } from "../services/paths.js";
import { createService, type ServiceContext } from "../services/service.js";
import { contentSha256 } from "../deployer/deployment.js";
import { bundleRailCli } from "./bundle.js";
import { railRelayerSpec, railWitnessSpec } from "./services.js";
import { deployArgs, FIXTURE_NAME, parseDeployOutput, parseSmokeOutput, railScript, type RailDeployment, type SmokeOutput, smokeArgs } from "./steps.js";
import { PROJECT_ROOT } from "../preflight/index.js";

export interface RailArgs {
  config: StackConfig;
  connection: CommandConnection;
  dockerProvider: docker.Provider;
  paths: HostPaths;
  secrets: Secrets;
  /** OptimismPortalProxy on L1, for the deposits. */
  portal: pulumi.Input<string>;
  /** The L2 is up: the execution client and op-node ready. */
  dependsOn: pulumi.Input<pulumi.Resource>[];
  protect?: boolean;
}

export class RailLedger extends pulumi.ComponentResource {
  readonly deployment: pulumi.Output<RailDeployment>;
  readonly deploy: command.remote.Command;
  readonly bundle: command.remote.CopyToRemote;
  readonly bundlePath: string;
  readonly bundleSha256: pulumi.Output<string>;
  readonly nodeImage: docker.RemoteImage;

  constructor(name: string, args: RailArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecp:rail:RailLedger", name, {}, opts);
    const rail = args.config.rail;
    const relayer = args.secrets.railRelayerAddress;
    if (relayer === undefined) throw new Error(`${name}: the relayer's key is missing; Secrets makes it whenever the rail is deployed.`);
    const bundle = pulumi.output(bundleRailCli());
    this.bundlePath = `${args.paths.rail}/rail.mjs`;
    this.bundleSha256 = bundle.sha256;
    this.bundle = new command.remote.CopyToRemote(
      `${name}-bundle`,
      { connection: args.connection, source: bundle.apply((b) => new pulumi.asset.StringAsset(b.code)), remotePath: this.bundlePath },
      { parent: this, dependsOn: args.dependsOn },
    );
    this.nodeImage = new docker.RemoteImage(
      `${name}-node-image`,
      { name: imageRef(rail.nodeImage), keepLocally: true },
      { parent: this, provider: args.dockerProvider },
    );
    const members = rail.witnesses.map((w) => w.address).join(",");
    const stdin = pulumi
      .all([args.portal, relayer, this.nodeImage.imageId, args.secrets.deployerPrivateKey, args.secrets.get("l1RpcUrl")])
      .apply(([portal, relayerAddress, image, deployerKey, l1RpcUrl]) =>
        railScript({ bundlePath: this.bundlePath, nodeImage: image, args: deployArgs(rail, portal, fundedAccounts(rail, relayerAddress)), deployerKey, l1RpcUrl }),
      );
    // The witness set and quorum are in `create`, so a change is an update of this step (it runs again and
    // reconciles in place), never a replacement: the ledger's address depends on the deployer and salt only.
    this.deploy = new command.remote.Command(
      `${name}-deploy`,
      {
        connection: args.connection,
        create: pulumi.interpolate`bash -s # rail deploy: client ${this.bundleSha256.apply((h) => h.slice(0, 16))}, relayer ${relayer}, witnesses ${members}, quorum ${rail.quorum}`,
        stdin: pulumi.secret(stdin),
        logging: "stderr",
        addPreviousOutputInEnv: false,
      },
      { parent: this, dependsOn: [this.bundle], protect: args.protect ?? true, retainOnDelete: true },
    );
    this.deployment = this.deploy.stdout.apply(parseDeployOutput);
    this.registerOutputs({ ledger: this.deployment.apply((d) => d.ledger) });
  }
}

/** Who the deploy step tops up on L2 besides the deployer: the relayer, and ecp-forge's own witness when it
 *  sends its own transactions (`witness-tx`). */
export function fundedAccounts(rail: Pick<StackConfig["rail"], "mode" | "witnessKey">, relayer: string): string[] {
  return rail.mode === "witness-tx" && rail.witnessKey !== undefined ? [relayer, privateKeyToAddress(rail.witnessKey.reveal())] : [relayer];
}

export interface RailServicesArgs {
  config: StackConfig;
  ctx: ServiceContext;
  paths: HostPaths;
  ledger: RailLedger;
  configHash: pulumi.Input<string>;
}

/** `rail relayer` always, `rail witness` with `ecp:railWitnessKey`: containers from the bundle the ledger
 *  step copied, replaced when the client, the ledger or their flags change. */
export class RailServices extends pulumi.ComponentResource {
  readonly relayer: docker.Container;
  readonly witness?: docker.Container;

  constructor(name: string, args: RailServicesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecp:rail:RailServices", name, {}, opts);
    const { config, ctx, paths, ledger } = args;
    // The bundle's hash is part of the config hash: a new client replaces the containers.
    const hash = pulumi.all([args.configHash, ledger.bundleSha256]).apply(([h, client]) => contentSha256(`${h}\n${client}`));
    const common = { image: ledger.nodeImage, imageRef: imageRef(config.rail.nodeImage), hostProbe: false, configHash: hash };
    const relayer = createService(
      "rail-relayer",
      ledger.deployment.apply((d) => railRelayerSpec(config, paths, d.ledger, d.deployBlock)),
      ctx,
      this,
      { ...common, dependsOn: [ledger.deploy] },
    );
    this.relayer = relayer.container;
    if (config.rail.witnessKey !== undefined) {
      this.witness = createService(
        "rail-witness",
        ledger.deployment.apply((d) => railWitnessSpec(config, paths, d.ledger, d.deployBlock)),
        ctx,
        this,
        { ...common, dependsOn: [ledger.deploy, relayer.container] },
      ).container;
    }
    this.registerOutputs({ relayer: this.relayer.name });
  }
}

export interface RailSmokeArgs {
  config: StackConfig;
  connection: CommandConnection;
  paths: HostPaths;
  secrets: Secrets;
  ledger: RailLedger;
}

export class RailSmoke extends pulumi.ComponentResource {
  readonly summary: pulumi.Output<SmokeOutput>;
  /** The throwaway keys, for the plaintext-secret checks: never a member's, never on the real ledger. */
  readonly keys: pulumi.Output<string>[];

  constructor(name: string, args: RailSmokeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecp:rail:RailSmoke", name, {}, opts);
    const rail = args.config.rail;
    const key = (label: string) => pulumi.secret(new random.RandomBytes(`${name}-${label}-key`, { length: 32 }, { parent: this }).hex.apply((h) => `0x${h}`));
    const witnessKeys = Array.from({ length: rail.smokeWitnesses }, (_, i) => key(`witness-${i}`));
    const relayerKey = key("relayer");
    this.keys = [...witnessKeys, relayerKey];
    // The archive on the host: the configured one, else the bundled fixture copied next to the client.
    let archivePath: string;
    const dependsOn: pulumi.Resource[] = [args.ledger.deploy];
    if (rail.archiveDir !== undefined) {
      archivePath = rail.archiveDir;
    } else {
      archivePath = `${args.paths.rail}/${FIXTURE_NAME}`;
      const fixture = readFileSync(`${PROJECT_ROOT}/smoke/fixtures/archive.jsonl`, "utf8");
      dependsOn.push(
        new command.remote.CopyToRemote(`${name}-fixture`, { connection: args.connection, source: new pulumi.asset.StringAsset(fixture), remotePath: archivePath }, { parent: this, dependsOn: [args.ledger.bundle] }),
      );
    }
    const stdin = pulumi
      .all([args.ledger.nodeImage.imageId, args.secrets.deployerPrivateKey, pulumi.all(witnessKeys), relayerKey])
      .apply(([image, deployerKey, smokeWitnessKeys, smokeRelayerKey]) =>
        railScript({ bundlePath: args.ledger.bundlePath, nodeImage: image, args: smokeArgs(rail), deployerKey, smokeWitnessKeys, smokeRelayerKey, archivePath }),
      );
    const smoke = new command.remote.Command(
      `${name}-run`,
      {
        connection: args.connection,
        create: pulumi.interpolate`bash -s # rail smoke-network: ${rail.smokeWitnesses} throwaway witnesses, client ${args.ledger.bundleSha256.apply((h) => h.slice(0, 16))}, archive ${archivePath}, trigger ${rail.smokeTrigger}`,
        stdin: pulumi.secret(stdin),
        logging: "stderr",
        addPreviousOutputInEnv: false,
      },
      { parent: this, dependsOn },
    );
    this.summary = smoke.stdout.apply(parseSmokeOutput);
    this.registerOutputs({ ok: this.summary.apply((s) => s.ok) });
  }
}
