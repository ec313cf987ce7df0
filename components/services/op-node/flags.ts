/**
 * op-node: the sequencer's consensus client.
 *
 * Flags checked in source at mono@op-node/v1.19.1-rc.1 (the newest op-node source readable here; every flag below is
 * also at v1.19.0): op-node/flags/flags.go (env prefix OP_NODE; `l2.enginekind` geth|reth|erigon),
 * op-node/flags/p2p_flags.go (OP_NODE_P2P_*), op-service/flags/flags.go (rollup.config),
 * op-service/{rpc,metrics,log}/cli.go. The pin is later (docs/opstack-pins.md): the release notes of every
 * op-node release from v1.19.1 to the pin remove, rename or re-default none of them (v1.20.1 removed
 * `--sequencer.max-safe-lag`, which is not passed).
 * Image: chainguard/static, CMD ["op-node"], no ENTRYPOINT (ops/docker/op-stack-go/Dockerfile), so
 * `command[0]` is the binary and the health check runs from the host.
 */
import { CONTAINER_PORTS, ENGINE_KIND, EXECUTION_CLIENT_ALIAS, HOST_LOOPBACK_PORTS, SERVICE_DEFAULTS } from "../../config/defaults.js";
import { imageRef } from "../../config/images.js";
import type { StackConfig } from "../../config/schema.js";
import { CONTAINER_PATHS, type HostPaths } from "../paths.js";
import { metricsPorts, type NodeSettings, sequencerNode } from "../node-role.js";
import { type EnvValue, flag, httpProbe, internalUrl, secretRef, type ServiceSpec, opServiceTelemetryFlags } from "../spec.js";

const P = CONTAINER_PORTS.opNode;

/** The sequencer's op-node by default; a verifier peer's with `node` from verifierNode (components/services/node-role.ts). */
export function opNodeSpec(config: Pick<StackConfig, "images" | "p2p" | "executionClient">, paths: HostPaths, node: NodeSettings = sequencerNode(config)): ServiceSpec {
  const p2pPort = config.p2p.opNodePort;
  const sequencer = node.role === "sequencer";
  const command = [
    "op-node",
    flag("l2", internalUrl(EXECUTION_CLIENT_ALIAS, CONTAINER_PORTS.executionClient.authrpc)),
    // Which engine API dialect to speak. The default became reth (v1.19.1), so it is always explicit.
    flag("l2.enginekind", ENGINE_KIND[config.executionClient]),
    // Path, not the secret: the JWT is a mounted file.
    flag("l2.jwt-secret", CONTAINER_PATHS.jwt),
    flag("rollup.config", CONTAINER_PATHS.rollup),
    // A verifier derives and follows gossip only (op-node's default, written out).
    flag("sequencer.enabled", String(sequencer)),
    // Tutorial value; sequencer.l1-confs keeps its default of 4.
    flag("verifier.l1-confs", SERVICE_DEFAULTS.opNode.verifierL1Confs),
    // op-proposer and op-challenger read safe heads from here.
    flag("safedb.path", `${CONTAINER_PATHS.data}/safedb`),
    flag("rpc.addr", "0.0.0.0"),
    flag("rpc.port", P.rpc),
    // admin_* (sequencer start/stop, admin_sequencerActive) on the sequencer; the port is never published beyond loopback.
    ...(sequencer ? [flag("rpc.enable-admin", "true")] : []),
    flag("p2p.listen.tcp", p2pPort),
    flag("p2p.listen.udp", p2pPort),
    // Private chain: no discv5. With discovery on and no --p2p.bootnodes, op-node dials its built-in
    // public bootnodes (mono@op-node/v1.19.0 p2p/cli/load_config.go, p2p/config.go DefaultBootnodes);
    // peers are explicit instead (--p2p.static below).
    "--p2p.no-discovery",
    // The peer identity is the stack's key (OP_NODE_P2P_PRIV_RAW below), so verifiers know its peer id in
    // advance; the peer databases stay on the volume (defaults are relative to the cwd).
    flag("p2p.peerstore.path", `${CONTAINER_PATHS.data}/opnode_peerstore_db`),
    flag("p2p.discovery.path", `${CONTAINER_PATHS.data}/opnode_discovery_db`),
  ];
  if (node.advertiseIp !== undefined) command.push(flag("p2p.advertise.ip", node.advertiseIp));
  // Peers op-node keeps connected (mono@op-node/v1.19.1-rc.1 flags/p2p_flags.go StaticPeersName "p2p.static",
  // a comma-separated multiaddr list). A verifier's is the sequencer.
  if (node.staticPeers.length > 0) command.push(flag("p2p.static", node.staticPeers.join(",")));
  command.push(
    ...opServiceTelemetryFlags(P.metrics),
  );

  const env: Record<string, EnvValue> = {
    OP_NODE_L1_ETH_RPC: secretRef("l1RpcUrl"),
    OP_NODE_L1_BEACON: secretRef("l1BeaconUrl"),
    // --p2p.priv.raw (mono@op-node/v1.19.1-rc.1 flags/p2p_flags.go P2PPrivRawName, env PRIV_RAW; read before
    // --p2p.priv.path in p2p/cli/load_config.go): the 32-byte hex libp2p key (each host has its own).
    OP_NODE_P2P_PRIV_RAW: secretRef("opNodeP2pKey"),
  };
  // Signs gossiped unsafe blocks; its address must be the intent's unsafeBlockSigner or peers drop them.
  // Only the sequencer holds it: a verifier checks gossip against the unsafe block signer it reads from L1's
  // SystemConfig (mono@op-node/v1.19.1-rc.1 op-node/node/runcfg/runtime_config.go).
  if (sequencer) env["OP_NODE_P2P_SEQUENCER_KEY"] = secretRef("sequencerPrivateKey");

  return {
    name: "op-node",
    image: imageRef(config.images.opNode),
    command,
    env,
    ports: [
      { name: "rpc", kind: "rpc", internal: P.rpc, external: HOST_LOOPBACK_PORTS.opNodeRpc, ip: "127.0.0.1", protocol: "tcp" },
      ...metricsPorts(node, P.metrics),
      { name: "p2p-tcp", kind: "p2p", internal: p2pPort, external: p2pPort, ip: "0.0.0.0", protocol: "tcp" },
      { name: "p2p-udp", kind: "p2p", internal: p2pPort, external: p2pPort, ip: "0.0.0.0", protocol: "udp" },
    ],
    mounts: [
      { hostPath: paths.opNodeData, containerPath: CONTAINER_PATHS.data, readOnly: false },
      { hostPath: paths.configDir, containerPath: CONTAINER_PATHS.configDir, readOnly: true },
      { hostPath: paths.jwt, containerPath: CONTAINER_PATHS.jwt, readOnly: true },
    ],
    // op-service RPC servers answer GET /healthz (op-service/rpc/handler.go).
    healthcheck: httpProbe(`http://127.0.0.1:${HOST_LOOPBACK_PORTS.opNodeRpc}/healthz`),
    dependsOn: [EXECUTION_CLIENT_ALIAS],
    networkAlias: "op-node",
    restart: "unless-stopped",
  };
}

