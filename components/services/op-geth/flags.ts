/**
 * op-geth: the sequencer's execution client when `ecp:executionClient` is op-geth. Out of upstream support since
 * 2026-05-31 (OP's deprecation notice); kept selectable for as long as it runs the chain (no Karst at genesis).
 *
 * Flags checked at upstream op-geth commit d0734fd5f44234cde3b0a7c4beb1256fc6feedef (2026-03-17, geth 1.17.1
 * base; read from base/op-geth, which carries upstream's history) in cmd/utils/flags.go, cmd/geth/chaincmd.go,
 * cmd/geth/consolecmd.go and node/rpcstack.go. The pinned tag v1.101702.2 is later (geth 1.17.2); none of the
 * flags used here changed in between as far as that history shows.
 * Image: alpine with ENTRYPOINT ["geth"] (Dockerfile at the same commit), so `command` holds arguments only.
 */
import { CONTAINER_PORTS, EXECUTION_CLIENT_ALIAS, HOST_LOOPBACK_PORTS } from "../../config/defaults.js";
import { imageRef } from "../../config/images.js";
import type { StackConfig } from "../../config/schema.js";
import { CONTAINER_PATHS, type HostPaths } from "../paths.js";
import { executionHttpApi, executionRpcPorts, executionWsFlags, metricsPorts, type NodeSettings, nodeLabels, sequencerNode } from "../node-role.js";
import { executionClientMounts, flag, type ExecutionClientSpec } from "../spec.js";

const P = CONTAINER_PORTS.executionClient;

/** Hash scheme: archive mode with the path scheme is not what the tutorial or op-challenger docs use. */
const STATE_SCHEME = "hash";

export function opGethSpec(config: Pick<StackConfig, "images" | "p2p"> & { host?: StackConfig["host"] }, paths: HostPaths, node: NodeSettings = sequencerNode(config)): ExecutionClientSpec {
  const p2pPort = config.p2p.executionPort;
  return {
    name: "op-geth",
    image: imageRef(config.images.opGeth),
    entrypoint: ["geth"],
    command: [
      flag("datadir", CONTAINER_PATHS.data),
      flag("state.scheme", STATE_SCHEME),
      flag("syncmode", "full"),
      // Archive + debug API: op-challenger's --l2-eth-rpc must be an archive node with `debug` enabled.
      // Always on, so enabling the challenger later needs no resync.
      flag("gcmode", "archive"),
      "--http",
      flag("http.addr", "0.0.0.0"),
      flag("http.port", P.http),
      // Host header allowlist: IP literals always pass (rpcstack.go virtualHostHandler); names must be listed.
      // A public RPC answers under whatever name the operator gives it.
      flag("http.vhosts", node.publicRpcPort === undefined ? `op-geth,${EXECUTION_CLIENT_ALIAS},localhost` : "*"),
      // `miner` for op-batcher: its DA throttling (on by default) calls miner_setMaxDASize on this
      // endpoint and shuts the batcher down on method-not-found (mono@op-batcher/v1.16.10
      // batcher/driver.go; op-geth eth/api_miner.go MinerAPI.SetMaxDASize). The port is private, except a
      // verifier's public RPC (eth, net, web3 only; node-role.ts).
      flag("http.api", executionHttpApi(node)),
      ...executionWsFlags(node),
      flag("authrpc.addr", "0.0.0.0"),
      flag("authrpc.port", P.authrpc),
      flag("authrpc.vhosts", `op-geth,${EXECUTION_CLIENT_ALIAS}`),
      flag("authrpc.jwtsecret", CONTAINER_PATHS.jwt),
      // Canonical name of the tutorial's --rollup.disabletxpoolgossip (now its alias): a sequencer keeps
      // its mempool to itself.
      flag("rollup.txpool.disable-gossip", "true"),
      // A verifier forwards the transactions it is sent to the sequencer (op-geth@d0734fd5 cmd/utils/flags.go
      // `rollup.sequencerhttp`).
      ...(node.sequencerHttp === undefined ? [] : [flag("rollup.sequencerhttp", node.sequencerHttp)]),
      flag("port", p2pPort),
      // Private chain: no public discovery (it would dial OP bootnodes); peers are added statically.
      "--nodiscover",
      "--metrics",
      flag("metrics.addr", "0.0.0.0"),
      flag("metrics.port", P.metrics),
    ],
    env: {},
    ports: [
      ...executionRpcPorts(node, P.http, HOST_LOOPBACK_PORTS.l2Http),
      { name: "authrpc", kind: "auth", internal: P.authrpc, ip: "127.0.0.1", protocol: "tcp" },
      ...metricsPorts(node, P.metrics),
      // devp2p over TCP only: discovery (UDP) is off.
      { name: "p2p", kind: "p2p", internal: p2pPort, external: p2pPort, ip: "0.0.0.0", protocol: "tcp" },
    ],
    mounts: executionClientMounts(paths.opGethData, paths, true),
    // The image is alpine with geth in it, so it can probe itself.
    healthcheck: {
      kind: "exec",
      test: ["CMD", "geth", "attach", "--exec", "eth.blockNumber", `http://127.0.0.1:${P.http}`],
      intervalSeconds: 15,
      timeoutSeconds: 5,
      retries: 5,
      startPeriodSeconds: 30,
    },
    dependsOn: [],
    networkAlias: "op-geth",
    extraAliases: [EXECUTION_CLIENT_ALIAS],
    restart: "unless-stopped",
    init: {
      entrypoint: ["geth"],
      // `geth init` accepts DatabaseFlags (datadir, state.scheme) before the genesis path (chaincmd.go).
      // The scheme must match the run command's.
      command: ["init", flag("datadir", CONTAINER_PATHS.data), flag("state.scheme", STATE_SCHEME), CONTAINER_PATHS.genesis],
      mounts: executionClientMounts(paths.opGethData, paths, false),
    },
    labels: nodeLabels(node),
  };
}
