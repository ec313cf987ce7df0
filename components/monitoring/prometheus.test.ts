import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import yaml from "js-yaml";
import { describe, expect, it } from "vitest";

import { monitoringFiles } from "./bundle.js";
import { defaultTargets, JOBS } from "./jobs.js";
import { prometheusConfig, prometheusConfigYaml, RULES_FILE } from "./prometheus.js";
import { alertRulesYaml } from "./rules.js";
import { promtool, tempDirWith } from "./testing/promtool.js";
import { alertThresholds } from "./thresholds.js";

const INPUT = { targets: defaultTargets(), scrapeIntervalSeconds: 15, alertmanagerTarget: "alertmanager:9093" } as const;

interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  static_configs: { targets: string[]; labels?: Record<string, string> }[];
}

describe("prometheusConfig", () => {
  it("test_prometheusConfig_PassesPromtoolCheckConfig_WithTheRuleFile", () => {
    const dir = tempDirWith({ "prometheus.yml": prometheusConfigYaml(INPUT), [RULES_FILE]: alertRulesYaml(alertThresholds()) });
    const r = promtool(["check", "config", "prometheus.yml"], dir);
    expect(r.output).toContain("SUCCESS: 24 rules found");
    expect(r.code).toBe(0);
  });

  it("test_prometheusConfig_OneJobPerService_NamedLikeTheContainer", () => {
    const c = prometheusConfig(INPUT) as { scrape_configs: ScrapeConfig[]; rule_files: string[]; alerting: unknown };
    expect(c.scrape_configs.map((s) => s.job_name)).toEqual(Object.values(JOBS));
    expect(c.scrape_configs.find((s) => s.job_name === "op-node")?.static_configs).toEqual([{ targets: ["op-node:7300"] }]);
    expect(c.scrape_configs.find((s) => s.job_name === "execution-client")).toEqual({
      job_name: "execution-client",
      metrics_path: "/metrics",
      static_configs: [{ targets: ["execution:6060"], labels: { client: "op-reth" } }],
    });
    expect(c.rule_files).toEqual(["rules.yml"]);
    expect(c.alerting).toEqual({ alertmanagers: [{ static_configs: [{ targets: ["alertmanager:9093"] }] }] });
  });

  it("test_prometheusConfig_OpGeth_UsesItsMetricsPath", () => {
    const c = prometheusConfig({ ...INPUT, executionClient: "op-geth" }) as { scrape_configs: ScrapeConfig[] };
    const job = c.scrape_configs.find((s) => s.job_name === "execution-client");
    expect(job?.metrics_path).toBe("/debug/metrics/prometheus");
    expect(job?.static_configs[0]?.labels).toEqual({ client: "op-geth" });
  });

  it("test_prometheusConfig_SkipsJobsWithoutTargets_AndAlertingWithoutAlertmanager", () => {
    const c = prometheusConfig({ targets: { ...defaultTargets(), opChallenger: [], opDisputeMon: [] }, scrapeIntervalSeconds: 5 }) as Record<string, unknown> & {
      scrape_configs: ScrapeConfig[];
      global: Record<string, string>;
    };
    expect(c.scrape_configs.map((s) => s.job_name)).not.toContain("op-challenger");
    expect(c.scrape_configs.map((s) => s.job_name)).not.toContain("op-dispute-mon");
    expect(c.alerting).toBeUndefined();
    expect(c.global).toEqual({ scrape_interval: "5s", scrape_timeout: "5s", evaluation_interval: "5s" });
  });

  it("test_prometheusConfig_FailsIf_BadInput_ListsEveryProblem", () => {
    expect(() =>
      prometheusConfig({
        targets: { opNode: ["op-node"], railWitness: ["rail-witness:99999"], opBatch: ["x:1"] } as never,
        scrapeIntervalSeconds: 0,
        alertmanagerTarget: "http://alertmanager:9093",
        executionClient: "erigon" as never,
      }),
    ).toThrow(
      [
        "Invalid Prometheus config input (6 problems):",
        '  - `targets.opNode.0` must be host:port, e.g. "op-node:7300", got "op-node".',
        '  - `targets.railWitness.0` must be host:port, e.g. "op-node:7300", got "rail-witness:99999".',
        "  - `targets` has an unknown key `opBatch`; known: opNode, executionClient, opBatcher, opProposer, opChallenger, opDisputeMon, railWitness, railRelayer.",
        "  - `scrapeIntervalSeconds` must be an integer from 1 to 3600, got 0.",
        '  - `alertmanagerTarget` must be host:port, e.g. "op-node:7300", got "http://alertmanager:9093".',
        '  - `executionClient` must be one of op-reth, op-geth, got "erigon".',
      ].join("\n"),
    );
  });

  it("test_prometheusConfigYaml_Snapshot", () => {
    expect(prometheusConfigYaml(INPUT)).toMatchSnapshot();
  });
});

describe("monitoringFiles", () => {
  it("test_monitoringFiles_WrittenOut_PassPromtoolCheckConfig", () => {
    const files = monitoringFiles({ prometheus: INPUT, thresholds: { maxSafeLagBlocks: 300 } });
    expect(files.map((f) => f.path)).toEqual([
      "prometheus/prometheus.yml",
      "prometheus/rules.yml",
      "grafana/provisioning/datasources/prometheus.yaml",
      "grafana/provisioning/dashboards/ecp-forge.yaml",
      "grafana/dashboards/ecp-chain-health.json",
      "grafana/dashboards/ecp-dispute-path.json",
      "grafana/dashboards/ecp-rail.json",
    ]);
    const dir = tempDirWith({});
    for (const f of files) {
      mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
      writeFileSync(path.join(dir, f.path), f.content);
    }
    const r = promtool(["check", "config", "prometheus/prometheus.yml"], dir);
    expect(r.code, r.output).toBe(0);
    expect(files[1]?.content).toContain("> 300");
    for (const f of files.filter((x) => x.path.endsWith(".json"))) expect(() => JSON.parse(f.content) as unknown).not.toThrow();
    for (const f of files.filter((x) => /\.ya?ml$/.test(x.path))) expect(() => yaml.load(f.content)).not.toThrow();
  });

  it("test_monitoringFiles_FailsIf_BadThresholds", () => {
    expect(() => monitoringFiles({ prometheus: INPUT, thresholds: { dissentPerHour: 0 } })).toThrow(
      "Invalid alert thresholds (1 problem):\n  - `dissentPerHour` must be a number > 0, got 0.",
    );
  });
});
