/** op-node: the sequencer, probed from the host once started. */
import * as pulumi from "@pulumi/pulumi";

import { createService, type ServiceArgs } from "../service.js";
import { opNodeSpec } from "./flags.js";

export class OpNode extends pulumi.ComponentResource {
  readonly ready: pulumi.Resource;

  constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecp:opstack:OpNode", name, {}, opts);
    const spec = opNodeSpec(args.config, args.paths);
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
