import { describe, expect, it } from "vitest";

import { testConfig } from "../../config/test-fixtures.js";
import { secretRef } from "../spec.js";
import { expectNoSecretsInPlainText, expectNothingButP2PIsPublic, fixtureAddresses } from "../test-helpers.js";
import { opProposerSpec } from "./flags.js";

describe("opProposerSpec", () => {
  const config = testConfig();
  const addresses = fixtureAddresses();
  const spec = opProposerSpec(config, addresses);

  it("test_opProposer_ExactCommandLine_PermissionedGameAndFactory", () => {
    expect(spec.image).toBe("us-docker.pkg.dev/oplabs-tools-artifacts/images/op-proposer:v1.16.4");
    expect(spec.command).toEqual([
      "op-proposer",
      "--rollup-rpc=http://op-node:9545",
      "--game-factory-address=0x128D0DeAEd25eE2410394d10f0d3dE7Fb7e0A3DB",
      "--game-type=1",
      "--proposal-interval=1h",
      "--poll-interval=20s",
      "--allow-non-finalized=true",
      "--wait-node-sync=true",
      "--num-confirmations=1",
      "--resubmission-timeout=30s",
      "--rpc.addr=0.0.0.0",
      "--rpc.port=8560",
      "--metrics.enabled",
      "--metrics.addr=0.0.0.0",
      "--metrics.port=7300",
      "--log.level=info",
      "--log.format=json",
    ]);
  });

  it("test_opProposer_GameType_FollowsConfig", () => {
    const c = testConfig({ "ecp:permissionless": "true" });
    expect(opProposerSpec(c, addresses).command).toContain("--game-type=0");
  });

  it("test_opProposer_Env_And_Ports", () => {
    expect(spec.env).toEqual({
      OP_PROPOSER_L1_ETH_RPC: secretRef("l1RpcUrl"),
      OP_PROPOSER_PRIVATE_KEY: secretRef("proposerPrivateKey"),
    });
    expectNoSecretsInPlainText(spec, config);
    expect(spec.ports).toEqual([
      { name: "rpc", kind: "rpc", internal: 8560, external: 8560, ip: "127.0.0.1", protocol: "tcp" },
      { name: "metrics", kind: "metrics", internal: 7300, ip: "127.0.0.1", protocol: "tcp" },
    ]);
    expectNothingButP2PIsPublic(spec);
    expect(spec.healthcheck).toMatchObject({ kind: "http", url: "http://127.0.0.1:8560/healthz" });
  });
});
