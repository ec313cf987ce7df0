/**
 * `ecp:peers`: verifier hosts that follow the chain next to the sequencer on ecp-forge. Each is reached over
 * SSH like ecp-forge itself (address, user, pinned host key, optional bastion) and runs the execution client
 * and op-node in verifier mode (components/peers).
 *
 * Given as a JSON list, e.g.
 *   pulumi config set --path 'ecp:peers[0].name' verifier-1
 *   pulumi config set --path 'ecp:peers[0].address' 203.0.113.20   (and user, hostKey, ...)
 * Pure: the parser returns the typed list or the first problem, naming `peers[i].<field>`.
 */
import { DEFAULT_SSH_PORT } from "./defaults.js";
import { IPV4, isHostAddress, isPrivateIpv4, parseJump, SSH_HOST_KEY, UNIX_USER } from "./patterns.js";

export interface PeerConfig {
  /** Names the peer's resources and outputs: lowercase letters, digits and dashes. */
  name: string;
  host: { address: string; user: string; port: number; hostKey: string; jump?: { user: string; address: string; port: number; hostKey: string } };
  /** Default: `ecp:stateDir`. */
  stateDir?: string;
  /** The public IPv4 op-node advertises (behind NAT). */
  advertiseIp?: string;
  /** Publish the L2 RPC (eth, net, web3 only) on 0.0.0.0:<port>: the chain's public RPC. Unset: loopback only. */
  publicRpcPort?: number;
  /** The sequencer's L2 RPC as this peer reaches it: transactions sent to the peer are forwarded there.
   *  Default: ecp-forge's WebSocket RPC on `ecp:host.privateAddress`, when set; else the peer keeps them (its
   *  pool is not gossiped). */
  sequencerHttp?: string;
  /** A private IPv4 of the peer the sequencer's Prometheus reaches: its metrics ports are published there. */
  metricsAddress?: string;
}

const KEYS = ["name", "address", "user", "port", "hostKey", "jump", "jumpHostKey", "stateDir", "advertiseIp", "publicRpcPort", "sequencerHttp", "metricsAddress"] as const;
const NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const STATE_DIR = /^\/[^\0\s]*[^/\0\s]$/;

export type PeersResult = { ok: true; value: PeerConfig[] } | { ok: false; problem: string };

function port(v: unknown, min: number): number | undefined {
  const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === "number" && Number.isInteger(n) && n >= min && n <= 65535 ? n : undefined;
}

/** One peer, or the phrase saying what is wrong with it (`[i].field is …`). */
function parsePeer(v: unknown, i: number): PeerConfig | string {
  const at = (field: string) => `[${i}].${field}`;
  if (typeof v !== "object" || v === null || Array.isArray(v)) return `[${i}] is a JSON object`;
  const p = v as Record<string, unknown>;
  const unknown = Object.keys(p).find((k) => !(KEYS as readonly string[]).includes(k));
  if (unknown !== undefined) return `[${i}] has only the keys ${KEYS.join(", ")} (got "${unknown}")`;
  if (typeof p["name"] !== "string" || !NAME.test(p["name"])) return `${at("name")} is 2 to 32 lowercase letters, digits and dashes, starting with a letter`;
  if (!isHostAddress(p["address"])) return `${at("address")} is a hostname or IPv4 address`;
  if (typeof p["user"] !== "string" || !UNIX_USER.test(p["user"])) return `${at("user")} is a Unix user name`;
  const sshPort = p["port"] === undefined ? DEFAULT_SSH_PORT : port(p["port"], 1);
  if (sshPort === undefined) return `${at("port")} is an integer from 1 to 65535`;
  if (typeof p["hostKey"] !== "string" || !SSH_HOST_KEY.test(p["hostKey"])) return `${at("hostKey")} is an OpenSSH public host key like "ssh-ed25519 AAAA…" (see \`ssh-keyscan <address>\`)`;
  const host: PeerConfig["host"] = { address: p["address"], user: p["user"], port: sshPort, hostKey: p["hostKey"] };
  if ((p["jump"] === undefined) !== (p["jumpHostKey"] === undefined)) return `${at("jump")} and ${at("jumpHostKey")} set together or not at all`;
  if (p["jump"] !== undefined) {
    const jump = parseJump(p["jump"], DEFAULT_SSH_PORT);
    if (jump === undefined) return `${at("jump")} is user@host or user@host:port (a bastion, as for ssh -J)`;
    if (typeof p["jumpHostKey"] !== "string" || !SSH_HOST_KEY.test(p["jumpHostKey"])) return `${at("jumpHostKey")} is the bastion's OpenSSH public host key`;
    host.jump = { ...jump, hostKey: p["jumpHostKey"] };
  }
  const peer: PeerConfig = { name: p["name"], host };
  if (p["stateDir"] !== undefined) {
    if (typeof p["stateDir"] !== "string" || !STATE_DIR.test(p["stateDir"])) return `${at("stateDir")} is an absolute host path other than /`;
    peer.stateDir = p["stateDir"];
  }
  if (p["advertiseIp"] !== undefined) {
    if (typeof p["advertiseIp"] !== "string" || !IPV4.test(p["advertiseIp"])) return `${at("advertiseIp")} is a public IPv4 address`;
    peer.advertiseIp = p["advertiseIp"];
  }
  if (p["publicRpcPort"] !== undefined) {
    const rpc = port(p["publicRpcPort"], 1024);
    if (rpc === undefined) return `${at("publicRpcPort")} is an integer from 1024 to 65535`;
    peer.publicRpcPort = rpc;
  }
  if (p["sequencerHttp"] !== undefined) {
    if (!isRpcUrl(p["sequencerHttp"])) return `${at("sequencerHttp")} is an http(s) or ws(s) URL of the sequencer's L2 RPC, without credentials`;
    peer.sequencerHttp = p["sequencerHttp"];
  }
  if (p["metricsAddress"] !== undefined) {
    if (!isPrivateIpv4(p["metricsAddress"])) return `${at("metricsAddress")} is a private IPv4 address (10/8, 172.16/12, 192.168/16 or 100.64/10): metrics are never public`;
    peer.metricsAddress = p["metricsAddress"];
  }
  return peer;
}

