/**
 * op-deployer on ecp-forge: install the pinned, sha256-verified binary, read what `init` decides, build
 * intent.toml from the config, preflight, `apply` against Sepolia, and `inspect` genesis, rollup and L1.
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
import { applyCreateLine, applyStep, backupStep, initStep, inspectStep, installStep, intentHash, type Inspected, parseInspectOutput } from "./steps.js";

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

    const apply = pulumi
      .all([this.intentToml, args.secrets.get("l1RpcUrl"), args.secrets.deployerPrivateKey])
      .apply(([toml, l1RpcUrl, deployerPrivateKey]) => applyStep(config, paths, toml, { l1RpcUrl, deployerPrivateKey }, args.roles.deployer));
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
        dependsOn: [preflight],
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
