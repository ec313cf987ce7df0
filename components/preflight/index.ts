/**
 * Runs scripts/op-stack/preflight.ts on the operator's machine before `op-deployer apply`. Its `create`
 * line carries the intent hash, so it runs exactly when apply is about to (first deploy, intent change),
 * and a failure stops the update before any Sepolia ETH is spent.
 */
import { fileURLToPath } from "node:url";

import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";

import type { Address } from "../config/roles.js";
import type { StackConfig } from "../config/schema.js";

export const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface PreflightArgs {
  config: Pick<StackConfig, "l1RpcUrl" | "l1BeaconUrl" | "minDeployerBalanceWei">;
  deployer: Address;
  /** sha256 of the intent about to be applied. */
  intentHash: pulumi.Input<string>;
}

export function preflightCommandLine(intentHash: string): string {
  return `node_modules/.bin/tsx scripts/op-stack/preflight.ts # before applying intent sha256 ${intentHash}`;
}

export class Preflight extends pulumi.ComponentResource {
  readonly check: command.local.Command;

  constructor(name: string, args: PreflightArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecp:preflight:Preflight", name, {}, opts);
    this.check = new command.local.Command(
      `${name}-l1`,
      {
        create: pulumi.output(args.intentHash).apply(preflightCommandLine),
        dir: PROJECT_ROOT,
        environment: {
          ECP_L1_RPC_URL: pulumi.secret(args.config.l1RpcUrl.reveal()),
          ECP_L1_BEACON_URL: pulumi.secret(args.config.l1BeaconUrl.reveal()),
          ECP_DEPLOYER_ADDRESS: args.deployer,
          ECP_MIN_DEPLOYER_BALANCE_WEI: args.config.minDeployerBalanceWei.toString(),
        },
        addPreviousOutputInEnv: false,
      },
      { parent: this },
    );
    this.registerOutputs({ summary: this.check.stdout });
  }
}
