// The policy pack's rules: the stack as built under Pulumi's mocks passes every one of them, and each
// rule catches the mistake it exists for.
import { privateKeyToAddress } from "viem/accounts";
import { beforeAll, describe, expect, it } from "vitest";

import { bundleRailCli } from "../components/ledger/bundle.js";
import { TEST_HOST_KEY, TEST_PEERS, testConfig } from "../components/config/test-fixtures.js";
import { opStack } from "../components/stack.js";
import { installMocks, promiseOf, type Recorded, reveal, settle } from "../components/testing/pulumi-mocks.js";
import {
  challengerNeedsVerifiedPrestate,
  CONTAINER,
  imagesPinned,
  imagesPinnedByDigest,
  keysOnlyInSecretFields,
  noPublicServicePorts,
  REMOTE_COMMAND,
  REMOTE_IMAGE,
  type ResourceLike,
} from "./policies.js";

const RESOURCE_RULES = { noPublicServicePorts, imagesPinned, keysOnlyInSecretFields };

function violations(rule: (r: ResourceLike, report: (m: string) => void) => void, r: ResourceLike): string[] {
  const out: string[] = [];
  rule(r, (m) => out.push(m));
  return out;
}

async function stackResources(): Promise<ResourceLike[]> {
  const recorded: Recorded[] = installMocks();
  const W = [`0x${"a1".repeat(32)}`, `0x${"a2".repeat(32)}`, `0x${"a3".repeat(32)}`] as const;
  const witnesses = W.map((k, i) => ({ name: `w-${i}`, address: privateKeyToAddress(k) }));
  // Every part: the rail (with ecp-forge's own witness and the relayer on the private address), monitoring, and
  // two verifier peers (one with the public RPC) forwarding to ecp-forge's private address.
  const config = testConfig({ "ecp:rail": JSON.stringify({ witnesses, archiveDir: "/srv/archive" }), "ecp:railWitnessKey": W[0], "ecp:peers": JSON.stringify(TEST_PEERS),
    "ecp:host": JSON.stringify({ user: "deploy", hostKey: TEST_HOST_KEY, privateAddress: "10.0.0.10" }),
  });
  const { outputs } = opStack(config, { stack: "sepolia", warn: () => undefined });
  await promiseOf(outputs.rail);
  await promiseOf(outputs.peers);
  await settle(recorded);
  // Policies see inputs decrypted.
  return recorded.map((r) => ({ type: r.type, name: r.name, props: reveal(r.inputs) as Record<string, unknown> }));
}

const labels = (service: string) => [{ label: "org.every-channel.service", value: service }];


// The rail client is bundled once, asynchronously (esbuild); built before the first program runs, the
// resources that wait on it register within each test, as every other resource does.
beforeAll(() => bundleRailCli(), 120_000);

describe("the stack passes its own policies", () => {
  it("every resource rule holds for every resource", async () => {
    const resources = await stackResources();
    expect(resources.length).toBeGreaterThan(40);
    for (const [name, rule] of Object.entries(RESOURCE_RULES)) {
      for (const r of resources) expect(violations(rule, r), `${name} on ${r.type} ${r.name}`).toEqual([]);
    }
    // Tags only, so far: the advisory rule says so for each image (7 chain images, 3 monitoring, 2 per peer).
    expect(resources.filter((r) => r.type === REMOTE_IMAGE).flatMap((r) => violations(imagesPinnedByDigest, r))).toHaveLength(14);
    // The peer's public RPC is there, and it passed.
    const publicRpc = resources.find((r) => r.name === "peer-rpc-1-op-reth-container")!;
    expect(publicRpc.props["ports"]).toContainEqual({ internal: 8545, external: 8545, ip: "0.0.0.0", protocol: "tcp" });
    expect(resources.find((r) => r.name === "op-reth-container")!.props["ports"]).toContainEqual({ internal: 8546, external: 8546, ip: "10.0.0.10", protocol: "tcp" });
  });
});

