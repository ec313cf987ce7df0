import { describe, expect, it } from "vitest";

import { deriveRoleAddresses } from "../config/roles.js";
import { TEST_KEYS, testConfig } from "../config/test-fixtures.js";
import { opBatcherSpec } from "./op-batcher/flags.js";
import { opChallengerSpec } from "./op-challenger/flags.js";
import { opDisputeMonSpec } from "./op-dispute-mon/flags.js";
import { opGethSpec } from "./op-geth/flags.js";
import { opNodeSpec } from "./op-node/flags.js";
import { opProposerSpec } from "./op-proposer/flags.js";
import { hostPaths } from "./paths.js";
import { isSecretRef, secretValue, type ServiceSpec } from "./spec.js";
import { fixtureAddresses } from "./test-helpers.js";

function allSpecs(): ServiceSpec[] {
  const config = testConfig();
  const paths = hostPaths(config.stateDir);
  const addresses = fixtureAddresses();
  return [
    opGethSpec(config, paths),
    opNodeSpec(config, paths),
    opBatcherSpec(config),
    opProposerSpec(config, addresses),
    opChallengerSpec(config, addresses, paths),
    opDisputeMonSpec(config, addresses, deriveRoleAddresses(config)),
  ];
}

describe("the service set", () => {
  it("test_services_PublishedHostPorts_DoNotCollide", () => {
    const bound = allSpecs().flatMap((s) => s.ports.filter((p) => p.external !== undefined).map((p) => `${p.protocol}/${p.external}`));
    expect(new Set(bound).size).toBe(bound.length);
  });

  it("test_services_OnlyP2PIsPublishedBeyondLoopback", () => {
    const publicPorts = allSpecs().flatMap((s) =>
      s.ports.filter((p) => p.external !== undefined && p.ip !== "127.0.0.1").map((p) => `${s.name}:${p.name}`),
    );
    expect(publicPorts).toEqual(["op-geth:p2p", "op-node:p2p-tcp", "op-node:p2p-udp"]);
  });

  it("test_services_EverySecretRefResolvesToTheRightValue", () => {
    const config = testConfig();
    const refs = allSpecs().flatMap((s) => Object.values(s.env).filter(isSecretRef));
    expect(new Set(refs.map((r) => r.name))).toEqual(
      new Set(["l1RpcUrl", "l1BeaconUrl", "sequencerPrivateKey", "batcherPrivateKey", "proposerPrivateKey", "challengerPrivateKey"]),
    );
    expect(secretValue(config, "batcherPrivateKey").reveal()).toBe(TEST_KEYS.batcher);
    expect(secretValue(config, "sequencerPrivateKey").reveal()).toBe(TEST_KEYS.sequencer);
    expect(secretValue(config, "l1RpcUrl").reveal()).toBe("https://sepolia.example.org/v1/secret-token");
  });

  it("test_services_DependenciesExist_AndAliasesMatchNames", () => {
    const specs = allSpecs();
    const names = new Set(specs.map((s) => s.name));
    for (const s of specs) {
      expect(s.networkAlias).toBe(s.name);
      for (const d of s.dependsOn) expect(names.has(d)).toBe(true);
    }
  });
});
