import { describe, expect, it } from "vitest";

import { loadConfig } from "../../config/load.js";
import { deriveRoleAddresses } from "../../config/roles.js";
import { minimalRawConfig, TEST_ADDRESSES, testConfig } from "../../config/test-fixtures.js";
import { secretRef } from "../spec.js";
import { expectNoSecretsInPlainText, expectNothingButP2PIsPublic, fixtureAddresses } from "../test-helpers.js";
import { opDisputeMonSpec } from "./flags.js";

describe("opDisputeMonSpec", () => {
  const config = testConfig();
  const spec = opDisputeMonSpec(config, fixtureAddresses(), deriveRoleAddresses(config));

  it("test_opDisputeMon_ExactCommandLine", () => {
    expect(spec.image).toBe("us-docker.pkg.dev/oplabs-tools-artifacts/images/op-dispute-mon:v1.6.0");
    expect(spec.command).toEqual([
      "op-dispute-mon",
      "--rollup-rpc=http://op-node:9545",
      "--game-factory-address=0x128D0DeAEd25eE2410394d10f0d3dE7Fb7e0A3DB",
      `--honest-actors=${TEST_ADDRESSES.proposer},${TEST_ADDRESSES.challenger}`,
      "--monitor-interval=10s",
      "--metrics.enabled",
      "--metrics.addr=0.0.0.0",
      "--metrics.port=7300",
      "--log.level=info",
      "--log.format=json",
    ]);
    expect(spec.command.some((a) => a.startsWith("--network"))).toBe(false);
  });

  it("test_opDisputeMon_SharedKey_ListsTheActorOnce", () => {
    const c = loadConfig(minimalRawConfig());
    const s = opDisputeMonSpec(c, fixtureAddresses(), deriveRoleAddresses(c));
    expect(s.command).toContain(`--honest-actors=${TEST_ADDRESSES.deployer}`);
  });

  it("test_opDisputeMon_EnvPortsHealth", () => {
    expect(spec.env).toEqual({ OP_DISPUTE_MON_L1_ETH_RPC: secretRef("l1RpcUrl") });
    expectNoSecretsInPlainText(spec, config);
    expect(spec.ports).toEqual([{ name: "metrics", kind: "metrics", internal: 7300, external: 7311, ip: "127.0.0.1", protocol: "tcp" }]);
    expectNothingButP2PIsPublic(spec);
    expect(spec.healthcheck).toMatchObject({ kind: "http", url: "http://127.0.0.1:7311/metrics" });
    expect(spec.dependsOn).toEqual(["op-node"]);
  });
});
