/**
 * The observation rail on the new chain, run by the same client as the local smoke (rail/cli.ts, bundled):
 * - RailLedger: copies the bundle to ecp-forge, tops up the deployer (and witnesses in witness-tx mode) on L2
 *   through OptimismPortal deposits, and deploys the rail and the ledger with CREATE2 (idempotent: a re-run
 *   deploys nothing). Addresses become stack outputs. Retained and protected: contracts cannot be undeployed.
 * - RailSmoke: derives observations from the archive on the host, has the witnesses sign off, and verifies
 *   that every one finalized. Re-runs when the ledger or `ecp:rail.smokeTrigger` changes.
 */
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";

import { imageRef } from "../config/images.js";
import type { StackConfig } from "../config/schema.js";
import type { CommandConnection } from "../host/ssh.js";
import type { Secrets } from "../secrets/index.js";
import type { HostPaths } from "../services/paths.js";
import { bundleRailCli } from "./bundle.js";
import { deployArgs, parseDeployOutput, parseSmokeOutput, railScript, type RailDeployment, type SmokeOutput, smokeArgs, witnessAddresses } from "./steps.js";

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
  readonly bundlePath: string;
  readonly nodeImage: docker.RemoteImage;

  constructor(name: string, args: RailArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecp:rail:RailLedger", name, {}, opts);
    const rail = args.config.rail;
    const bundle = bundleRailCli();
    this.bundlePath = `${args.paths.rail}/rail.mjs`;
    const copy = new command.remote.CopyToRemote(
      `${name}-bundle`,
      { connection: args.connection, source: new pulumi.asset.StringAsset(bundle.code), remotePath: this.bundlePath },
      { parent: this, dependsOn: args.dependsOn },
    );
    this.nodeImage = new docker.RemoteImage(
      `${name}-node-image`,
      { name: imageRef(rail.nodeImage), keepLocally: true },
      { parent: this, provider: args.dockerProvider },
    );
    const witnesses = witnessAddresses(rail);
    const stdin = pulumi
      .all([args.portal, this.nodeImage.imageId, args.secrets.deployerPrivateKey, args.secrets.get("l1RpcUrl")])
      .apply(([portal, image, deployerKey, l1RpcUrl]) =>
        railScript({
          bundlePath: this.bundlePath,
          nodeImage: image,
          args: deployArgs(rail, portal),
          deployerKey,
          witnessKeys: rail.witnessKeys.map((k) => k.reveal()),
          l1RpcUrl,
        }),
      );
    this.deploy = new command.remote.Command(
      `${name}-deploy`,
      {
        connection: args.connection,
        create: `bash -s # rail deploy: client ${bundle.sha256.slice(0, 16)}, witnesses ${witnesses.join(",")}, quorum ${rail.quorum}`,
        stdin: pulumi.secret(stdin),
        logging: "stderr",
        addPreviousOutputInEnv: false,
      },
      { parent: this, dependsOn: [copy], protect: args.protect ?? true, retainOnDelete: true },
    );
    this.deployment = this.deploy.stdout.apply(parseDeployOutput);
    this.registerOutputs({ ledger: this.deployment.apply((d) => d.ledger) });
  }
}

export interface RailSmokeArgs {
  config: StackConfig;
  connection: CommandConnection;
  secrets: Secrets;
  ledger: RailLedger;
}

export class RailSmoke extends pulumi.ComponentResource {
  readonly summary: pulumi.Output<SmokeOutput>;

  constructor(name: string, args: RailSmokeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecp:rail:RailSmoke", name, {}, opts);
    const rail = args.config.rail;
    const archivePath = rail.archivePath;
    if (archivePath === undefined) throw new Error(`${name}: ecp:rail.archivePath is not set; check railGate first.`);
    const stdin = pulumi
      .all([args.ledger.nodeImage.imageId, args.secrets.deployerPrivateKey])
      .apply(([image, deployerKey]) =>
        railScript({
          bundlePath: args.ledger.bundlePath,
          nodeImage: image,
          args: smokeArgs(rail),
          deployerKey,
          witnessKeys: rail.witnessKeys.map((k) => k.reveal()),
          archivePath,
        }),
      );
    const smoke = new command.remote.Command(
      `${name}-run`,
      {
        connection: args.connection,
        create: pulumi.interpolate`bash -s # rail smoke: ledger ${args.ledger.deployment.ledger}, archive ${archivePath}, trigger ${rail.smokeTrigger}`,
        stdin: pulumi.secret(stdin),
        logging: "stderr",
        addPreviousOutputInEnv: false,
      },
      { parent: this, dependsOn: [args.ledger.deploy] },
    );
    this.summary = smoke.stdout.apply(parseSmokeOutput);
    this.registerOutputs({ ok: this.summary.apply((s) => s.ok) });
  }
}
