/**
 * Every file the monitoring containers need, as relative paths and contents: what the stack writes to the
 * host and mounts. Layout (suggested mounts in the README next to this file):
 *   prometheus/prometheus.yml, prometheus/rules.yml                      -> /etc/prometheus/
 *   grafana/provisioning/datasources/prometheus.yaml                      -> /etc/grafana/provisioning/datasources/
 *   grafana/provisioning/dashboards/ecp-forge.yaml                        -> /etc/grafana/provisioning/dashboards/
 *   grafana/dashboards/<uid>.json                                         -> DEFAULT_DASHBOARDS_PATH
 */
import { dashboards } from "./dashboards.js";
import { grafanaDashboardProviderYaml, grafanaDatasourceYaml } from "./grafana.js";
import { prometheusConfigYaml, RULES_FILE, type PrometheusConfigInput } from "./prometheus.js";
import { alertRulesYaml } from "./rules.js";
import { alertThresholds } from "./thresholds.js";

export interface MonitoringFile {
  path: string;
  content: string;
}

export interface MonitoringInput {
  prometheus: Omit<PrometheusConfigInput, "ruleFiles">;
  /** Overrides of the alert thresholds' defaults (thresholds.ts). */
  thresholds?: unknown;
  grafana?: { prometheusUrl?: string; dashboardsPath?: string };
}

/**
 * @throws AlertThresholdsError or PrometheusConfigError with every bad input listed.
 */
export function monitoringFiles(input: MonitoringInput): MonitoringFile[] {
  const t = alertThresholds(input.thresholds ?? {});
  return [
    { path: "prometheus/prometheus.yml", content: prometheusConfigYaml({ ...input.prometheus, ruleFiles: [RULES_FILE] }) },
    { path: `prometheus/${RULES_FILE}`, content: alertRulesYaml(t) },
    {
      path: "grafana/provisioning/datasources/prometheus.yaml",
      content: grafanaDatasourceYaml({ prometheusUrl: input.grafana?.prometheusUrl, scrapeIntervalSeconds: input.prometheus.scrapeIntervalSeconds }),
    },
    { path: "grafana/provisioning/dashboards/ecp-forge.yaml", content: grafanaDashboardProviderYaml({ dashboardsPath: input.grafana?.dashboardsPath }) },
    ...dashboards().map((d) => ({ path: `grafana/dashboards/${d.uid}.json`, content: `${JSON.stringify(d.json, null, 2)}\n` })),
  ];
}
