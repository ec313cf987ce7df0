import { describe, expect, it } from "vitest";

import { testConfig } from "../../config/test-fixtures.js";
import { hostPaths } from "../paths.js";
import { secretRef } from "../spec.js";
import { expectNoSecretsInPlainText, expectNothingButP2PIsPublic } from "../test-helpers.js";
import { opNodeSpec } from "./flags.js";

describe("opNodeSpec", () => {
  const config = testConfig();
  const spec = opNodeSpec(config, hostPaths(config.stateDir));

  it("test_opNode_ExactCommandLine", () => {
    expect(spec.image).toBe("us-docker.pkg.dev/oplabs-tools-artifacts/images/op-node:v1.20.2");
    expect(spec.entrypoint).toBeUndefined();
    expect(spec.command).toEqual([
      "op-node",
      "--l2=http://execution:8551",
      "--l2.enginekind=reth",
      "--l2.jwt-secret=/secrets/jwt.txt",
      "--rollup.config=/config/rollup.json",
      "--sequencer.enabled=true",
      "--verifier.l1-confs=4",
      "--safedb.path=/data/safedb",
      "--rpc.addr=0.0.0.0",
      "--rpc.port=9545",
      "--rpc.enable-admin=true",
      "--p2p.listen.tcp=9222",
      "--p2p.listen.udp=9222",
      "--p2p.no-discovery",
      "--p2p.peerstore.path=/data/opnode_peerstore_db",
      "--p2p.discovery.path=/data/opnode_discovery_db",
      "--p2p.advertise.ip=203.0.113.10",
      "--metrics.enabled",
      "--metrics.addr=0.0.0.0",
      "--metrics.port=7300",
      "--log.level=info",
      "--log.format=json",
    ]);
  });

  it("test_opNode_Env_L1UrlsAndSequencerKeyAreSecretRefs", () => {
    expect(spec.env).toEqual({
      OP_NODE_L1_ETH_RPC: secretRef("l1RpcUrl"),
      OP_NODE_L1_BEACON: secretRef("l1BeaconUrl"),
      OP_NODE_P2P_SEQUENCER_KEY: secretRef("sequencerPrivateKey"),
      OP_NODE_P2P_PRIV_RAW: secretRef("opNodeP2pKey"),
    });
    expectNoSecretsInPlainText(spec, config);
  });

  it("test_opNode_Ports_P2PPublicTcpAndUdp_RpcOnLoopback", () => {
    expect(spec.ports).toEqual([
      { name: "rpc", kind: "rpc", internal: 9545, external: 9545, ip: "127.0.0.1", protocol: "tcp" },
      { name: "metrics", kind: "metrics", internal: 7300, ip: "127.0.0.1", protocol: "tcp" },
      { name: "p2p-tcp", kind: "p2p", internal: 9222, external: 9222, ip: "0.0.0.0", protocol: "tcp" },
      { name: "p2p-udp", kind: "p2p", internal: 9222, external: 9222, ip: "0.0.0.0", protocol: "udp" },
    ]);
    expectNothingButP2PIsPublic(spec);
  });

  it("test_opNode_MountsAndHealth", () => {
    expect(spec.mounts).toEqual([
      { hostPath: "/var/lib/ecp-opstack/op-node", containerPath: "/data", readOnly: false },
      { hostPath: "/var/lib/ecp-opstack/config", containerPath: "/config", readOnly: true },
      { hostPath: "/var/lib/ecp-opstack/secrets/jwt.txt", containerPath: "/secrets/jwt.txt", readOnly: true },
    ]);
    expect(spec.healthcheck).toEqual({
      kind: "http",
      url: "http://127.0.0.1:9545/healthz",
      expectStatus: 200,
      intervalSeconds: 15,
      timeoutSeconds: 5,
      retries: 8,
    });
    expect(spec.dependsOn).toEqual(["execution"]);
  });

  it("test_opNode_NoAdvertiseIp_OmitsTheFlag", () => {
    const c = testConfig({ "ecp:p2p": JSON.stringify({ opNodePort: 9333 }) });
    const s = opNodeSpec(c, hostPaths(c.stateDir));
    expect(s.command.some((a) => a.startsWith("--p2p.advertise.ip"))).toBe(false);
    expect(s.command).toContain("--p2p.listen.tcp=9333");
    expect(s.command).toContain("--p2p.listen.udp=9333");
  });

  it("test_opNode_StaticPeers_OneCommaSeparatedFlag_NoneWithoutPeers", () => {
    const peers = ["/ip4/203.0.113.20/tcp/9222/p2p/16Uiu2HAmQ4zEe2cZ1qgBLD6hRkjP8rBNzq1F8cLBYzbyJ5Y8dWxA", "/dns4/verifier-1.example/tcp/9222/p2p/16Uiu2HAm8mPpRwZpkQLGsDqHjxKJ6cqYTxdHiEc3Y2zXRHsCzzqA"];
    const c = testConfig({ "ecp:p2p": JSON.stringify({ staticPeers: peers }) });
    expect(opNodeSpec(c, hostPaths(c.stateDir)).command).toContain(`--p2p.static=${peers.join(",")}`);
    const none = testConfig();
    expect(opNodeSpec(none, hostPaths(none.stateDir)).command.some((a) => a.startsWith("--p2p.static"))).toBe(false);
  });
});
