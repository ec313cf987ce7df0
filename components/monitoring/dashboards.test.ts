import yaml from "js-yaml";
import { describe, expect, it } from "vitest";

import { dashboards, panelExpressions } from "./dashboards.js";
import { DEFAULT_DASHBOARDS_PATH, grafanaDashboardProviderYaml, grafanaDatasourceYaml, PROMETHEUS_DATASOURCE_UID } from "./grafana.js";
import { toYaml } from "./rules.js";
import { promtool, tempDirWith } from "./testing/promtool.js";

interface Panel {
  id: number;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource: { uid: string };
  targets: { refId: string; expr: string }[];
}

describe("dashboards", () => {
  it("test_dashboards_EveryPanelExpr_ParsesInPromtool", () => {
    const exprs = panelExpressions();
    // Each expression as a recording rule: `promtool check rules` parses every one.
    const file = {
      groups: [
        {
          name: "dashboard-exprs",
          rules: exprs.map((e, i) => ({ record: `dashboard:${e.dashboard.replace(/-/g, "_")}:expr_${i}`, expr: e.expr })),
        },
      ],
    };
    const r = promtool(["check", "rules", "panels.yml"], tempDirWith({ "panels.yml": toYaml(file) }));
    expect(r.output).toContain(`SUCCESS: ${exprs.length} rules found`);
    expect(r.code).toBe(0);
  });

  it("test_dashboards_ThreeDashboards_UniqueUids_ValidLayout", () => {
    const list = dashboards();
    expect(list.map((d) => d.title)).toEqual(["Chain health", "Dispute path", "Rail"]);
    expect(new Set(list.map((d) => d.uid)).size).toBe(3);
    for (const d of list) {
      expect(d.json.uid).toBe(d.uid);
      const panels = d.json.panels as Panel[];
      expect(new Set(panels.map((p) => p.id)).size, d.uid).toBe(panels.length);
      for (const p of panels) {
        expect(p.gridPos.x + p.gridPos.w, `${d.uid}/${p.title}`).toBeLessThanOrEqual(24);
        expect(p.datasource.uid).toBe(PROMETHEUS_DATASOURCE_UID);
        expect(p.targets.length, `${d.uid}/${p.title}`).toBeGreaterThan(0);
        expect(new Set(p.targets.map((t) => t.refId)).size).toBe(p.targets.length);
      }
    }
  });

  it("test_grafanaProvisioning_PointsAtPrometheus_AndTheDashboardFolder", () => {
    const ds = yaml.load(grafanaDatasourceYaml({ scrapeIntervalSeconds: 15 })) as { apiVersion: number; datasources: Record<string, unknown>[] };
    expect(ds).toEqual({
      apiVersion: 1,
      datasources: [
        {
          name: "Prometheus",
          uid: PROMETHEUS_DATASOURCE_UID,
          type: "prometheus",
          access: "proxy",
          url: "http://prometheus:9090",
          isDefault: true,
          editable: false,
          jsonData: { timeInterval: "15s" },
        },
      ],
    });
    const prov = yaml.load(grafanaDashboardProviderYaml()) as { providers: { type: string; options: { path: string } }[] };
    expect(prov.providers[0]?.type).toBe("file");
    expect(prov.providers[0]?.options.path).toBe(DEFAULT_DASHBOARDS_PATH);
  });
});
