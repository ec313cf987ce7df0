/** op-dispute-mon: watches the chain's dispute games (optional; gated with the challenger). */
import * as pulumi from "@pulumi/pulumi";

import { imageRef } from "../../config/images.js";
import type { RoleAddresses } from "../../config/roles.js";
import type { Addresses } from "../../deployer/deployment.js";
import { createService, type ServiceArgs } from "../service.js";
import { opDisputeMonSpec } from "./flags.js";

export interface OpDisputeMonArgs extends ServiceArgs {
  addresses: pulumi.Input<Pick<Addresses, "DisputeGameFactoryProxy">>;
  roles: Pick<RoleAddresses, "proposer" | "challenger">;
}

export class OpDisputeMon extends pulumi.ComponentResource {
  readonly ready: pulumi.Resource;

  constructor(name: string, args: OpDisputeMonArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecp:opstack:OpDisputeMon", name, {}, opts);
    const spec = pulumi.output(args.addresses).apply((a) => opDisputeMonSpec(args.config, a, args.roles));
    const svc = createService(name, spec, args.ctx, this, {
      imageRef: imageRef(args.config.images.opDisputeMon),
      hostProbe: true,
      configHash: args.configHash,
      dependsOn: args.dependsOn ?? [],
    });
    this.ready = svc.ready;
    this.registerOutputs({ container: svc.container.name });
  }
}
