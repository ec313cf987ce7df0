/**
 * The monitoring containers as ServiceSpecs: Prometheus, Alertmanager and Grafana on the stack's Docker
 * network, each UI published on 127.0.0.1 only (reached through the SSH tunnel), each probed from the host.
 * They run as the operator account (`user` in components/monitoring/index.ts), which owns their data
 * directories and the secret files they read. Flags and settings: docs/opstack-pins.md "Monitoring".
 */
import { CONTAINER_PORTS, HOST_LOOPBACK_PORTS } from "../config/defaults.js";
import { imageRef } from "../config/images.js";
import type { StackConfig } from "../config/schema.js";
import type { HostPaths } from "../services/paths.js";
import { flag, httpProbe, type ServiceSpec } from "../services/spec.js";
import { WEBHOOK_URL_FILE } from "./alertmanager.js";
import { DEFAULT_DASHBOARDS_PATH } from "./grafana.js";

/** Where the Grafana admin password file is mounted. */
export const GRAFANA_PASSWORD_FILE = "/run/secrets/grafana-admin-password";
export const GRAFANA_ADMIN_USER = "admin";

type Config = Pick<StackConfig, "monitoring" | "alertWebhookUrl">;
type Paths = Pick<HostPaths, "monitoringConfig" | "prometheusData" | "alertmanagerData" | "grafanaData" | "alertWebhookUrl" | "grafanaAdminPassword">;

export function prometheusSpec(config: Config, paths: Paths): ServiceSpec {
  const port = CONTAINER_PORTS.prometheus.http;
  return {
    name: "prometheus",
    image: imageRef(config.monitoring.images.prometheus),
    // The image's ENTRYPOINT is the binary; its default CMD is replaced whole, so every flag is here.
    entrypoint: ["/bin/prometheus"],
    command: [
      flag("config.file", "/etc/prometheus/prometheus.yml"),
      flag("storage.tsdb.path", "/prometheus"),
      // Retention is in prometheus.yml (storage.tsdb.retention.time): the flag is deprecated since v3.8.
      flag("web.listen-address", `0.0.0.0:${port}`),
    ],
    env: {},
    ports: [{ name: "http", kind: "metrics", internal: port, external: HOST_LOOPBACK_PORTS.prometheus, ip: "127.0.0.1", protocol: "tcp" }],
    mounts: [
      { hostPath: `${paths.monitoringConfig}/prometheus`, containerPath: "/etc/prometheus", readOnly: true },
      { hostPath: paths.prometheusData, containerPath: "/prometheus", readOnly: false },
    ],
    healthcheck: httpProbe(`http://127.0.0.1:${HOST_LOOPBACK_PORTS.prometheus}/-/ready`),
    dependsOn: [],
    networkAlias: "prometheus",
    restart: "unless-stopped",
  };
}

export function alertmanagerSpec(config: Config, paths: Paths): ServiceSpec {
  const port = CONTAINER_PORTS.alertmanager.http;
  const mounts = [
    { hostPath: `${paths.monitoringConfig}/alertmanager`, containerPath: "/etc/alertmanager", readOnly: true },
    { hostPath: paths.alertmanagerData, containerPath: "/alertmanager", readOnly: false },
  ];
  if (config.alertWebhookUrl !== undefined) mounts.push({ hostPath: paths.alertWebhookUrl, containerPath: WEBHOOK_URL_FILE, readOnly: true });
  return {
    name: "alertmanager",
    image: imageRef(config.monitoring.images.alertmanager),
    entrypoint: ["/bin/alertmanager"],
    command: [
      flag("config.file", "/etc/alertmanager/alertmanager.yml"),
      flag("storage.path", "/alertmanager"),
      flag("web.listen-address", `0.0.0.0:${port}`),
      // One Alertmanager, no HA peers: an empty cluster address turns gossip off.
      flag("cluster.listen-address", ""),
    ],
    env: {},
    ports: [{ name: "http", kind: "metrics", internal: port, external: HOST_LOOPBACK_PORTS.alertmanager, ip: "127.0.0.1", protocol: "tcp" }],
    mounts,
    healthcheck: httpProbe(`http://127.0.0.1:${HOST_LOOPBACK_PORTS.alertmanager}/-/ready`),
    dependsOn: [],
    networkAlias: "alertmanager",
    restart: "unless-stopped",
  };
}

export function grafanaSpec(config: Config, paths: Paths): ServiceSpec {
  const port = CONTAINER_PORTS.grafana.http;
  return {
    name: "grafana",
    image: imageRef(config.monitoring.images.grafana),
    // The image's entrypoint (/run.sh) starts the server and resolves the `__FILE` variables, so it is kept;
    // settings come from GF_<SECTION>_<KEY>.
    command: [],
    env: {
      GF_SERVER_HTTP_PORT: String(port),
      GF_SECURITY_ADMIN_USER: GRAFANA_ADMIN_USER,
      // Read from the mounted file, so the password is in no env var or command line.
      GF_SECURITY_ADMIN_PASSWORD__FILE: GRAFANA_PASSWORD_FILE,
      GF_USERS_ALLOW_SIGN_UP: "false",
      GF_AUTH_ANONYMOUS_ENABLED: "false",
      GF_ANALYTICS_REPORTING_ENABLED: "false",
      GF_ANALYTICS_CHECK_FOR_UPDATES: "false",
      GF_PATHS_PROVISIONING: "/etc/grafana/provisioning",
      GF_PATHS_DATA: "/var/lib/grafana",
      // Preinstalled plugins do not update themselves from grafana.com at start (the host may have no route).
      GF_PLUGINS_PREINSTALL_AUTO_UPDATE: "false",
    },
    ports: [{ name: "http", kind: "rpc", internal: port, external: HOST_LOOPBACK_PORTS.grafana, ip: "127.0.0.1", protocol: "tcp" }],
    mounts: [
      { hostPath: `${paths.monitoringConfig}/grafana/provisioning`, containerPath: "/etc/grafana/provisioning", readOnly: true },
      // Inside the data dir's mount point: mounted after it, read-only.
      { hostPath: paths.grafanaData, containerPath: "/var/lib/grafana", readOnly: false },
      { hostPath: `${paths.monitoringConfig}/grafana/dashboards`, containerPath: DEFAULT_DASHBOARDS_PATH, readOnly: true },
      { hostPath: paths.grafanaAdminPassword, containerPath: GRAFANA_PASSWORD_FILE, readOnly: true },
    ],
    healthcheck: httpProbe(`http://127.0.0.1:${HOST_LOOPBACK_PORTS.grafana}/api/health`),
    dependsOn: ["prometheus"],
    networkAlias: "grafana",
    restart: "unless-stopped",
  };
}
