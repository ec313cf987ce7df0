/**
 * ecp-forge, as the two providers every other component uses: Docker over SSH, and SSH commands.
 * Both are built from `ecp:host` alone and passed down explicitly; nothing is read from DOCKER_HOST or
 * other ambient settings.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";

import { connect } from "node:net";

import { type CommandConnection, commandConnection, dockerHostUrl, dockerSshOpts, firstHop, type HostConfig, unreachableMessage } from "./ssh.js";

/** Resolves when a TCP connection to address:port opens within the timeout; rejects with the cause otherwise. */
export function tcpProbe(address: string, port: number, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address, port, timeout: timeoutMs });
    socket.once("connect", () => {
      socket.destroy();
      resolve();
    });
    socket.once("timeout", () => {
      socket.destroy();
      reject(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`));
    });
    socket.once("error", (e: NodeJS.ErrnoException) => reject(new Error(e.code ?? e.message)));
  });
}

export interface HostArgs {
  host: HostConfig;
  /** The host's config key, for messages (default `ecp:host`). */
  configKey?: string;
  /** How a preview checks that the first SSH hop answers (tests replace it). */
  probe?: (address: string, port: number) => Promise<void>;
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
    // In a preview, the Docker provider asks the daemon over SSH: without a route (a CI runner) it would fail
    // with a provider error. Check the first hop first and stop with what to set instead.
    const hop = firstHop(args.host, args.configKey);
    const reachable = pulumi.runtime.isDryRun()
      ? pulumi.output(
          (args.probe ?? tcpProbe)(hop.address, hop.port).then(
            () => this.dockerHost,
            (e: unknown) => Promise.reject(new Error(unreachableMessage(args.host, e instanceof Error ? e.message : String(e), args.configKey))),
          ),
        )
      : pulumi.output(this.dockerHost);
    this.docker = new docker.Provider(
      `${name}-docker`,
      { host: reachable, sshOpts: dockerSshOpts(args.host) },
      { parent: this },
    );
    this.registerOutputs({ dockerHost: this.dockerHost });
  }
}
