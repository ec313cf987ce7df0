/**
 * The stack's footprint on ecp-forge that the services share: the state directories, the engine-API JWT
 * file, and the Docker network. `pulumi destroy` removes the network, and the state directories only when
 * `ecp:destroyRemovesState` is true (remote/remove-state-dirs.sh; op-deployer's workdir is kept aside).
 */
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";

import { DOCKER_NETWORK } from "../config/defaults.js";
import { type HostPaths, stateDirectories, type StateDirectory } from "../services/paths.js";
import { opStackScript, remoteScript, shellQuote } from "./shell.js";
import type { CommandConnection } from "./ssh.js";

export interface HostStateArgs {
  connection: CommandConnection;
  dockerProvider: docker.Provider;
  paths: HostPaths;
  jwtHex: pulumi.Input<string>;
  destroyRemovesState: boolean;
  /** An image with a shell for emptying root-owned data directories on destroy (the rail's pinned Node image). */
  cleanupImage: string;
  /** The directories to create (default: all of the sequencer's, stateDirectories). */
  directories?: StateDirectory[];
}

/** The create and delete lines of the state-directory step. Pure, for the tests. */
export function stateDirsStep(
  paths: HostPaths,
  destroyRemovesState: boolean,
  cleanupImage: string,
  directories: StateDirectory[] = stateDirectories(paths),
): { create: string; stdin: string; delete?: string } {
  const dirs = directories
    .map((d) => `${d.path} ${d.mode}`)
    .join("\n");
  const env = { STATE_DIR: paths.root, DIRS: dirs };
  const step: { create: string; stdin: string; delete?: string } = {
    create: `bash -s # state directories under ${paths.root}`,
    stdin: remoteScript(env, opStackScript("remote/state-dirs.sh")),
  };
  if (destroyRemovesState) {
    step.delete = `bash -c ${shellQuote(remoteScript({ ...env, CLEANUP_IMAGE: cleanupImage }, opStackScript("remote/remove-state-dirs.sh")))}`;
  }
  return step;
}

export class HostState extends pulumi.ComponentResource {
  readonly dirs: command.remote.Command;
  readonly jwt: command.remote.Command;
  readonly network: docker.Network;

  constructor(name: string, args: HostStateArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecp:host:HostState", name, {}, opts);
    const step = stateDirsStep(args.paths, args.destroyRemovesState, args.cleanupImage, args.directories);
    this.dirs = new command.remote.Command(
      `${name}-dirs`,
      { connection: args.connection, ...step, addPreviousOutputInEnv: false },
      { parent: this },
    );
    this.jwt = new command.remote.Command(
      `${name}-jwt`,
      {
        connection: args.connection,
        create: `bash -s # engine-API JWT -> ${args.paths.jwt}`,
        stdin: pulumi.secret(
          pulumi.output(args.jwtHex).apply((hex) => remoteScript({ TARGET: args.paths.jwt, CONTENT: hex }, opStackScript("remote/write-secret-file.sh"))),
        ),
        logging: "none",
        addPreviousOutputInEnv: false,
      },
      { parent: this, dependsOn: [this.dirs], additionalSecretOutputs: ["stdout", "stderr"] },
    );
    this.network = new docker.Network(
      `${name}-network`,
      { name: DOCKER_NETWORK, driver: "bridge", attachable: true },
      { parent: this, provider: args.dockerProvider },
    );
    this.registerOutputs({ network: this.network.name });
  }
}
