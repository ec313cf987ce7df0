/**
 * op-deployer on ecp-forge: install the pinned, sha256-verified binary, read what `init` decides, build
 * intent.toml from the config, preflight, deploy on Sepolia, and `inspect` genesis, rollup and L1.
 *
 * The first deploy goes in three steps, because op-deployer v0.7.1 cannot size its own deploy transaction on
 * post-Glamsterdam L1 (send.ts): op-deployer records the transaction on ecp-forge (calldata), the operator's
 * machine sends it (deploy-send, viem, gas from L1's estimate), and op-deployer finishes on ecp-forge (apply).
 * On a deployed chain the first two do nothing.
 *
 * state.json stays in `<stateDir>/deployer` on the host. The apply step is protected and retained on
 * delete: the L1 contracts cannot be undeployed, so `pulumi destroy` must not pretend to.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";

import type { RoleAddresses } from "../config/roles.js";
import type { StackConfig } from "../config/schema.js";
import type { CommandConnection } from "../host/ssh.js";
import { Preflight } from "../preflight/index.js";
import type { Secrets } from "../secrets/index.js";
import type { HostPaths } from "../services/paths.js";
import { buildIntent, intentBaseFromInitToml, intentToToml, type Intent } from "./intent.js";
import { PROJECT_ROOT } from "../preflight/index.js";
import { deployBlockOf, parseDeployPlan } from "./send.js";
import {
  applyCreateLine,
  applyStep,
  backupStep,
  calldataCreateLine,
  calldataStep,
  deploySendCommandLine,
  deploySendFeeEnv,
  initStep,
  inspectStep,
  installStep,
  intentHash,
  type Inspected,
  parseInspectOutput,
} from "./steps.js";

export interface OpDeployerArgs {
  config: StackConfig;
  connection: CommandConnection;
  paths: HostPaths;
  secrets: Secrets;
  roles: RoleAddresses;
  /** Protect the apply step from deletion (default true). */
  protectDeployment?: boolean;
}

export class OpDeployer extends pulumi.ComponentResource {
  readonly intent: pulumi.Output<Intent>;
  /** What the apply step ignores once it exists: it never re-runs after it succeeded. */
  readonly applyIgnoreChanges: readonly string[] = ["create", "stdin"];
  readonly intentToml: pulumi.Output<string>;
  /** Prints the backup directory it wrote. */
  readonly backup: command.remote.Command;
  readonly intentHash: pulumi.Output<string>;
  /** First deploy: op-deployer's calldata run; prints the plan deploy-send sends. */
  readonly calldata: command.remote.Command;
  /** First deploy: sends the plan's transaction from the operator's machine. */
  readonly deploySend: command.local.Command;
  /** What the sender ignores once it exists: the fee limits (`ecp:l1RpcTxFeeCap`, `ecp:deployMaxFeeGwei`) only
   *  shape a send that has not happened. A refused send leaves no resource (a failed create records nothing),
   *  so the next up creates it with the new limits; once it has run, changing them must not run it again. */
  readonly deploySendIgnoreChanges: readonly string[] = ["environment.ECP_RPC_TX_FEE_CAP_WEI", "environment.ECP_DEPLOY_MAX_FEE_WEI"];
  readonly apply: command.remote.Command;
  readonly inspect: command.remote.Command;
  readonly deployment: pulumi.Output<Inspected>;

