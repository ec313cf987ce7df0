import { describe, expect, it } from "vitest";

import { testConfig } from "../../config/test-fixtures.js";
import { hostPaths } from "../paths.js";
import { expectNoSecretsInPlainText, expectNothingButP2PIsPublic } from "../test-helpers.js";
import { opGethSpec } from "./flags.js";

describe("opGethSpec", () => {
  const config = testConfig();
  const spec = opGethSpec(config, hostPaths(config.stateDir));

  it("test_opGeth_Run_ExactCommandLine", () => {
    expect(spec.image).toBe("us-docker.pkg.dev/oplabs-tools-artifacts/images/op-geth:v1.101702.2");
    expect(spec.entrypoint).toEqual(["geth"]);
    expect(spec.command).toEqual([
      "--datadir=/data",
      "--state.scheme=hash",
      "--syncmode=full",
      "--gcmode=archive",
      "--http",
      "--http.addr=0.0.0.0",
      "--http.port=8545",
      "--http.vhosts=op-geth,execution,localhost",
      "--http.api=eth,net,web3,debug,txpool,miner",
      "--authrpc.addr=0.0.0.0",
      "--authrpc.port=8551",
      "--authrpc.vhosts=op-geth,execution",
      "--authrpc.jwtsecret=/secrets/jwt.txt",
      "--rollup.txpool.disable-gossip=true",
      "--port=30303",
      "--nodiscover",
      "--metrics",
      "--metrics.addr=0.0.0.0",
      "--metrics.port=6060",
    ]);
    expect(spec.env).toEqual({});
  });

  it("test_opGeth_Init_UsesSameSchemeAndGenesis", () => {
    expect(spec.init).toEqual({
      entrypoint: ["geth"],
      command: ["init", "--datadir=/data", "--state.scheme=hash", "/config/genesis.json"],
      mounts: [
        { hostPath: "/var/lib/ecp-opstack/op-geth", containerPath: "/data", readOnly: false },
        { hostPath: "/var/lib/ecp-opstack/config", containerPath: "/config", readOnly: true },
      ],
    });
  });

  it("test_opGeth_Ports_OnlyP2PIsPublic_RpcOnLoopback", () => {
    expect(spec.ports).toEqual([
      { name: "http", kind: "rpc", internal: 8545, external: 8545, ip: "127.0.0.1", protocol: "tcp" },
      { name: "authrpc", kind: "auth", internal: 8551, ip: "127.0.0.1", protocol: "tcp" },
      { name: "metrics", kind: "metrics", internal: 6060, ip: "127.0.0.1", protocol: "tcp" },
      { name: "p2p", kind: "p2p", internal: 30303, external: 30303, ip: "0.0.0.0", protocol: "tcp" },
    ]);
    expectNothingButP2PIsPublic(spec);
  });

  it("test_opGeth_Secrets_JwtIsAMountedFileOnly", () => {
    expect(spec.mounts).toContainEqual({ hostPath: "/var/lib/ecp-opstack/secrets/jwt.txt", containerPath: "/secrets/jwt.txt", readOnly: true });
    expectNoSecretsInPlainText(spec, config);
  });

  it("test_opGeth_Healthcheck_RunsInsideTheContainer", () => {
    expect(spec.healthcheck).toEqual({
      kind: "exec",
      test: ["CMD", "geth", "attach", "--exec", "eth.blockNumber", "http://127.0.0.1:8545"],
      intervalSeconds: 15,
      timeoutSeconds: 5,
      retries: 5,
      startPeriodSeconds: 30,
    });
  });

  it("test_opGeth_P2PPort_FollowsConfigAndDigestIsEnforced", () => {
    const c = testConfig({
      "ecp:p2p": JSON.stringify({ executionPort: 30313 }),
      "ecp:images": JSON.stringify({ opGeth: { digest: `sha256:${"cd".repeat(32)}` } }),
      "ecp:stateDir": "/srv/ecp/",
    });
    const s = opGethSpec(c, hostPaths(c.stateDir));
    expect(s.command).toContain("--port=30313");
    expect(s.ports.at(-1)).toEqual({ name: "p2p", kind: "p2p", internal: 30313, external: 30313, ip: "0.0.0.0", protocol: "tcp" });
    expect(s.image).toBe(`us-docker.pkg.dev/oplabs-tools-artifacts/images/op-geth:v1.101702.2@sha256:${"cd".repeat(32)}`);
    expect(s.mounts[0]).toEqual({ hostPath: "/srv/ecp/op-geth", containerPath: "/data", readOnly: false });
  });
});
