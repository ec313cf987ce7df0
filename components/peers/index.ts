/**
 * A verifier peer (one entry of `ecp:peers`): its own Docker and command providers over its own pinned SSH,
 * its state directories and JWT, the chain config carried from ecp-forge (carry.ts), and the same execution
 * client and op-node components as the sequencer, in verifier mode (services/node-role.ts). Its op-node keeps
 * the sequencer as a static peer and has a libp2p key of its own.
 *
 * Each peer is a separate component tree that depends on ecp-forge's deployment only, never on another peer:
 * removing one from `ecp:peers` (or `pulumi destroy --target` on its tree) removes its containers and leaves
 * the sequencer and the other peers as they are.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

import { HOST_LOOPBACK_PORTS } from "../config/defaults.js";
import { imageRef } from "../config/images.js";
import type { PeerConfig } from "../config/peers.js";
import type { StackConfig } from "../config/schema.js";
import { Host } from "../host/index.js";
import { tunnelCommand } from "../host/ssh.js";
import { HostState } from "../host/state.js";
import { PROJECT_ROOT } from "../preflight/index.js";
import { ExecutionClientService } from "../services/execution-client.js";
import { verifierNode } from "../services/node-role.js";
import { OpNode } from "../services/op-node/index.js";
import { libp2pPeerId, opNodeMultiaddr } from "../services/op-node/peer-id.js";
import { type HostPaths, hostPaths, peerStateDirectories } from "../services/paths.js";
import type { SecretSource, ServiceContext } from "../services/service.js";
import { carryPlan } from "./carry.js";

export interface VerifierPeerArgs {
  peer: PeerConfig;
  /** Its place in ecp:peers, for messages. */
  index: number;
  config: StackConfig;
  /** `pulumi.getStack()`, as a container label. */
  stack: string;
  /** The stack's secrets: the L1 URLs op-node reads. */
  secrets: SecretSource;
  /** Where ecp-forge keeps the chain config the peer gets. */
  sequencerPaths: HostPaths;
  /** The sequencer's op-node multiaddr (from its key). */
  sequencerMultiaddr: pulumi.Input<string>;
  /** sha256 of genesis.json and rollup.json as the deployment recorded them. */
  chainConfig: pulumi.Input<{ genesisSha256: string; rollupSha256: string }>;
  configHash: pulumi.Input<string>;
  /** What must exist on ecp-forge first: the step that writes the chain config there. */
  dependsOn: pulumi.Input<pulumi.Resource>[];
  probeHost?: (address: string, port: number) => Promise<void>;
}

/** What `pulumi stack output peers` shows for one peer. */
export interface PeerOutput {
  address: string;
  peerId: string;
  multiaddr: string;
  l2Rpc: { public?: string; tunnel: string };
  opNodeRpc: { tunnel: string };
  /** Whether the sequencer's Prometheus scrapes it (ecp:peers[].metricsAddress). */
  scraped: boolean;
}

/** The carry step's create line: it re-runs when either file's recorded hash changes. */
export function carryCreateLine(peer: string, sums: { genesisSha256: string; rollupSha256: string }): string {
  return `node_modules/.bin/tsx scripts/op-stack/carry-chain-config.ts # ecp-forge -> ${peer}: genesis.json sha256 ${sums.genesisSha256}, rollup.json sha256 ${sums.rollupSha256}`;
}

export function peerOutput(peer: PeerConfig, config: Pick<StackConfig, "p2p">, peerId: string): PeerOutput {
  const h = peer.host;
  const tunnel = (port: number) => tunnelCommand(h, [port]);
  const where: { address: string; advertiseIp?: string } = { address: h.address };
  if (peer.advertiseIp !== undefined) where.advertiseIp = peer.advertiseIp;
  const rpcPort = peer.publicRpcPort ?? HOST_LOOPBACK_PORTS.l2Http;
  const l2Rpc: PeerOutput["l2Rpc"] = { tunnel: tunnel(rpcPort) };
  if (peer.publicRpcPort !== undefined) l2Rpc.public = `http://${peer.advertiseIp ?? h.address}:${peer.publicRpcPort}`;
  return {
    address: h.address,
    peerId,
    multiaddr: opNodeMultiaddr(where, config.p2p.opNodePort, peerId),
    l2Rpc,
    opNodeRpc: { tunnel: tunnel(HOST_LOOPBACK_PORTS.opNodeRpc) },
    scraped: peer.metricsAddress !== undefined,
  };
}

