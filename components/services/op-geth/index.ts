/** op-geth: `geth init` from genesis.json (remote/op-geth-init.sh), then the container. */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";

import { opStackScript, remoteScript } from "../../host/shell.js";
import { dockerRunArgs } from "../container.js";
import { createService, remoteImage, type ServiceArgs } from "../service.js";
import { opGethSpec } from "./flags.js";

export interface OpGethArgs extends ServiceArgs {
  genesisSha256: pulumi.Input<string>;
}

export class OpGeth extends pulumi.ComponentResource {
  readonly init: command.remote.Command;
  readonly ready: pulumi.Resource;

  constructor(name: string, args: OpGethArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecp:opstack:OpGeth", name, {}, opts);
    const spec = opGethSpec(args.config, args.paths);
    const image = remoteImage(name, spec.image, args.ctx, this);
    const step = pulumi.all([args.genesisSha256, image.imageId]).apply(([sha, imageId]) => ({
      create: `bash -s # geth init, genesis.json sha256 ${sha}, image ${imageId}`,
      stdin: remoteScript(
        {
          GENESIS_SHA256: sha,
          DOCKER_RUN_ARGS: dockerRunArgs({ image: imageId, ...spec.init }).join("\n"),
        },
        opStackScript("remote/op-geth-init.sh"),
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
      hostProbe: false,
      configHash: args.configHash,
      dependsOn: [this.init],
    });
    this.ready = svc.ready;
    this.registerOutputs({ container: svc.container.name });
  }
}
