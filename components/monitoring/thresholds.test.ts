import { describe, expect, it } from "vitest";

import { alertThresholds, AlertThresholdsError, THRESHOLD_KEYS, thresholdDescriptions } from "./thresholds.js";

describe("alertThresholds", () => {
  it("test_alertThresholds_Defaults", () => {
    expect(alertThresholds()).toEqual({
      minBalanceEth: 0.5,
      maxSafeLagBlocks: 900,
      derivationResetsPer15m: 3,
      l1RpcErrorRatio: 0.05,
      proposerSilenceMinutes: 90,
      headStallMinutes: 5,
      targetDownMinutes: 2,
      railStallMinutes: 15,
      dissentPerHour: 3,
      railRpcErrorsPerHour: 30,
      relayerFailedBatchesPerHour: 2,
      archiveSilenceMinutes: 30,
      refusedPostsPerHour: 100,
      expiredSlotsPerHour: 50,
      relayerUnreachableMinutes: 10,
    });
  });

  it("test_alertThresholds_OverridesMergeOverDefaults", () => {
    const t = alertThresholds({ maxSafeLagBlocks: 100 });
    expect(t.maxSafeLagBlocks).toBe(100);
    expect(t.minBalanceEth).toBe(0.5);
  });

  it("test_alertThresholds_FailsIf_BadValuesOrUnknownKeys_ListsEveryProblem", () => {
    expect(() => alertThresholds({ maxSafeLagBlocks: -1, l1RpcErrorRatio: 2, railStallMinutes: 1.5, minBalanceEth: "1", maxSafeLag: 3 })).toThrow(
      [
        "Invalid alert thresholds (5 problems):",
        '  - `minBalanceEth` must be a number > 0, got "1".',
        "  - `maxSafeLagBlocks` must be an integer > 0, got -1.",
        "  - `l1RpcErrorRatio` must be a number in (0, 1], got 2.",
        "  - `railStallMinutes` must be an integer > 0, got 1.5.",
        `  - \`maxSafeLag\` is not an alert threshold; known: ${THRESHOLD_KEYS.join(", ")}.`,
      ].join("\n"),
    );
  });

  it("test_alertThresholds_FailsIf_NotAnObject", () => {
    expect(() => alertThresholds(7)).toThrow(AlertThresholdsError);
    expect(() => alertThresholds(7)).toThrow('alert thresholds must be an object such as { "maxSafeLagBlocks": 900 }, got 7.');
  });

  it("test_thresholdDescriptions_EveryKeyDescribed", () => {
    const d = thresholdDescriptions();
    for (const k of THRESHOLD_KEYS) expect(d[k].length, k).toBeGreaterThan(20);
  });
});
