import { describe, expect, it } from "vitest";

import { deriveRoleAddresses } from "../config/roles.js";
import { TEST_KEYS, testConfig } from "../config/test-fixtures.js";
import { opBatcherSpec } from "./op-batcher/flags.js";
import { opChallengerSpec } from "./op-challenger/flags.js";
import { opDisputeMonSpec } from "./op-dispute-mon/flags.js";
import { EL_NAMESPACES_CALLED, executionClientSpec, httpApiOf } from "./execution-client.js";
import { opNodeSpec } from "./op-node/flags.js";
import { opProposerSpec } from "./op-proposer/flags.js";
import { hostPaths } from "./paths.js";
import { isSecretRef, secretValue, type ServiceSpec } from "./spec.js";
import { fixtureAddresses } from "./test-helpers.js";

function allSpecs(client: "op-reth" | "op-geth" = "op-reth"): ServiceSpec[] {
  const config = testConfig({ "ecp:executionClient": client });
  const paths = hostPaths(config.stateDir);
  const addresses = fixtureAddresses();
  return [
    executionClientSpec(config, paths),
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
    expect(publicPorts).toEqual(["op-reth:p2p", "op-node:p2p-tcp", "op-node:p2p-udp"]);
    expect(allSpecs("op-geth").flatMap((s) => s.ports.filter((p) => p.external !== undefined && p.ip !== "127.0.0.1").map((p) => `${s.name}:${p.name}`))).toEqual([
      "op-geth:p2p",
      "op-node:p2p-tcp",
      "op-node:p2p-udp",
    ]);
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

  it.each(["op-reth", "op-geth"] as const)("test_services_DependenciesExist_AndAliasesMatchNames (%s)", (client) => {
    const specs = allSpecs(client);
    const names = new Set<string>(specs.flatMap((s) => [s.name, ...(s.extraAliases ?? [])]));
    for (const s of specs) {
      expect(s.networkAlias).toBe(s.name);
      for (const d of s.dependsOn) expect(names.has(d)).toBe(true);
    }
    // Exactly one service answers as "execution": the chosen client.
    expect(specs.filter((s) => s.extraAliases?.includes("execution")).map((s) => s.name)).toEqual([client]);
  });

  it.each(["op-reth", "op-geth"] as const)("test_services_ExecutionClientServesEveryNamespaceTheOthersCall (%s)", (client) => {
    const served = new Set(httpApiOf(allSpecs(client)[0]!));
    for (const [caller, namespaces] of Object.entries(EL_NAMESPACES_CALLED)) {
      for (const ns of namespaces.namespaces) expect(served.has(ns), `${client} does not serve ${ns}, which ${caller} calls`).toBe(true);
    }
  });
});
