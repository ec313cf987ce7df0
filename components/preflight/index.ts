/**
 * Runs scripts/op-stack/preflight.ts on the operator's machine.
 * - Before `op-deployer apply`: its `create` line carries the intent hash, so it runs exactly when apply is
 *   about to (first deploy, intent change), and a failure stops the update before any Sepolia ETH is spent.
 * - The fork gate over the L1's own fork schedule (`--forks-only`, no balance): its `create` line carries the
 *   pinned versions, so it runs whenever a pin changes, and the services wait for it.
 * (The same gate runs over the built-in fork table on every preview, in the program: stack.ts.)
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
  config: Pick<StackConfig, "l1RpcUrl" | "l1BeaconUrl" | "minDeployerBalanceWei" | "images" | "executionClient" | "opDeployer" | "forkHorizonDays">;
  deployer: Address;
  /** sha256 of the intent about to be applied. */
  intentHash: pulumi.Input<string>;
}

export function preflightCommandLine(intentHash: string): string {
  return `node_modules/.bin/tsx scripts/op-stack/preflight.ts # before applying intent sha256 ${intentHash}`;
}

/** The pins in a stable order, as the fork gate step's trigger and its ECP_PINS. */
export function pinsJson(pins: Pins): string {
  return JSON.stringify(Object.fromEntries(Object.entries(pins).sort(([a], [b]) => a.localeCompare(b))));
}

export function forkGateCommandLine(pins: Pins, horizonDays: number): string {
  return `node_modules/.bin/tsx scripts/op-stack/preflight.ts --forks-only # pins ${pinsJson(pins)}, horizon ${horizonDays} days`;
}

export class Preflight extends pulumi.ComponentResource {
  readonly check: command.local.Command;
  /** The fork gate over the L1's schedule; the services depend on it. */
  readonly forks: command.local.Command;

  constructor(name: string, args: PreflightArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecp:preflight:Preflight", name, {}, opts);
    const pins = stackPins(args.config);
    const environment = {
      ECP_L1_RPC_URL: pulumi.secret(args.config.l1RpcUrl.reveal()),
      ECP_L1_BEACON_URL: pulumi.secret(args.config.l1BeaconUrl.reveal()),
      ECP_DEPLOYER_ADDRESS: args.deployer,
      ECP_MIN_DEPLOYER_BALANCE_WEI: args.config.minDeployerBalanceWei.toString(),
      ECP_PINS: pinsJson(pins),
      ECP_FORK_HORIZON_DAYS: String(args.config.forkHorizonDays),
    };
    this.check = new command.local.Command(
      `${name}-l1`,
      { create: pulumi.output(args.intentHash).apply(preflightCommandLine), dir: PROJECT_ROOT, environment, addPreviousOutputInEnv: false },
      { parent: this },
    );
    this.forks = new command.local.Command(
      `${name}-forks`,
      { create: forkGateCommandLine(pins, args.config.forkHorizonDays), dir: PROJECT_ROOT, environment, addPreviousOutputInEnv: false },
      { parent: this },
    );
    this.registerOutputs({ summary: this.check.stdout });
  }
}
