/** op-batcher: posts the L2's batches to L1. */
import * as pulumi from "@pulumi/pulumi";

import { createService, type ServiceArgs } from "../service.js";
import { opBatcherSpec } from "./flags.js";

export class OpBatcher extends pulumi.ComponentResource {
  readonly ready: pulumi.Resource;

  constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecp:opstack:OpBatcher", name, {}, opts);
    const spec = opBatcherSpec(args.config);
    const svc = createService(name, spec, args.ctx, this, {
      imageRef: spec.image,
      hostProbe: true,
      configHash: args.configHash,
      dependsOn: args.dependsOn ?? [],
    });
    this.ready = svc.ready;
    this.registerOutputs({ container: svc.container.name });
  }
}
