/**
 * What differs between the sequencer on ecp-forge and a verifier peer (ecp:peers) for the two services both
 * run, the execution client and op-node. The spec functions take this instead of reading `ecp:p2p` and
 * `ecp:peers` themselves, so one spec function serves both hosts.
 */
import type { PeerConfig } from "../config/peers.js";
import type { StackConfig } from "../config/schema.js";
import { CONTAINER_PORTS } from "../config/defaults.js";
import type { PortSpec } from "./spec.js";

export interface NodeSettings {
  role: "sequencer" | "verifier";
  /** op-node `--p2p.static`. */
  staticPeers: readonly string[];
  /** op-node `--p2p.advertise.ip`. */
  advertiseIp?: string;
  /** The L2 RPC on 0.0.0.0:<port>, limited to eth, net and web3 (verifiers only). */
  publicRpcPort?: number;
  /** The execution client forwards transactions sent to it there (verifiers only). */
  sequencerHttp?: string;
  /** Metrics ports also published on this private address, for a Prometheus on another host. */
  metricsAddress?: string;
  /** A WebSocket RPC serving eth, net and web3 only, published on this private address, for the peers to
   *  forward transactions to (sequencer only; the HTTP RPC with debug, txpool and miner stays on loopback). */
  privateRpcAddress?: string;
}

export function sequencerNode(config: Pick<StackConfig, "p2p"> & { host?: { privateAddress?: string } }): NodeSettings {
  const node: NodeSettings = { role: "sequencer", staticPeers: config.p2p.staticPeers };
  if (config.p2p.advertiseIp !== undefined) node.advertiseIp = config.p2p.advertiseIp;
  if (config.host?.privateAddress !== undefined) node.privateRpcAddress = config.host.privateAddress;
  return node;
}

/**
 * A peer follows the sequencer, whose op-node it keeps as a static peer (op-node's settings need its multiaddr;
 * the execution client's do not). Transactions go to `sequencerHttp`, else to the sequencer's L2 RPC on its
 * private address (ecp:host.privateAddress) when it has one.
 */
export function verifierNode(peer: PeerConfig, sequencer: { multiaddr?: string; privateAddress?: string } = {}): NodeSettings {
  const node: NodeSettings = { role: "verifier", staticPeers: sequencer.multiaddr === undefined ? [] : [sequencer.multiaddr] };
  if (peer.advertiseIp !== undefined) node.advertiseIp = peer.advertiseIp;
  if (peer.publicRpcPort !== undefined) node.publicRpcPort = peer.publicRpcPort;
  const forward = peer.sequencerHttp ?? (sequencer.privateAddress === undefined ? undefined : sequencerForwardUrl(sequencer.privateAddress));
  if (forward !== undefined) node.sequencerHttp = forward;
  if (peer.metricsAddress !== undefined) node.metricsAddress = peer.metricsAddress;
  return node;
}

/** The label that marks a container publishing the chain's public RPC; the policy pack allows that port only
 *  on containers carrying it together with the verifier role. */
export const PUBLIC_RPC_LABEL = "org.every-channel.public-rpc";
export const ROLE_LABEL = "org.every-channel.role";

/**
 * The namespaces the execution client's HTTP port serves. The sequencer's serves what the other services call
 * (EL_NAMESPACES_CALLED); a verifier's drops `miner`; a public one serves only eth, net and web3.
 */
export function executionHttpApi(node: NodeSettings): string {
  if (node.role === "sequencer") return "eth,net,web3,debug,txpool,miner";
  return node.publicRpcPort === undefined ? "eth,net,web3,debug,txpool" : "eth,net,web3";
}

/** Where peers forward transactions on ecp-forge's private address: its WebSocket RPC. Both clients' forwarders
 *  take ws:// URLs (op-reth/v2.3.2 rust/op-reth/crates/rpc/src/sequencer.rs `SequencerClient::new`; op-geth@d0734fd5
 *  eth/backend.go `rpc.DialContext`). */
export function sequencerForwardUrl(privateAddress: string): string {
  return `ws://${privateAddress}:${CONTAINER_PORTS.executionClient.ws}`;
}

/** The execution client's HTTP port: on loopback, or a verifier's public RPC on 0.0.0.0 (which replaces the
 *  loopback binding: Docker cannot bind the same host port on both); and the sequencer's WebSocket RPC on its
 *  private address. */
export function executionRpcPorts(node: NodeSettings, internal: number, loopback: number): PortSpec[] {
  const base = { name: "http", kind: "rpc" as const, internal, protocol: "tcp" as const };
  const ports: PortSpec[] = [node.publicRpcPort === undefined ? { ...base, external: loopback, ip: "127.0.0.1" } : { ...base, external: node.publicRpcPort, ip: "0.0.0.0" }];
  const ws = CONTAINER_PORTS.executionClient.ws;
  if (node.privateRpcAddress !== undefined) ports.push({ name: "ws-private", kind: "rpc", internal: ws, external: ws, ip: node.privateRpcAddress, protocol: "tcp" });
  return ports;
}

/** The WebSocket server the peers forward to (both clients spell these flags the same: reth@v2.3.0
 *  crates/node/core/src/args/rpc_server.rs `--ws`, `ws.addr`, `ws.port`, `ws.api`; op-geth@d0734fd5
 *  cmd/utils/flags.go). No Origin check matters: the forwarders send no Origin header. */
export function executionWsFlags(node: NodeSettings): string[] {
  if (node.privateRpcAddress === undefined) return [];
  return ["--ws", "--ws.addr=0.0.0.0", `--ws.port=${CONTAINER_PORTS.executionClient.ws}`, "--ws.api=eth,net,web3"];
}

/** A metrics port as the host publishes it: `loopback` (for a host-side probe) and/or the private address. */
export function metricsPorts(node: NodeSettings, internal: number, loopback?: number): PortSpec[] {
  const base = { kind: "metrics" as const, internal, protocol: "tcp" as const };
  const ports: PortSpec[] = [loopback === undefined ? { ...base, name: "metrics", ip: "127.0.0.1" } : { ...base, name: "metrics", external: loopback, ip: "127.0.0.1" }];
  if (node.metricsAddress !== undefined) ports.push({ ...base, name: "metrics-private", external: internal, ip: node.metricsAddress });
  return ports;
}

/** The labels a node's containers carry besides the stack's. */
export function nodeLabels(node: NodeSettings): Record<string, string> {
  return node.publicRpcPort === undefined ? {} : { [PUBLIC_RPC_LABEL]: String(node.publicRpcPort) };
}
