import { describe, expect, it } from "vitest";

import { loadConfig } from "../config/load.js";
import { minimalRawConfig, TEST_PRESTATE, testConfig } from "../config/test-fixtures.js";
import { deriveRoleAddresses } from "../config/roles.js";
import { buildIntent } from "../deployer/intent.js";
import { DISPUTE_MON_DISABLED_REASON, NO_PRESTATE_REASON, PrestateMismatchError, prestateGate } from "./gate.js";

const STANDARD = "0x038512e02c4c3f7bdaec27d00edf55b7155e0905301e1a88083e4e0a6764d54c";

describe("prestateGate", () => {
  it("test_gate_NoPrestate_CreatesNeitherServiceAndSaysWhy", () => {
    const gate = prestateGate(loadConfig(minimalRawConfig()), STANDARD);
    expect(gate).toEqual({
      enabled: false,
      challenger: { create: false, reason: NO_PRESTATE_REASON },
      disputeMon: { create: false, reason: NO_PRESTATE_REASON },
    });
    expect(NO_PRESTATE_REASON).toBe(
      "op-challenger and op-dispute-mon are not deployed: `ecp:prestate` is not set. Build this chain's prestate from op-program/v1.9.0 with its rollup.json and genesis.json (op-program/chainconfig/configs/<chainId>-rollup.json and <chainId>-genesis-l2.json, then `make reproducible-prestate`), then set `ecp:prestate.hash` and `ecp:prestate.path`.",
    );
  });

  it("test_gate_MatchingPrestate_CreatesBothAndNamesTheFile", () => {
    const config = testConfig();
    const intent = buildIntent(config, deriveRoleAddresses(config));
    const deployed = intent.chains[0]?.deployOverrides.faultGameAbsolutePrestate ?? "0x";
    const gate = prestateGate(config, deployed);
    expect(gate).toEqual({
      enabled: true,
      prestate: config.prestate,
      fileName: `${TEST_PRESTATE}.bin.gz`,
      challenger: { create: true },
      disputeMon: { create: true },
    });
  });

  it("test_gate_MatchIsCaseInsensitive", () => {
    expect(prestateGate(testConfig(), TEST_PRESTATE.toUpperCase().replace("0X", "0x") as `0x${string}`).enabled).toBe(true);
  });

  it("test_gate_DisputeMonDisabled_OnlyChallenger", () => {
    const gate = prestateGate(testConfig({ "ecp:disputeMonEnabled": "false" }), TEST_PRESTATE);
    expect(gate.challenger).toEqual({ create: true });
    expect(gate.disputeMon).toEqual({ create: false, reason: DISPUTE_MON_DISABLED_REASON });
    expect(DISPUTE_MON_DISABLED_REASON).toBe("op-dispute-mon is not deployed: `ecp:disputeMonEnabled` is false.");
  });

  it("test_gate_FailsIf_ChainWasDeployedWithTheStandardPrestate", () => {
    expect(() => prestateGate(testConfig(), STANDARD)).toThrow(PrestateMismatchError);
    expect(() => prestateGate(testConfig(), STANDARD)).toThrow(
      "`ecp:prestate.hash` is 0x03aa000000000000000000000000000000000000000000000000000000000001, but the chain's dispute games were deployed with op-deployer's standard prestate 0x038512e02c4c3f7bdaec27d00edf55b7155e0905301e1a88083e4e0a6764d54c (op-program 1.3.1, which cannot prove this chain). op-challenger would refuse every game. `op-deployer apply` never changes the prestate of a deployed chain: update the game's prestate through the OPCM, or deploy into a fresh `ecp:stateDir`. If the chain already uses the prestate you built, run `pulumi config set --path ecp:prestate.hash 0x038512e02c4c3f7bdaec27d00edf55b7155e0905301e1a88083e4e0a6764d54c`.",
    );
  });

  it("test_gate_FailsIf_ChainWasDeployedWithAnotherCustomPrestate", () => {
    const other = `0x03${"cd".repeat(31)}` as const;
    expect(() => prestateGate(testConfig(), other)).toThrow(
      `\`ecp:prestate.hash\` is ${TEST_PRESTATE}, but the chain's dispute games were deployed with absolute prestate ${other}. op-challenger would refuse every game. \`op-deployer apply\` never changes the prestate of a deployed chain: update the game's prestate through the OPCM, or deploy into a fresh \`ecp:stateDir\`. If the chain already uses the prestate you built, run \`pulumi config set --path ecp:prestate.hash ${other}\`.`,
    );
  });
});
