/**
 * Carrying the chain config (genesis.json, rollup.json) from ecp-forge to a verifier peer.
 *
 * op-deployer writes both files on ecp-forge only (remote/op-deployer-inspect.sh). A peer needs the same bytes:
 * its execution client is initialised from genesis.json and its op-node reads rollup.json. The operator's
 * machine reaches both hosts over SSH (the peers need no route or key to each other), so a local step reads each
 * file from ecp-forge, checks it against the sha256 the deployment recorded, and writes it on the peer, where the
 * hash is checked again before the file replaces the old one. A file that does not match is never written.
 * scripts/op-stack/carry-chain-config.ts runs this; the plan below is its input.
 */
import { createHash } from "node:crypto";

import { shellQuote } from "../host/shell.js";
import { dockerSshOpts, type HostConfig } from "../host/ssh.js";

export interface CarryEnd {
  /** `ssh` options: the pinned host key (and bastion), the port, no prompts. */
  options: string[];
  /** `user@host`. */
  destination: string;
  /** The config directory on that host. */
  dir: string;
}

export interface CarryPlan {
  from: CarryEnd;
  to: CarryEnd;
  files: { name: string; sha256: string }[];
}

/** How ssh reaches a host: its pinned key (and bastion), its port, no password prompts. */
export function sshEnd(host: HostConfig, dir: string): CarryEnd {
  return { options: [...dockerSshOpts(host), "-o", "BatchMode=yes", "-p", String(host.port)], destination: `${host.user}@${host.address}`, dir };
}

/** `ssh` arguments running `command` on that host; `--` ends the options before the destination. */
export function sshCommandArgs(end: CarryEnd, command: string): string[] {
  return [...end.options, "--", end.destination, command];
}

const FILE_NAME = /^[A-Za-z0-9._-]+$/;
const SHA256 = /^[0-9a-f]{64}$/;

export function carryPlan(from: { host: HostConfig; dir: string }, to: { host: HostConfig; dir: string }, files: Record<string, string>): CarryPlan {
  const list = Object.entries(files).map(([name, sha256]) => ({ name, sha256 }));
  for (const f of list) {
    if (!FILE_NAME.test(f.name)) throw new Error(`carry: file name ${JSON.stringify(f.name)} must be a plain file name.`);
    if (!SHA256.test(f.sha256)) throw new Error(`carry: ${f.name}'s sha256 must be 64 lowercase hex characters.`);
  }
  return { from: sshEnd(from.host, from.dir), to: sshEnd(to.host, to.dir), files: list };
}

/** The remote command that prints a file. */
export function readCommand(dir: string, name: string): string {
  return `cat -- ${shellQuote(`${dir}/${name}`)}`;
}

/**
 * The remote command that takes a file on stdin and installs it (mode 0644) only when its sha256 matches: a
 * temporary file in the same directory, checked, then renamed over the old one. Leftovers of an interrupted run
 * are removed first.
 */
export function receiveCommand(dir: string, name: string, sha256: string): string {
  const q = shellQuote;
  return [
    "set -eu",
    "umask 022",
    `d=${q(dir)}`,
    `install -d -m 0750 "$d"`,
    `rm -f "$d"/.${name}.carry.*`,
    `t=$(mktemp "$d"/.${name}.carry.XXXXXX)`,
    `trap 'rm -f "$t"' EXIT`,
    `cat > "$t"`,
    `got=$(sha256sum < "$t" | cut -d' ' -f1)`,
    `if [ "$got" != ${q(sha256)} ]; then echo ${q(`${name}: received sha256 `)}"$got"${q(`, expected ${sha256}; the old file is kept.`)} >&2; exit 1; fi`,
    `chmod 0644 "$t"`,
    `mv -f "$t" "$d"/${q(name)}`,
    "trap - EXIT",
  ].join("\n");
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