describe("no-public-service-ports", () => {
  it("refuses an RPC port on 0.0.0.0, a random host port, and a public port on a service without P2P", () => {
    const node = (ports: unknown[]): ResourceLike => ({ type: CONTAINER, name: "op-node-container", props: { name: "op-node", labels: labels("op-node"), ports } });
    expect(violations(noPublicServicePorts, node([{ internal: 9545, external: 9545, ip: "0.0.0.0", protocol: "tcp" }]))).toEqual([
      "op-node port 9545/tcp is published on 0.0.0.0: only the execution client's (op-reth or op-geth) and op-node's P2P ports, a verifier peer's public L2 RPC (ecp:peers[].publicRpcPort), and the L2 WebSocket RPC, metrics and the rail relayer on a private address may leave loopback. Bind it to 127.0.0.1.",
    ]);
    expect(violations(noPublicServicePorts, node([{ internal: 7300 }]))).toEqual([
      "op-node port 7300/tcp is published on 0.0.0.0 on a random host port; publish it on 127.0.0.1 or not at all.",
    ]);
    expect(violations(noPublicServicePorts, node([{ internal: 9222, external: 9222, ip: "0.0.0.0", protocol: "udp" }, { internal: 9545, external: 9545, ip: "127.0.0.1" }]))).toEqual([]);
    const batcher: ResourceLike = { type: CONTAINER, name: "b", props: { labels: labels("op-batcher"), ports: [{ internal: 9999, external: 9999, ip: "0.0.0.0" }] } };
    expect(violations(noPublicServicePorts, batcher)).toHaveLength(1);
    // The rail relayer: on a private address for witnesses on other hosts, never on a public one or 0.0.0.0;
    // no other service may use that exception.
    const relayer = (ip: string, service = "rail-relayer"): ResourceLike => ({ type: CONTAINER, name: "r", props: { labels: labels(service), ports: [{ internal: 8650, external: 8650, ip }] } });
    expect(violations(noPublicServicePorts, relayer("10.0.0.10"))).toEqual([]);
    expect(violations(noPublicServicePorts, relayer("0.0.0.0"))).toHaveLength(1);
    expect(violations(noPublicServicePorts, relayer("203.0.113.9"))).toHaveLength(1);
    expect(violations(noPublicServicePorts, relayer("10.0.0.10", "rail-witness"))).toHaveLength(1);
  });

  it("allows the L2 RPC beyond loopback only on a verifier labelled for it, and metrics only on a private address", () => {
    const el = (extra: { label: string; value: string }[], ports: unknown[]): ResourceLike => ({ type: CONTAINER, name: "el", props: { labels: [...labels("op-reth"), ...extra], ports } });
    const rpc = [{ internal: 8545, external: 8545, ip: "0.0.0.0", protocol: "tcp" }];
    const verifier = { label: "org.every-channel.role", value: "verifier" };
    const publicRpc = { label: "org.every-channel.public-rpc", value: "8545" };
    expect(violations(noPublicServicePorts, el([verifier, publicRpc], rpc))).toEqual([]);
    // The sequencer's RPC, an unlabelled verifier, a label for another port, and another port under the label.
    expect(violations(noPublicServicePorts, el([{ label: "org.every-channel.role", value: "sequencer" }, publicRpc], rpc))).toHaveLength(1);
    expect(violations(noPublicServicePorts, el([verifier], rpc))).toHaveLength(1);
    expect(violations(noPublicServicePorts, el([verifier, { ...publicRpc, value: "8546" }], rpc))).toHaveLength(1);
    expect(violations(noPublicServicePorts, el([verifier, publicRpc], [{ internal: 8551, external: 8545, ip: "0.0.0.0" }]))).toHaveLength(1);
    // Metrics and the WebSocket RPC: a private address passes, a public one or 0.0.0.0 does not; the HTTP RPC
    // (debug, txpool, miner) and the engine API never.
    expect(violations(noPublicServicePorts, el([], [{ internal: 6060, external: 6060, ip: "10.0.0.21" }, { internal: 7300, external: 7300, ip: "100.64.1.2" }]))).toEqual([]);
    expect(violations(noPublicServicePorts, el([], [{ internal: 8546, external: 8546, ip: "10.0.0.10" }]))).toEqual([]);
    expect(violations(noPublicServicePorts, el([], [{ internal: 8546, external: 8546, ip: "0.0.0.0" }]))).toHaveLength(1);
    expect(violations(noPublicServicePorts, el([], [{ internal: 8545, external: 8545, ip: "10.0.0.10" }]))).toHaveLength(1);
    expect(violations(noPublicServicePorts, el([], [{ internal: 6060, external: 6060, ip: "203.0.113.21" }]))).toHaveLength(1);
    expect(violations(noPublicServicePorts, el([], [{ internal: 6060, external: 6060, ip: "0.0.0.0" }]))).toHaveLength(1);
    expect(violations(noPublicServicePorts, el([], [{ internal: 8545, external: 8545, ip: "203.0.113.21" }]))).toHaveLength(1);
    expect(violations(noPublicServicePorts, el([], [{ internal: 8551, external: 8551, ip: "10.0.0.21" }]))).toHaveLength(1);
    const node: ResourceLike = { type: CONTAINER, name: "n", props: { labels: labels("op-node"), ports: [{ internal: 9545, external: 9545, ip: "10.0.0.21" }] } };
    expect(violations(noPublicServicePorts, node)).toHaveLength(1);
  });
});

