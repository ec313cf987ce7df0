/**
 * op-reth: the sequencer's execution client (the default; `ecp:executionClient`).
 *
 * Flags checked in source at op-reth/v2.3.2 (okx/optimism copy of the monorepo): the OP arguments in
 * rust/op-reth/crates/node/src/args.rs (`--rollup.disable-tx-pool-gossip`), the commands in
 * rust/op-reth/crates/cli/src/commands/mod.rs (`node`, `init`), and the generic node arguments of the reth it
 * builds on, paradigmxyz/reth v2.3.0 crates/node/core/src/args/ (`--chain`, `--datadir`, `--http*`,
 * `--authrpc.*`, `--port`, `--disable-discovery`, `--metrics`, `--rpc.gascap`), unchanged to reth v2.5.1.
 * The pin is later (docs/opstack-pins.md): the release notes of every op-reth release from v2.3.3 to the pin
 * remove or change none of these flags.
 * Image: chainguard/wolfi-base with ENTRYPOINT ["/usr/local/bin/op-reth"] (rust/op-reth/DockerfileOp), so
 * `command` holds arguments only. reth has no `attach` and no health route; its metrics server answers any
 * path with 200 (crates/node/metrics/src/server.rs), so the host probes that.
 */
import { CONTAINER_PORTS, EXECUTION_CLIENT_ALIAS, HOST_LOOPBACK_PORTS, STANDARD_CHAIN } from "../../config/defaults.js";
import { imageRef } from "../../config/images.js";
import type { StackConfig } from "../../config/schema.js";
import { CONTAINER_PATHS, type HostPaths } from "../paths.js";
import { executionHttpApi, executionRpcPorts, executionWsFlags, metricsPorts, type NodeSettings, nodeLabels, sequencerNode } from "../node-role.js";
import { executionClientMounts, flag, httpProbe, type ExecutionClientSpec } from "../spec.js";

const P = CONTAINER_PORTS.executionClient;

export function opRethSpec(config: Pick<StackConfig, "images" | "p2p"> & { host?: StackConfig["host"] }, paths: HostPaths, node: NodeSettings = sequencerNode(config)): ExecutionClientSpec {
  const p2pPort = config.p2p.executionPort;
  return {
    name: "op-reth",
    image: imageRef(config.images.opReth),
    command: [
      "node",
      // Every run names the chain: without it reth starts OP Mainnet (the first SUPPORTED_CHAINS entry).
      flag("chain", CONTAINER_PATHS.genesis),
      flag("datadir", CONTAINER_PATHS.data),
      // reth is an archive node unless --full/--minimal is given; op-challenger needs archive + debug.
      "--http",
      flag("http.addr", "0.0.0.0"),
      flag("http.port", P.http),
      // On the sequencer, `miner` for op-batcher: its DA throttling (on by default) calls miner_setMaxDASize on
      // this endpoint and shuts the batcher down on method-not-found (mono@op-batcher/v1.16.10 batcher/driver.go).
      // reth has no vhost filter; the port is private (Docker network and host loopback) except a verifier's
      // public RPC, which serves eth, net and web3 only (node-role.ts).
      flag("http.api", executionHttpApi(node)),
      ...executionWsFlags(node),
      flag("authrpc.addr", "0.0.0.0"),
      flag("authrpc.port", P.authrpc),
      flag("authrpc.jwtsecret", CONTAINER_PATHS.jwt),
      // Since op-reth v2.9.0 the call gas cap (default 50M) also caps eth_estimateGas; our blocks hold 60M.
      flag("rpc.gascap", STANDARD_CHAIN.gasLimit),
      // No node gossips its pool: the sequencer keeps its mempool to itself, and a verifier forwards to it.
      "--rollup.disable-tx-pool-gossip",
      // A verifier forwards the transactions it is sent to the sequencer (op-reth/v2.3.2
      // rust/op-reth/crates/node/src/args.rs `--rollup.sequencer`, visible alias `--rollup.sequencer-http`).
      ...(node.sequencerHttp === undefined ? [] : [flag("rollup.sequencer-http", node.sequencerHttp)]),
      flag("port", p2pPort),
      // Private chain: with discovery on, a custom chain with no bootnodes falls back to Ethereum mainnet's
      // (network.rs `.unwrap_or_else(mainnet_nodes)`); peers are added explicitly.
      "--disable-discovery",
      flag("metrics", `0.0.0.0:${P.metrics}`),
    ],
    env: {},
    ports: [
      ...executionRpcPorts(node, P.http, HOST_LOOPBACK_PORTS.l2Http),
      { name: "authrpc", kind: "auth", internal: P.authrpc, ip: "127.0.0.1", protocol: "tcp" },
      ...metricsPorts(node, P.metrics, HOST_LOOPBACK_PORTS.executionMetrics),
      // devp2p over TCP only: discovery (UDP) is off.
      { name: "p2p", kind: "p2p", internal: p2pPort, external: p2pPort, ip: "0.0.0.0", protocol: "tcp" },
    ],
    mounts: executionClientMounts(paths.opRethData, paths, true),
    healthcheck: httpProbe(`http://127.0.0.1:${HOST_LOOPBACK_PORTS.executionMetrics}/`),
    dependsOn: [],
    networkAlias: "op-reth",
    extraAliases: [EXECUTION_CLIENT_ALIAS],
    restart: "unless-stopped",
    init: {
      entrypoint: ["/usr/local/bin/op-reth"],
      // `init` writes the genesis into an empty datadir; on an existing one of another chain it fails with
      // GenesisHashMismatch (crates/storage/db-common/src/init.rs), which stops the step before the node runs.
      command: ["init", flag("datadir", CONTAINER_PATHS.data), flag("chain", CONTAINER_PATHS.genesis)],
      mounts: executionClientMounts(paths.opRethData, paths, false),
    },
    labels: nodeLabels(node),
  };
}