function isRpcUrl(v: unknown): v is string {
  if (typeof v !== "string") return false;
  try {
    const u = new URL(v);
    return ["http:", "https:", "ws:", "wss:"].includes(u.protocol) && u.username === "" && u.password === "";
  } catch {
    return false;
  }
}

/** The list, each peer checked, names and addresses distinct. `input` is a list or a JSON string of one. */
export function parsePeers(input: unknown): PeersResult {
  let v = input;
  if (typeof v === "string") {
    try {
      v = JSON.parse(v) as unknown;
    } catch {
      return { ok: false, problem: "a JSON list of peers" };
    }
  }
  if (!Array.isArray(v)) return { ok: false, problem: "a JSON list of peers" };
  const peers: PeerConfig[] = [];
  for (const [i, item] of v.entries()) {
    const peer = parsePeer(item, i);
    if (typeof peer === "string") return { ok: false, problem: `a list of peers whose ${peer}` };
    peers.push(peer);
  }
  for (const field of ["name", "address"] as const) {
    const values = peers.map((p) => (field === "name" ? p.name : p.host.address));
    const twice = values.find((x, i) => values.indexOf(x) !== i);
    if (twice !== undefined) return { ok: false, problem: `a list of peers with distinct ${field === "name" ? "names" : "addresses"} ("${twice}" appears twice)` };
  }
  return { ok: true, value: peers };
}

/**
 * Problems between the peers and the rest of the config, as full messages: a peer on the sequencer's own host,
 * and a public RPC port that another of the peer's published ports already holds.
 */
export function peerConflicts(
  peers: readonly PeerConfig[],
  others: { hostAddress?: string; p2pPorts: readonly number[]; loopbackPorts: readonly number[]; l2HttpLoopbackPort: number; metricsPorts: readonly number[] },
): string[] {
  const problems: string[] = [];
  for (const [i, p] of peers.entries()) {
    if (others.hostAddress !== undefined && p.host.address === others.hostAddress) {
      problems.push(`\`ecp:peers[${i}].address\` is ecp-forge's own address (${p.host.address}); a verifier peer runs on another host. Run \`pulumi config set --path 'ecp:peers[${i}].address' <peer address>\`.`);
    }
    const rpc = p.publicRpcPort;
    // The public binding replaces the L2 RPC's loopback one, so that port is free for it.
    const loopback = others.loopbackPorts.filter((x) => x !== others.l2HttpLoopbackPort);
    const metrics = p.metricsAddress === undefined ? [] : others.metricsPorts;
    const taken = new Set([...others.p2pPorts, ...loopback, ...metrics, p.host.port]);
    if (rpc !== undefined && taken.has(rpc)) {
      const held = [`P2P ${others.p2pPorts.join(", ")}`, `loopback ${loopback.join(", ")}`, ...(metrics.length > 0 ? [`metrics ${metrics.join(", ")}`] : []), `SSH ${p.host.port}`];
      problems.push(`\`ecp:peers[${i}].publicRpcPort\` ${rpc} is already taken on the peer (${held.join("; ")}). Run \`pulumi config set --path 'ecp:peers[${i}].publicRpcPort' 8545\`.`);
    }
  }
  return problems;
}