  constructor(name: string, args: OpDeployerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecp:opstack:OpDeployer", name, {}, opts);
    const { config, connection, paths } = args;
    const child = { parent: this };

    const install = installStep(config, paths);
    const installed = new command.remote.Command(`${name}-install`, { connection, ...install }, child);

    const init = initStep(config, paths);
    const initialized = new command.remote.Command(
      `${name}-init`,
      { connection, ...init, logging: "stderr" },
      { ...child, dependsOn: [installed] },
    );

    const { deployer: _deployer, ...roles } = args.roles;
    this.intent = initialized.stdout.apply((toml) => buildIntent(config, roles, intentBaseFromInitToml(toml)));
    this.intentToml = this.intent.apply(intentToToml);
    this.intentHash = this.intentToml.apply(intentHash);

    const preflight = new Preflight(
      `${name}-preflight`,
      { config, deployer: args.roles.deployer, intentHash: this.intentHash },
      child,
    );

    const l1RpcUrl = args.secrets.get("l1RpcUrl");
    const deployerKey = args.secrets.deployerPrivateKey;
    const calldata = pulumi
      .all([this.intentToml, l1RpcUrl, deployerKey])
      .apply(([toml, url, key]) => calldataStep(config, paths, toml, { l1RpcUrl: url, deployerPrivateKey: key }, args.roles.deployer));
    this.calldata = new command.remote.Command(
      `${name}-calldata`,
      {
        connection,
        create: this.intentHash.apply(calldataCreateLine),
        stdin: pulumi.secret(calldata.apply((s) => s.stdin)),
        logging: "stderr",
        addPreviousOutputInEnv: false,
      },
      { ...child, dependsOn: [preflight], additionalSecretOutputs: ["stderr"] },
    );
    // Validated here, so a broken plan stops the update before anything is sent.
    const plan = this.calldata.stdout.apply((out) => {
      parseDeployPlan(out);
      return out.trim();
    });
    this.deploySend = new command.local.Command(
      `${name}-deploy-send`,
      {
        create: pulumi.all([plan, this.intent]).apply(([p, intent]) => deploySendCommandLine(p, intent.opcmAddress, args.roles.deployer)),
        stdin: plan,
        dir: PROJECT_ROOT,
        environment: {
          ECP_L1_RPC_URL: l1RpcUrl,
          ECP_DEPLOYER_KEY: deployerKey,
          ECP_OPCM: this.intent.apply((i) => i.opcmAddress),
          ...deploySendFeeEnv(config.deployFees),
        },
        logging: "stderr",
        addPreviousOutputInEnv: false,
      },
      { ...child, dependsOn: [this.calldata], ignoreChanges: [...this.deploySendIgnoreChanges] },
    );

    const apply = pulumi
      .all([this.intentToml, l1RpcUrl, deployerKey, this.deploySend.stdout])
      .apply(([toml, url, key, sent]) => applyStep(config, paths, toml, { l1RpcUrl: url, deployerPrivateKey: key }, args.roles.deployer, deployBlockOf(sent)));
    this.apply = new command.remote.Command(
      `${name}-apply`,
      {
        connection,
        create: this.intentHash.apply(applyCreateLine),
        stdin: pulumi.secret(apply.apply((s) => s.stdin)),
        logging: "stderr",
        addPreviousOutputInEnv: false,
      },
      {
        ...child,
        dependsOn: [this.deploySend],
        protect: args.protectDeployment ?? true,
        retainOnDelete: true,
        // apply runs until it succeeds once, then never again: on a deployed chain it deploys nothing but
        // rewrites appliedIntent. Later changes go through day 2 or are refused (components/day2).
        ignoreChanges: [...this.applyIgnoreChanges],
        additionalSecretOutputs: ["stderr"],
      },
    );

    const inspect = this.apply.stdout.apply((stateSha) => inspectStep(config, paths, stateSha));
    this.inspect = new command.remote.Command(
      `${name}-inspect`,
      {
        connection,
        create: inspect.apply((s) => s.create),
        stdin: inspect.apply((s) => s.stdin),
        logging: "stderr",
        addPreviousOutputInEnv: false,
      },
      { ...child, dependsOn: [this.apply] },
    );
    this.deployment = this.inspect.stdout.apply((out) => parseInspectOutput(out, config.l2ChainId));

    // A timestamped copy of what a rebuild needs, outside the state directory (ecp:backupDir).
    const backup = pulumi
      .all([this.apply.stdout, this.deployment])
      .apply(([stateSha256, d]) => backupStep(config, paths, { stateSha256, genesisSha256: d.genesisSha256, rollupSha256: d.rollupSha256 }));
    this.backup = new command.remote.Command(
      `${name}-backup`,
      { connection, create: backup.apply((s) => s.create), stdin: backup.apply((s) => s.stdin), logging: "stderr", addPreviousOutputInEnv: false },
      { ...child, dependsOn: [this.inspect], retainOnDelete: true },
    );
    this.registerOutputs({ intentHash: this.intentHash, backup: this.backup.stdout });
  }
}
