/**
 * Grafana provisioning files: the Prometheus datasource and the file provider that loads dashboards.ts's
 * JSON from a folder. Formats: Grafana's `apiVersion: 1` provisioning files (datasources/*.yaml and
 * dashboards/*.yaml under /etc/grafana/provisioning).
 */
import { toYaml } from "./rules.js";

/** The datasource uid every panel points at. */
export const PROMETHEUS_DATASOURCE_UID = "ecp-prometheus";

/** Prometheus on the stack's Docker network (container `prometheus`, port 9090). */
export const DEFAULT_PROMETHEUS_URL = "http://prometheus:9090";

/** Where the dashboard JSON files are mounted in the Grafana container. */
export const DEFAULT_DASHBOARDS_PATH = "/var/lib/grafana/dashboards/ecp-forge";

export const DASHBOARD_FOLDER = "ecp-forge";

export function grafanaDatasource(opts: { prometheusUrl?: string; scrapeIntervalSeconds: number }): Record<string, unknown> {
  return {
    apiVersion: 1,
    datasources: [
      {
        name: "Prometheus",
        uid: PROMETHEUS_DATASOURCE_UID,
        type: "prometheus",
        access: "proxy",
        url: opts.prometheusUrl ?? DEFAULT_PROMETHEUS_URL,
        isDefault: true,
        editable: false,
        // Grafana's minimum step and $__rate_interval base: the scrape interval.
        jsonData: { timeInterval: `${opts.scrapeIntervalSeconds}s` },
      },
    ],
  };
}

export function grafanaDashboardProvider(opts: { dashboardsPath?: string } = {}): Record<string, unknown> {
  return {
    apiVersion: 1,
    providers: [
      {
        name: "ecp-forge",
        folder: DASHBOARD_FOLDER,
        type: "file",
        disableDeletion: true,
        allowUiUpdates: false,
        updateIntervalSeconds: 60,
        options: { path: opts.dashboardsPath ?? DEFAULT_DASHBOARDS_PATH },
      },
    ],
  };
}

export function grafanaDatasourceYaml(opts: { prometheusUrl?: string; scrapeIntervalSeconds: number }): string {
  return toYaml(grafanaDatasource(opts));
}

export function grafanaDashboardProviderYaml(opts: { dashboardsPath?: string } = {}): string {
  return toYaml(grafanaDashboardProvider(opts));
}
