/**
 * Day 2 in the stack: after `op-deployer inspect`, scripts/op-stack/day2.ts runs on the operator's machine. It
 * reads the permissioned game's args and SystemConfig's batcher and unsafe-block signer from L1 and brings them
 * to the config with the deployer's owner calls (onchain.ts), or stops the update saying who must act. Its
 * `create` line carries the desired values and the contracts, so it runs again whenever a role key or
 * `ecp:prestate` changes; the services wait for it, so none starts with a key the chain does not accept.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";

import type { RoleAddresses } from "../config/roles.js";
import type { StackConfig } from "../config/schema.js";
import type { Addresses } from "../deployer/deployment.js";
import { PROJECT_ROOT } from "../preflight/index.js";
import type { Secrets } from "../secrets/index.js";
import type { Desired } from "./onchain.js";

export function day2Desired(config: Pick<StackConfig, "prestate">, roles: Pick<RoleAddresses, "proposer" | "challenger" | "batcher" | "unsafeBlockSigner">): Desired {
  const desired: Desired = { proposer: roles.proposer, challenger: roles.challenger, batcher: roles.batcher, unsafeBlockSigner: roles.unsafeBlockSigner };
  if (config.prestate !== undefined) desired.absolutePrestate = config.prestate.hash;
  return desired;
}

/** The step's trigger: the contracts and every desired value, labelled (a hash as `prestate 0x…`). */
export function day2CommandLine(desired: Desired, addresses: Pick<Addresses, "DisputeGameFactoryProxy" | "SystemConfigProxy">): string {
  const prestate = desired.absolutePrestate === undefined ? "prestate as deployed" : `prestate ${desired.absolutePrestate}`;
  return (
    `node_modules/.bin/tsx scripts/op-stack/day2.ts # factory ${addresses.DisputeGameFactoryProxy}, system config ${addresses.SystemConfigProxy}; ` +
    `${prestate}, proposer ${desired.proposer}, challenger ${desired.challenger}, batcher ${desired.batcher}, signer ${desired.unsafeBlockSigner}`
  );
}

const hex = z.string().regex(/^0x[0-9a-fA-F]+$/);
const values = z.object({ absolutePrestate: hex, proposer: hex, challenger: hex, batcher: hex, unsafeBlockSigner: hex });
const reportSchema = z.object({ before: values, after: values, sent: z.array(z.object({ call: z.string(), changes: z.array(z.string()), transaction: hex })) });
export type Day2Report = z.infer<typeof reportSchema>;

export function parseDay2Report(stdout: string): Day2Report {
  const parsed = reportSchema.safeParse(JSON.parse(stdout.trim().split("\n").at(-1) ?? ""));
  if (!parsed.success) throw new Error(`scripts/op-stack/day2.ts printed an unexpected report: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  return parsed.data;
}

export interface Day2Args {
  config: Pick<StackConfig, "prestate">;
  roles: RoleAddresses;
  secrets: Secrets;
  addresses: pulumi.Input<Pick<Addresses, "DisputeGameFactoryProxy" | "SystemConfigProxy">>;
  dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class Day2 extends pulumi.ComponentResource {
  readonly step: command.local.Command;
  /** The chain's values after the step: what the services run against. */
  readonly report: pulumi.Output<Day2Report>;

  constructor(name: string, args: Day2Args, opts?: pulumi.ComponentResourceOptions) {
    super("ecp:day2:Day2", name, {}, opts);
    const desired = day2Desired(args.config, args.roles);
    const addresses = pulumi.output(args.addresses);
    this.step = new command.local.Command(
      `${name}-l1`,
      {
        create: addresses.apply((a) => day2CommandLine(desired, a)),
        dir: PROJECT_ROOT,
        environment: {
          ECP_L1_RPC_URL: args.secrets.get("l1RpcUrl"),
          ECP_DEPLOYER_KEY: args.secrets.deployerPrivateKey,
          ECP_ADDRESSES: addresses.apply((a) => JSON.stringify({ DisputeGameFactoryProxy: a.DisputeGameFactoryProxy, SystemConfigProxy: a.SystemConfigProxy })),
          ECP_DESIRED: JSON.stringify(desired),
        },
        addPreviousOutputInEnv: false,
      },
      { parent: this, dependsOn: args.dependsOn },
    );
    this.report = this.step.stdout.apply(parseDay2Report);
    this.registerOutputs({ report: this.report });
  }
}
