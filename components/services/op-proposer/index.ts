/** op-proposer: proposes output roots as dispute games of the configured type. */
import * as pulumi from "@pulumi/pulumi";

import { imageRef } from "../../config/images.js";
import type { Addresses } from "../../deployer/deployment.js";
import { createService, type ServiceArgs } from "../service.js";
import { opProposerSpec } from "./flags.js";

export interface OpProposerArgs extends ServiceArgs {
  addresses: pulumi.Input<Pick<Addresses, "DisputeGameFactoryProxy">>;
}

export class OpProposer extends pulumi.ComponentResource {
  readonly ready: pulumi.Resource;

  constructor(name: string, args: OpProposerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecp:opstack:OpProposer", name, {}, opts);
    const spec = pulumi.output(args.addresses).apply((a) => opProposerSpec(args.config, a));
    const svc = createService(name, spec, args.ctx, this, {
      imageRef: imageRef(args.config.images.opProposer),
      hostProbe: true,
      configHash: args.configHash,
      dependsOn: args.dependsOn ?? [],
    });
    this.ready = svc.ready;
    this.registerOutputs({ container: svc.container.name });
  }
}
