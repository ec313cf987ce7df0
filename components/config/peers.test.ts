import { describe, expect, it } from "vitest";

import { ConfigError, configWarnings, loadConfig } from "./load.js";
import { parsePeers } from "./peers.js";
import { minimalRawConfig, TEST_HOST_KEY, TEST_PEERS } from "./test-fixtures.js";

function problems(peers: unknown, overrides: Record<string, unknown> = {}): string[] {
  try {
    loadConfig(minimalRawConfig({ "ecp:peers": JSON.stringify(peers), ...overrides }));
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  return [];
}

describe("ecp:peers", () => {
  it("test_peers_Unset_IsNoPeers", () => {
    expect(loadConfig(minimalRawConfig()).peers).toEqual([]);
  });

  it("test_peers_TwoPeers_LoadWithDefaultsAndTheirOptions", () => {
    const peers = loadConfig(minimalRawConfig({ "ecp:peers": JSON.stringify(TEST_PEERS) })).peers;
    expect(peers.map((p) => p.name)).toEqual(["verifier-1", "rpc-1"]);
    expect(peers[0]).toEqual({ name: "verifier-1", host: { address: "203.0.113.21", user: "deploy", port: 22, hostKey: TEST_PEERS[0].hostKey }, metricsAddress: "10.0.0.21" });
    expect(peers[1]).toMatchObject({ host: { port: 2222 }, publicRpcPort: 8545, sequencerHttp: "http://10.0.0.99:8545", advertiseIp: "203.0.113.22" });
  });

  it("test_peers_Jump_NeedsItsHostKey", () => {
    const withJump = [{ ...TEST_PEERS[0], jump: "ci@bastion.example.org:2200" }];
    expect(problems(withJump).join("\n")).toMatch(/\[0\]\.jump and \[0\]\.jumpHostKey set together/);
    const ok = parsePeers([{ ...TEST_PEERS[0], jump: "ci@bastion.example.org:2200", jumpHostKey: TEST_PEERS[1].hostKey }]);
    expect(ok.ok && ok.value[0]!.host.jump).toEqual({ user: "ci", address: "bastion.example.org", port: 2200, hostKey: TEST_PEERS[1].hostKey });
  });

  it.each([
    [[{ ...TEST_PEERS[0], name: "Verifier" }], "[0].name is 2 to 32 lowercase"],
    [[{ ...TEST_PEERS[0], hostKey: "not a key" }], "[0].hostKey is an OpenSSH public host key"],
    [[TEST_PEERS[0], { ...TEST_PEERS[1], user: "root user" }], "[1].user is a Unix user name"],
    [[{ ...TEST_PEERS[0], metricsAddress: "203.0.113.21" }], "[0].metricsAddress is a private IPv4 address"],
    [[{ ...TEST_PEERS[0], publicRpcPort: 80 }], "[0].publicRpcPort is an integer from 1024 to 65535"],
    [[{ ...TEST_PEERS[1], sequencerHttp: "http://user:pw@10.0.0.10:8545" }], "[0].sequencerHttp is an http(s) or ws(s) URL"],
    [[{ ...TEST_PEERS[0], rpc: true }], '[0] has only the keys name, address'],
    [[TEST_PEERS[0], { ...TEST_PEERS[1], name: "verifier-1" }], 'distinct names ("verifier-1" appears twice)'],
    [[TEST_PEERS[0], { ...TEST_PEERS[1], address: "203.0.113.21" }], 'distinct addresses ("203.0.113.21" appears twice)'],
    [{ name: "verifier-1" }, "a JSON list of peers"],
  ])("test_peers_BadPeer_IsNamedWithItsIndexAndField (%#)", (peers, phrase) => {
    const [p] = problems(peers);
    expect(p).toContain("`ecp:peers` must be");
    expect(p).toContain(phrase);
  });

  it("test_peers_OnTheSequencersHost_OrOnAPublishedPort_AreRefused", () => {
    const onHost = problems([{ ...TEST_PEERS[0], address: "ecp-forge" }]);
    expect(onHost).toEqual([expect.stringMatching(/^`ecp:peers\[0\]\.address` is ecp-forge's own address \(ecp-forge\)/)]);
    const onP2p = problems([{ ...TEST_PEERS[1], publicRpcPort: 9222 }]);
    expect(onP2p).toEqual([expect.stringMatching(/^`ecp:peers\[0\]\.publicRpcPort` 9222 is already taken on the peer \(P2P 9222, 30303; loopback .*; metrics 6060, 7300; SSH 2222\)/)]);
    // op-node's metrics on the private address, and the peer's own SSH port.
    expect(problems([{ ...TEST_PEERS[1], publicRpcPort: 7300 }])).toHaveLength(1);
    expect(problems([{ ...TEST_PEERS[1], publicRpcPort: 2222 }])).toHaveLength(1);
    const { metricsAddress: _, ...unscraped } = TEST_PEERS[1];
    expect(problems([{ ...unscraped, publicRpcPort: 7300 }])).toEqual([]);
    expect(problems([{ ...TEST_PEERS[1], publicRpcPort: 9545 }])).toHaveLength(1);
    // 8545 is the L2 RPC's own loopback port, which the public binding replaces.
    expect(problems([{ ...TEST_PEERS[1], publicRpcPort: 8545 }])).toEqual([]);
  });

  it("test_peers_Warnings_NameAPeerNotScraped_AndAPublicRpcThatForwardsNowhere", () => {
    const warned = (peers: unknown) => configWarnings(loadConfig(minimalRawConfig({ "ecp:peers": JSON.stringify(peers) }))).filter((w) => w.includes("peers["));
    expect(warned(TEST_PEERS)).toEqual([]);
    const bare = { ...TEST_PEERS[1] } as Record<string, unknown>;
    delete bare["metricsAddress"];
    delete bare["sequencerHttp"];
    expect(warned([TEST_PEERS[0], bare])).toEqual([
      "`ecp:peers[1].metricsAddress` is not set, so Prometheus on ecp-forge does not scrape peer rpc-1. Run `pulumi config set --path 'ecp:peers[1].metricsAddress' <its private IPv4>`.",
      "Peer rpc-1 publishes the L2 RPC, but neither `ecp:host.privateAddress` nor `ecp:peers[1].sequencerHttp` is set: transactions sent to it stay in its own pool and are never sequenced. Run `pulumi config set --path ecp:host.privateAddress <ecp-forge's private IPv4>`.",
    ]);
    // The default host name ecp-forge, with neither address set: the peers may not resolve it.
    const named = configWarnings(loadConfig(minimalRawConfig({ "ecp:peers": JSON.stringify(TEST_PEERS) })));
    expect(named.filter((w) => w.includes("dial the sequencer"))).toEqual([expect.stringMatching(/^The verifier peers dial the sequencer's op-node by the name `ecp-forge`/)]);
    // ecp-forge's private address is where the peer forwards to by default.
    const withPrivate = loadConfig(minimalRawConfig({ "ecp:host": JSON.stringify({ user: "deploy", hostKey: TEST_HOST_KEY, privateAddress: "10.0.0.10" }), "ecp:peers": JSON.stringify([bare]) }));
    expect(configWarnings(withPrivate).filter((w) => w.includes("never sequenced"))).toEqual([]);
    expect(() => loadConfig(minimalRawConfig({ "ecp:host": JSON.stringify({ user: "deploy", hostKey: TEST_HOST_KEY, privateAddress: "203.0.113.10" }) }))).toThrow(
      "`ecp:host.privateAddress` must be a private IPv4 address",
    );
  });
});