export class VerifierPeer extends pulumi.ComponentResource {
  readonly host: Host;
  readonly carry: command.local.Command;
  readonly opNode: OpNode;
  readonly output: pulumi.Output<PeerOutput>;

  constructor(args: VerifierPeerArgs, opts?: pulumi.ComponentResourceOptions) {
    const { peer, config } = args;
    const name = `peer-${peer.name}`;
    super("ecp:peer:VerifierPeer", name, {}, opts);
    const child = { parent: this };
    this.host = new Host(name, { host: peer.host, configKey: `ecp:peers[${args.index}]`, ...(args.probeHost === undefined ? {} : { probe: args.probeHost }) }, child);
    const paths = hostPaths(peer.stateDir ?? config.stateDir);

    // Its own engine JWT and libp2p identity, generated and held as secrets like the sequencer's.
    const jwt = new random.RandomBytes(`${name}-engine-jwt`, { length: 32 }, child);
    const p2pKey = pulumi.secret(new random.RandomBytes(`${name}-op-node-p2p`, { length: 32 }, child).hex);
    const state = new HostState(
      `${name}-state`,
      {
        connection: this.host.connection,
        dockerProvider: this.host.docker,
        paths,
        jwtHex: pulumi.secret(jwt.hex),
        destroyRemovesState: config.destroyRemovesState,
        cleanupImage: imageRef(config.rail.nodeImage),
        directories: peerStateDirectories(paths),
      },
      child,
    );

    const chainConfig = pulumi.output(args.chainConfig);
    this.carry = new command.local.Command(
      `${name}-chain-config`,
      {
        create: chainConfig.apply((sums) => carryCreateLine(peer.name, sums)),
        environment: {
          ECP_CARRY: chainConfig.apply((sums) =>
            JSON.stringify(
              carryPlan({ host: config.host, dir: args.sequencerPaths.configDir }, { host: peer.host, dir: paths.configDir }, {
                "genesis.json": sums.genesisSha256,
                "rollup.json": sums.rollupSha256,
              }),
            ),
          ),
        },
        dir: PROJECT_ROOT,
        logging: "stderr",
        addPreviousOutputInEnv: false,
      },
      { ...child, dependsOn: [state.dirs, ...args.dependsOn] },
    );

    const secrets: SecretSource = { get: (n) => (n === "opNodeP2pKey" ? p2pKey : args.secrets.get(n)) };
    const ctx: ServiceContext = { dockerProvider: this.host.docker, connection: this.host.connection, network: state.network, secrets, stack: args.stack, role: "verifier" };
    const common = { ctx, config, paths, configHash: args.configHash };
    const sequencerAt = config.host.privateAddress === undefined ? {} : { privateAddress: config.host.privateAddress };
    // The execution client's flags do not name the sequencer's multiaddr; op-node's do.
    const el = new ExecutionClientService(
      `${name}-${config.executionClient}`,
      {
        ...common,
        node: verifierNode(peer, { ...sequencerAt }),
        genesisSha256: chainConfig.apply((s) => s.genesisSha256),
        dependsOn: [this.carry, state.jwt],
      },
      child,
    );
    this.opNode = new OpNode(
      `${name}-op-node`,
      { ...common, node: pulumi.output(args.sequencerMultiaddr).apply((multiaddr) => verifierNode(peer, { ...sequencerAt, multiaddr })), dependsOn: [el.ready, state.jwt, this.carry] },
      child,
    );

    this.output = pulumi.unsecret(p2pKey.apply((key) => peerOutput(peer, config, libp2pPeerId(`0x${key}`))));
    this.registerOutputs({ peer: this.output });
  }
}
