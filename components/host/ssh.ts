/**
 * How the stack reaches ecp-forge: one SSH identity of the host, pinned, for both providers.
 *
 * - Docker: `@pulumi/docker` shells out to the local `ssh` client (`ssh … -- host docker system dial-stdio`).
 *   The host key is pinned with OpenSSH's KnownHostsCommand (OpenSSH >= 8.5), which answers with exactly the
 *   configured key, and the user's known_hosts file is not consulted. One master connection is shared, so a
 *   `pulumi up` with many containers does not trip sshd's MaxStartups.
 * - Commands: `@pulumi/command` speaks SSH itself; its `hostKey` is checked on every dial (without it the
 *   provider ignores the host key).
 *
 * Authentication is the operator's ssh-agent in both cases; no private key passes through the stack.
 */
import type { StackConfig } from "../config/schema.js";

export type HostConfig = StackConfig["host"];

/** `ssh-ed25519 AAAA… comment` -> `ssh-ed25519 AAAA…`: the type and the key, without the comment. */
export function hostKeyWithoutComment(hostKey: string): string {
  const [type, key] = hostKey.trim().split(/\s+/);
  if (type === undefined || key === undefined) {
    throw new Error(`host key must look like "ssh-ed25519 AAAA…", got ${hostKey.length} characters.`);
  }
  return `${type} ${key}`;
}

/** `ssh://user@host:port` for docker.Provider's `host`. */
export function dockerHostUrl(host: HostConfig): string {
  return `ssh://${host.user}@${host.address}:${host.port}`;
}

/**
 * Options appended to every `ssh` the Docker provider runs. `%H` is the known-hosts name ssh is looking up
 * (`host` or `[host]:port`), so the answer matches whatever port is configured.
 */
export function dockerSshOpts(host: HostConfig): string[] {
  return [
    "-o", "StrictHostKeyChecking=yes",
    "-o", "UserKnownHostsFile=/dev/null",
    "-o", "GlobalKnownHostsFile=/dev/null",
    "-o", `KnownHostsCommand=/usr/bin/env echo %H ${hostKeyWithoutComment(host.hostKey)}`,
    "-o", "ControlMaster=auto",
    "-o", "ControlPath=~/.ssh/ecp-%C",
    "-o", "ControlPersist=120",
    "-o", "ServerAliveInterval=30",
  ];
}

/** The `connection` of every remote.Command and CopyToRemote (plain values; the provider holds it as a secret). */
export interface CommandConnection {
  host: string;
  port: number;
  user: string;
  hostKey: string;
  dialErrorLimit: number;
  perDialTimeout: number;
}

export function commandConnection(host: HostConfig): CommandConnection {
  return {
    host: host.address,
    port: host.port,
    user: host.user,
    hostKey: hostKeyWithoutComment(host.hostKey),
    dialErrorLimit: 20,
    perDialTimeout: 30,
  };
}
