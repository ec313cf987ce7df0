import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

import { panelExpressions } from "./dashboards.js";
import { catalogueEntryFor, METRICS } from "./metrics.js";
import { metricNamesIn } from "./promql.js";
import { allAlerts, alertRules } from "./rules.js";
import { alertThresholds } from "./thresholds.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Every expression this folder writes, with where it comes from. */
function allExpressions(): { where: string; expr: string }[] {
  return [
    ...allAlerts(alertRules(alertThresholds())).map((a) => ({ where: `alert ${a.alert}`, expr: a.expr })),
    ...panelExpressions().map((p) => ({ where: `${p.dashboard} / ${p.panel} / ${p.refId}`, expr: p.expr })),
  ];
}

describe("metricNamesIn", () => {
  it("test_metricNamesIn_SkipsFunctions_Keywords_Labels_Durations_Strings", () => {
    expect(
      metricNamesIn(
        'sum by (job, instance) (increase(a_total{rpc="l1",error!="<nil>"}[10m])) / on (job) group_left (x) b > 0.5 unless c_bucket offset 5m or vector(0)',
      ),
    ).toEqual(["a_total", "b", "c_bucket"]);
  });

  it("test_metricNamesIn_ReadsBareNames_And_AggregationsWithTrailingBy", () => {
    expect(metricNamesIn("up == 0")).toEqual(["up"]);
    expect(metricNamesIn("max(x{a=\"}\"}) by (le) - time() + 1e3")).toEqual(["x"]);
    expect(metricNamesIn("histogram_quantile(0.95, sum by (le, instance) (rate(h_bucket[10m])))")).toEqual(["h_bucket"]);
  });
});

describe("METRICS catalogue", () => {
  it("test_catalogue_HasEveryMetricUsed_InRulesAndDashboards", () => {
    const missing = allExpressions().flatMap(({ where, expr }) =>
      metricNamesIn(expr)
        .filter((n) => catalogueEntryFor(n) === undefined)
        .map((n) => `${n} (${where})`),
    );
    expect(missing).toEqual([]);
  });

  it("test_catalogue_EveryEntryIsUsed", () => {
    const used = new Set(allExpressions().flatMap(({ expr }) => metricNamesIn(expr).map((n) => catalogueEntryFor(n)?.name)));
    expect(METRICS.map((m) => m.name).filter((n) => !used.has(n))).toEqual([]);
  });

  it("test_catalogue_NamesUnique_SourcesWellFormed", () => {
    expect(new Set(METRICS.map((m) => m.name)).size).toBe(METRICS.length);
    for (const m of METRICS) {
      expect(m.source, m.name).toMatch(/^([\w.-]+\/[\w.-]+@[\w./-]+:[\w./-]+|rail:rail\/[\w./-]+\.ts)$/);
      expect(m.name, m.name).toMatch(/^[a-z_][a-z0-9_]*$/);
      expect(m.prefix.length, m.name).toBeGreaterThan(0);
    }
  });

  it("test_catalogue_RailEntries_DefinedInTheirRailFile", () => {
    for (const m of METRICS.filter((e) => e.source.startsWith("rail:"))) {
      const file = readFileSync(path.join(REPO, m.source.slice("rail:".length)), "utf8");
      expect(file, `${m.name} in ${m.source}`).toContain(`name: '${m.name}'`);
      const kind = { counter: "Counter", gauge: "Gauge", histogram: "Histogram" }[m.kind];
      expect(file, `${m.name} is a ${kind}`).toMatch(new RegExp(`new ${kind}\\(\\{ name: '${m.name}'`));
    }
  });
});
