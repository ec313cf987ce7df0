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
 *
 * With `ecp:host.jump` (a bastion, e.g. for PR previews from CI), both go through it, and its host key is pinned
 * the same way: Docker's ssh gets a ProxyCommand running a second, equally pinned ssh (`-W %h:%p`); the command
 * provider gets its `proxy` connection (with `hostKey`).
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
  const jump = host.jump;
  // %% keeps the inner ssh's %H from being expanded by the outer ssh as a ProxyCommand token.
  const proxy =
    jump === undefined
      ? []
      : [
          "-o",
          `ProxyCommand=ssh -o StrictHostKeyChecking=yes -o UserKnownHostsFile=/dev/null -o GlobalKnownHostsFile=/dev/null ` +
            `-o "KnownHostsCommand=/usr/bin/env echo %%H ${hostKeyWithoutComment(jump.hostKey)}" -p ${jump.port} -W %h:%p ${jump.user}@${jump.address}`,
        ];
  return [
    ...proxy,
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
  proxy?: { host: string; port: number; user: string; hostKey: string; dialErrorLimit: number; perDialTimeout: number };
}

export function commandConnection(host: HostConfig): CommandConnection {
  const c: CommandConnection = {
    host: host.address,
    port: host.port,
    user: host.user,
    hostKey: hostKeyWithoutComment(host.hostKey),
    dialErrorLimit: 20,
    perDialTimeout: 30,
  };
  if (host.jump !== undefined) {
    c.proxy = { host: host.jump.address, port: host.jump.port, user: host.jump.user, hostKey: hostKeyWithoutComment(host.jump.hostKey), dialErrorLimit: 20, perDialTimeout: 30 };
  }
  return c;
}

/** The SSH command that forwards `ports` on the operator's machine to the same ports on the host's loopback
 *  (through the bastion when there is one). */
export function tunnelCommand(host: Pick<HostConfig, "user" | "address" | "port" | "jump">, ports: readonly number[]): string {
  const jump = host.jump === undefined ? "" : ` -J ${host.jump.user}@${host.jump.address}:${host.jump.port}`;
  return `ssh -N -p ${host.port}${jump}${ports.map((p) => ` -L ${p}:127.0.0.1:${p}`).join("")} ${host.user}@${host.address}`;
}

/** Where the operator's machine connects first: the bastion if there is one, else the host. `key` is the
 *  host's config key (`ecp:host`, or `ecp:peers[1]` for a verifier peer). */
export function firstHop(host: HostConfig, key = "ecp:host"): { address: string; port: number; what: string } {
  return host.jump === undefined
    ? { address: host.address, port: host.port, what: `\`${key}\` (${host.address}:${host.port})` }
    : { address: host.jump.address, port: host.jump.port, what: `\`${key}.jump\` (${host.jump.address}:${host.jump.port})` };
}

/** The message when the first hop does not answer: previews need the host too (the Docker provider asks it). */
export function unreachableMessage(host: HostConfig, cause: string, key = "ecp:host"): string {
  const hop = firstHop(host, key);
  const path = key.includes("[") ? `'${key}` : key;
  const end = key.includes("[") ? "'" : "";
  return (
    `${hop.what} does not answer from this machine (${cause}). A preview reaches ${host.address} over SSH like an update: ` +
    (host.jump === undefined
      ? `from a network without a route to it (a CI runner), set a bastion that can reach it: \`pulumi config set --path ${path}.jump${end} user@bastion:22\` and \`${key}.jumpHostKey\`.`
      : "check the bastion's address and port, and that this machine may reach it.")
  );
}
