import { describe, expect, it } from "vitest";

import { allAlerts, alertRules, alertRulesYaml, toYaml } from "./rules.js";
import { ruleCases, ruleUnitTests } from "./testdata/rule-tests.js";
import { promtool, tempDirWith } from "./testing/promtool.js";
import { alertThresholds, type AlertThresholds } from "./thresholds.js";

const DEFAULTS = alertThresholds();
/** Every threshold moved away from its default, so the cases prove the rules follow the thresholds. */
const CUSTOM: AlertThresholds = alertThresholds({
  minBalanceEth: 0.05,
  maxSafeLagBlocks: 50,
  l1RpcErrorRatio: 0.2,
  derivationResetsPer15m: 8,
  proposerSilenceMinutes: 20,
  headStallMinutes: 3,
  targetDownMinutes: 1,
  railStallMinutes: 5,
  dissentPerHour: 10,
  railRpcErrorsPerHour: 5,
  relayerFailedBatchesPerHour: 1,
  archiveSilenceMinutes: 7,
  refusedPostsPerHour: 20,
  expiredSlotsPerHour: 4,
  relayerUnreachableMinutes: 6,
});

function checkRules(t: AlertThresholds) {
  const dir = tempDirWith({ "rules.yml": alertRulesYaml(t) });
  return promtool(["check", "rules", "rules.yml"], dir);
}

function testRules(t: AlertThresholds) {
  const dir = tempDirWith({ "rules.yml": alertRulesYaml(t), "tests.yml": toYaml(ruleUnitTests(t, "rules.yml")) });
  return promtool(["test", "rules", "tests.yml"], dir);
}

describe("alertRules", () => {
  it("test_alertRules_PassPromtoolCheck", () => {
    const r = checkRules(DEFAULTS);
    expect(r.output).toContain(`SUCCESS: ${allAlerts(alertRules(DEFAULTS)).length} rules found`);
    expect(r.code).toBe(0);
  });

  it("test_alertRules_EachAlertFiresOnBadSeries_AndStaysQuietOnHealthy_DefaultThresholds", () => {
    const r = testRules(DEFAULTS);
    expect(r.output).toContain("SUCCESS");
    expect(r.code).toBe(0);
  });

  it("test_alertRules_EachAlertFiresOnBadSeries_AndStaysQuietOnHealthy_CustomThresholds", () => {
    const r = testRules(CUSTOM);
    expect(r.output).toContain("SUCCESS");
    expect(r.code).toBe(0);
  });

  it("test_ruleCases_CoverEveryAlert_BothWays", () => {
    const alerts = allAlerts(alertRules(DEFAULTS)).map((a) => a.alert).sort();
    const cases = ruleCases(DEFAULTS);
    expect([...new Set(cases.filter((c) => c.expect === "fires").map((c) => c.alert))].sort()).toEqual(alerts);
    expect([...new Set(cases.filter((c) => c.expect === "quiet").map((c) => c.alert))].sort()).toEqual(alerts);
  });

  it("test_alertRules_EveryAlert_HasFor_Severity_Summary_OneLineRunbook", () => {
    const alerts = allAlerts(alertRules(DEFAULTS));
    expect(new Set(alerts.map((a) => a.alert)).size).toBe(alerts.length);
    for (const a of alerts) {
      expect(a.for, a.alert).toMatch(/^\d+m$/);
      expect(["critical", "warning"], a.alert).toContain(a.labels.severity);
      expect(a.annotations.summary.length, a.alert).toBeGreaterThan(10);
      expect(a.annotations.runbook.length, a.alert).toBeGreaterThan(10);
      expect(a.annotations.runbook, a.alert).not.toContain("\n");
      // Only $labels templates: the unit tests state annotations exactly.
      expect(`${a.annotations.summary}${a.annotations.runbook}`, a.alert).not.toContain("$value");
    }
  });

  it("test_alertRules_ThresholdsReachTheExpressions", () => {
    const byName = new Map(allAlerts(alertRules(CUSTOM)).map((a) => [a.alert, a]));
    expect(byName.get("SafeHeadLagging")?.expr).toMatch(/> 50$/);
    expect(byName.get("BatcherBalanceLow")?.expr).toBe("op_batcher_default_balance < 0.05");
    expect(byName.get("ProposerSilent")?.expr).toBe("changes(op_proposer_default_proposed_sequence_number[20m]) == 0");
    expect(byName.get("TargetDown")?.for).toBe("1m");
  });

  it("test_alertRulesYaml_Snapshot", () => {
    expect(alertRulesYaml(DEFAULTS)).toMatchSnapshot();
  });
});
