/**
 * Runs scripts/op-stack/preflight.ts (`--no-balance`) on the operator's machine before `op-deployer apply`
 * and before the services: the L1 is Sepolia, its beacon API answers, and the pinned versions pass the fork
 * gate over the L1's own schedule. Its `create` line carries the intent hash and the pins, so it runs when
 * apply is about to (first deploy, intent change) and whenever a pin changes; a failure stops the update.
 * The deploy budget is checked by remote/op-deployer-apply.sh right before a first deploy, the only apply
 * that spends. (The same fork gate runs over the built-in table on every preview, in the program: stack.ts.)
 */
import { fileURLToPath } from "node:url";

import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";

import type { Address } from "../config/roles.js";
import type { StackConfig } from "../config/schema.js";
import type { Pins } from "./forks.js";
import { stackPins } from "./preflight.js";

export const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface PreflightArgs {
  config: Pick<StackConfig, "l1RpcUrl" | "l1BeaconUrl" | "images" | "executionClient" | "opDeployer" | "forkHorizonDays">;
  deployer: Address;
  /** sha256 of the intent about to be applied. */
  intentHash: pulumi.Input<string>;
}

/** The pins in a stable order, as the step's trigger and its ECP_PINS. */
export function pinsJson(pins: Pins): string {
  return JSON.stringify(Object.fromEntries(Object.entries(pins).sort(([a], [b]) => a.localeCompare(b))));
}

export function preflightCommandLine(intentHash: string, pins: Pins, horizonDays: number): string {
  return `node_modules/.bin/tsx scripts/op-stack/preflight.ts --no-balance # before applying intent sha256 ${intentHash}; pins ${pinsJson(pins)}, horizon ${horizonDays} days`;
}

export class Preflight extends pulumi.ComponentResource {
  readonly check: command.local.Command;

  constructor(name: string, args: PreflightArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecp:preflight:Preflight", name, {}, opts);
    const pins = stackPins(args.config);
    this.check = new command.local.Command(
      `${name}-l1`,
      {
        create: pulumi.output(args.intentHash).apply((hash) => preflightCommandLine(hash, pins, args.config.forkHorizonDays)),
        dir: PROJECT_ROOT,
        environment: {
          ECP_L1_RPC_URL: pulumi.secret(args.config.l1RpcUrl.reveal()),
          ECP_L1_BEACON_URL: pulumi.secret(args.config.l1BeaconUrl.reveal()),
          ECP_DEPLOYER_ADDRESS: args.deployer,
          ECP_PINS: pinsJson(pins),
          ECP_FORK_HORIZON_DAYS: String(args.config.forkHorizonDays),
        },
        addPreviousOutputInEnv: false,
      },
      { parent: this },
    );
    this.registerOutputs({ summary: this.check.stdout });
  }
}