describe("images-pinned", () => {
  it("refuses latest, floating tags and containers that run an image by name", () => {
    const image = (name: string): ResourceLike => ({ type: REMOTE_IMAGE, name: "i", props: { name } });
    expect(violations(imagesPinned, image("us-docker.pkg.dev/oplabs-tools-artifacts/images/op-node:latest"))).toEqual([
      'image "us-docker.pkg.dev/oplabs-tools-artifacts/images/op-node:latest" is not pinned to an exact release tag like :v1.2.3 (optionally @sha256:…).',
    ]);
    expect(violations(imagesPinned, image("op-node:v1"))).toHaveLength(1);
    expect(violations(imagesPinned, image(`op-node:v1.19.0@sha256:${"a".repeat(64)}`))).toEqual([]);
    expect(violations(imagesPinned, image("docker.io/library/node:22.23.3-bookworm-slim"))).toEqual([]);
    expect(violations(imagesPinned, { type: CONTAINER, name: "c", props: { labels: labels("op-geth"), image: "op-geth:v1.101702.2" } })).toEqual([
      'container op-geth runs "op-geth:v1.101702.2", not the image ID of a pinned RemoteImage.',
    ]);
  });
});

describe("keys-only-as-secrets", () => {
  it("refuses key flags, key env assignments and bare 32-byte hex in plain-text fields", () => {
    const key = `0x${"5".padStart(64, "0")}`;
    const container = (command: string[]): ResourceLike => ({ type: CONTAINER, name: "op-node-container", props: { command } });
    expect(violations(keysOnlyInSecretFields, container(["op-node", `--p2p.sequencer.key=${key}`]))[0]).toContain("passes a key in plain text (--p2p.sequencer.key)");
    expect(violations(keysOnlyInSecretFields, container(["op-batcher", "--private-key", key]))).toHaveLength(1);
    const cmd = (create: string): ResourceLike => ({ type: REMOTE_COMMAND, name: "x", props: { create } });
    expect(violations(keysOnlyInSecretFields, cmd(`OP_BATCHER_PRIVATE_KEY=${key} run`))).toHaveLength(1);
    expect(violations(keysOnlyInSecretFields, cmd(`bash -s # deploy with ${key}`))[0]).toContain("holds a 32-byte hex value that could be a private key");
    // Our own hash labels are fine.
    expect(violations(keysOnlyInSecretFields, cmd(`bash -s # op-deployer apply, intent sha256 ${"ab".repeat(32)}`))).toEqual([]);
    expect(violations(keysOnlyInSecretFields, cmd(`bash -s # verify prestate 0x03${"cd".repeat(31)} with cannon from sha256:${"ef".repeat(32)}`))).toEqual([]);
  });
});

describe("challenger-needs-verified-prestate", () => {
  const challenger = (dependencies: ResourceLike[]): ResourceLike => ({ type: CONTAINER, name: "op-challenger-container", props: { labels: labels("op-challenger") }, dependencies });
  const verify: ResourceLike = { type: REMOTE_COMMAND, name: "op-challenger-prestate", props: { create: `bash -s # verify prestate 0x03${"aa".repeat(31)} with cannon from sha256:${"bb".repeat(32)}` } };

  it("holds when the challenger depends on the verification step", () => {
    const out: string[] = [];
    challengerNeedsVerifiedPrestate([verify, challenger([verify])], (m) => out.push(m));
    expect(out).toEqual([]);
  });

  it("refuses a challenger without it", () => {
    const out: string[] = [];
    challengerNeedsVerifiedPrestate([challenger([{ type: REMOTE_COMMAND, name: "other", props: { create: "bash -s # something else" } }])], (m) => out.push(m));
    expect(out).toEqual(["op-challenger (op-challenger-container) does not depend on a prestate verification step; it would play games with an unchecked prestate."]);
  });
});
