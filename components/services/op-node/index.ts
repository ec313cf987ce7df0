/** op-node: the sequencer, or a verifier peer's, probed from the host once started. */
import * as pulumi from "@pulumi/pulumi";

import { imageRef } from "../../config/images.js";
import { type NodeSettings, sequencerNode } from "../node-role.js";
import { createService, type ServiceArgs } from "../service.js";
import { opNodeSpec } from "./flags.js";

export interface OpNodeArgs extends ServiceArgs {
  /** Default: the sequencer's. A verifier's names the sequencer's multiaddr, an output of its key. */
  node?: pulumi.Input<NodeSettings>;
}

export class OpNode extends pulumi.ComponentResource {
  readonly ready: pulumi.Resource;

  constructor(name: string, args: OpNodeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecp:opstack:OpNode", name, {}, opts);
    const spec = pulumi.output(args.node ?? sequencerNode(args.config)).apply((node) => opNodeSpec(args.config, args.paths, node as NodeSettings));
    const svc = createService(name, spec, args.ctx, this, {
      imageRef: imageRef(args.config.images.opNode),
      hostProbe: true,
      configHash: args.configHash,
      dependsOn: args.dependsOn ?? [],
    });
    this.ready = svc.ready;
    this.registerOutputs({ container: svc.container.name });
  }
}
