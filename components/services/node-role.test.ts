import { describe, expect, it } from "vitest";

import { TEST_PEERS, testConfig } from "../config/test-fixtures.js";
import { executionClientSpec, httpApiOf } from "./execution-client.js";
import { PUBLIC_RPC_LABEL, verifierNode } from "./node-role.js";
import { opNodeSpec } from "./op-node/flags.js";
import { hostPaths } from "./paths.js";
import { isSecretRef, type ServiceSpec } from "./spec.js";

const SEQUENCER = "/ip4/203.0.113.10/tcp/9222/p2p/16Uiu2HAmLKhq8Rf4QmT4wWbfCzpHG8CUvH6ztCCpXqzCwm5XJ3dP";

function peerSpecs(i: 0 | 1, client: "op-reth" | "op-geth" = "op-reth"): { el: ServiceSpec; node: ServiceSpec } {
  const config = testConfig({ "ecp:executionClient": client, "ecp:peers": JSON.stringify(TEST_PEERS) });
  const peer = config.peers[i]!;
  const paths = hostPaths(config.stateDir);
  const node = verifierNode(peer, { multiaddr: SEQUENCER });
  return { el: executionClientSpec(config, paths, node), node: opNodeSpec(config, paths, node) };
}

const published = (s: ServiceSpec) => s.ports.filter((p) => p.external !== undefined).map((p) => `${s.name}:${p.name}@${p.ip}:${p.external}/${p.protocol}`);

describe("a verifier peer's services", () => {
  it("test_verifierOpNode_FollowsTheSequencer_WithoutItsKeyOrAdminApi", () => {
    const { node } = peerSpecs(0);
    expect(node.command).toContain("--sequencer.enabled=false");
    expect(node.command).toContain(`--p2p.static=${SEQUENCER}`);
    expect(node.command).not.toContain("--rpc.enable-admin=true");
    expect(node.command.some((a) => a.startsWith("--p2p.advertise.ip"))).toBe(false);
    expect(Object.keys(node.env).sort()).toEqual(["OP_NODE_L1_BEACON", "OP_NODE_L1_ETH_RPC", "OP_NODE_P2P_PRIV_RAW"]);
    expect(Object.values(node.env).every(isSecretRef)).toBe(true);
    expect(peerSpecs(1).node.command).toContain("--p2p.advertise.ip=203.0.113.22");
  });

  it.each(["op-reth", "op-geth"] as const)("test_verifierExecutionClient_PrivatePeer_KeepsItsRpcOnLoopback_WithoutMiner (%s)", (client) => {
    const { el } = peerSpecs(0, client);
    expect(httpApiOf(el)).toEqual(["eth", "net", "web3", "debug", "txpool"]);
    expect(el.labels).toEqual({});
    expect(el.command.some((a) => a.startsWith("--rollup.sequencer"))).toBe(false);
    expect(published(el).filter((p) => p.includes(":http@"))).toEqual([`${client}:http@127.0.0.1:8545/tcp`]);
  });

  it.each(["op-reth", "op-geth"] as const)("test_verifierExecutionClient_PublicPeer_ServesEthNetWeb3OnAllAddresses_AndForwardsToTheSequencer (%s)", (client) => {
    const { el } = peerSpecs(1, client);
    expect(httpApiOf(el)).toEqual(["eth", "net", "web3"]);
    expect(published(el).filter((p) => p.includes(":http@"))).toEqual([`${client}:http@0.0.0.0:8545/tcp`]);
    expect(el.labels).toEqual({ [PUBLIC_RPC_LABEL]: "8545" });
    const forward = client === "op-reth" ? "--rollup.sequencer-http=http://10.0.0.99:8545" : "--rollup.sequencerhttp=http://10.0.0.99:8545";
    expect(el.command).toContain(forward);
    if (client === "op-geth") expect(el.command).toContain("--http.vhosts=*");
  });

  it.each([0, 1] as const)("test_verifierHost_PublishesMetricsOnlyOnItsPrivateAddress_AndNoPortTwice (peer %i)", (i) => {
    const { el, node } = peerSpecs(i);
    const all = [...published(el), ...published(node)];
    const addr = TEST_PEERS[i].metricsAddress;
    expect(all.filter((p) => p.includes("metrics"))).toEqual([
      "op-reth:metrics@127.0.0.1:6060/tcp",
      `op-reth:metrics-private@${addr}:6060/tcp`,
      `op-node:metrics-private@${addr}:7300/tcp`,
    ]);
    // Two bindings of one host port clash when they share the address, or one of them is 0.0.0.0.
    const bindings = [el, node].flatMap((s) => s.ports.filter((p) => p.external !== undefined));
    const clashes = bindings.flatMap((a, x) =>
      bindings.slice(x + 1).filter((b) => a.external === b.external && a.protocol === b.protocol && (a.ip === b.ip || a.ip === "0.0.0.0" || b.ip === "0.0.0.0")),
    );
    expect(clashes).toEqual([]);
  });
});
