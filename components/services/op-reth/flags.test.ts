import { describe, expect, it } from "vitest";

import { testConfig } from "../../config/test-fixtures.js";
import { hostPaths } from "../paths.js";
import { expectNoSecretsInPlainText, expectNothingButP2PIsPublic } from "../test-helpers.js";
import { opRethSpec } from "./flags.js";

describe("opRethSpec", () => {
  const config = testConfig();
  const spec = opRethSpec(config, hostPaths(config.stateDir));

  it("test_opReth_Run_ExactCommandLine", () => {
    expect(spec.image).toBe("us-docker.pkg.dev/oplabs-tools-artifacts/images/op-reth:v2.8.2");
    // The image's ENTRYPOINT is op-reth: the command starts with the subcommand.
    expect(spec.entrypoint).toBeUndefined();
    expect(spec.command).toEqual([
      "node",
      "--chain=/config/genesis.json",
      "--datadir=/data",
      "--http",
      "--http.addr=0.0.0.0",
      "--http.port=8545",
      "--http.api=eth,net,web3,debug,txpool,miner",
      "--authrpc.addr=0.0.0.0",
      "--authrpc.port=8551",
      "--authrpc.jwtsecret=/secrets/jwt.txt",
      "--rpc.gascap=60000000",
      "--rollup.disable-tx-pool-gossip",
      "--port=30303",
      "--disable-discovery",
      "--metrics=0.0.0.0:6060",
    ]);
    expect(spec.env).toEqual({});
  });

  it("test_opReth_Init_NamesTheSameChainAndDatadir", () => {
    expect(spec.init).toEqual({
      entrypoint: ["/usr/local/bin/op-reth"],
      command: ["init", "--datadir=/data", "--chain=/config/genesis.json"],
      mounts: [
        { hostPath: "/var/lib/ecp-opstack/op-reth", containerPath: "/data", readOnly: false },
        { hostPath: "/var/lib/ecp-opstack/config", containerPath: "/config", readOnly: true },
      ],
    });
    // The run names the same chain file: without --chain, reth would start OP Mainnet.
    expect(spec.command).toContain("--chain=/config/genesis.json");
  });

  it("test_opReth_Ports_OnlyP2PIsPublic_RpcAndMetricsOnLoopback", () => {
    expect(spec.ports).toEqual([
      { name: "http", kind: "rpc", internal: 8545, external: 8545, ip: "127.0.0.1", protocol: "tcp" },
      { name: "authrpc", kind: "auth", internal: 8551, ip: "127.0.0.1", protocol: "tcp" },
      { name: "metrics", kind: "metrics", internal: 6060, external: 6060, ip: "127.0.0.1", protocol: "tcp" },
      { name: "p2p", kind: "p2p", internal: 30303, external: 30303, ip: "0.0.0.0", protocol: "tcp" },
    ]);
    expectNothingButP2PIsPublic(spec);
  });

  it("test_opReth_Secrets_JwtIsAMountedFileOnly", () => {
    expect(spec.mounts).toContainEqual({ hostPath: "/var/lib/ecp-opstack/secrets/jwt.txt", containerPath: "/secrets/jwt.txt", readOnly: true });
    expectNoSecretsInPlainText(spec, config);
  });

  it("test_opReth_Health_ProbedFromTheHostOnItsMetricsServer", () => {
    expect(spec.healthcheck).toEqual({ kind: "http", url: "http://127.0.0.1:6060/", expectStatus: 200, intervalSeconds: 15, timeoutSeconds: 5, retries: 8 });
    expect(spec.networkAlias).toBe("op-reth");
    expect(spec.extraAliases).toEqual(["execution"]);
  });

  it("test_opReth_P2PPortAndDigest_FollowConfig", () => {
    const c = testConfig({
      "ecp:p2p": JSON.stringify({ executionPort: 30313 }),
      "ecp:images": JSON.stringify({ opReth: { digest: `sha256:${"cd".repeat(32)}` } }),
      "ecp:stateDir": "/srv/ecp/",
    });
    const s = opRethSpec(c, hostPaths(c.stateDir));
    expect(s.command).toContain("--port=30313");
    expect(s.ports.find((p) => p.name === "p2p")).toMatchObject({ internal: 30313, external: 30313 });
    expect(s.image).toBe(`us-docker.pkg.dev/oplabs-tools-artifacts/images/op-reth:v2.8.2@sha256:${"cd".repeat(32)}`);
    expect(s.init.mounts[0]).toEqual({ hostPath: "/srv/ecp/op-reth", containerPath: "/data", readOnly: false });
  });
});
