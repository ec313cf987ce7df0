/**
 * ecp-forge, as the two providers every other component uses: Docker over SSH, and SSH commands.
 * Both are built from `ecp:host` alone and passed down explicitly; nothing is read from DOCKER_HOST or
 * other ambient settings.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";

import { type CommandConnection, commandConnection, dockerHostUrl, dockerSshOpts, type HostConfig } from "./ssh.js";

export interface HostArgs {
  host: HostConfig;
}

export class Host extends pulumi.ComponentResource {
  readonly docker: docker.Provider;
  /** Pass as `connection` to remote.Command and remote.CopyToRemote. */
  readonly connection: CommandConnection;
  readonly dockerHost: string;

  constructor(name: string, args: HostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecp:host:Host", name, {}, opts);
    this.dockerHost = dockerHostUrl(args.host);
    this.connection = commandConnection(args.host);
    this.docker = new docker.Provider(
      `${name}-docker`,
      { host: this.dockerHost, sshOpts: dockerSshOpts(args.host) },
      { parent: this },
    );
    this.registerOutputs({ dockerHost: this.dockerHost });
  }
}
