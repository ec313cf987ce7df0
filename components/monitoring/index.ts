/**
 * Monitoring on ecp-forge: Prometheus, Alertmanager and Grafana as containers on the stack's network,
 * fed by the files bundle.ts generates (written under `<stateDir>/monitoring/config` by
 * remote/write-files.sh) and two secret files (the webhook URL, the Grafana admin password). Each UI is on
 * 127.0.0.1 only; the README shows the SSH tunnel. A change to the generated files replaces only the
 * container that reads them (its config label carries the sha256 of its own folder).
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

import { CONTAINER_PORTS, HOST_LOOPBACK_PORTS } from "../config/defaults.js";
import type { StackConfig } from "../config/schema.js";
import { contentSha256 } from "../deployer/deployment.js";
import { opStackScript, remoteScript } from "../host/shell.js";
import { tunnelCommand } from "../host/ssh.js";
import type { HostPaths } from "../services/paths.js";
import { createService, type ServiceContext } from "../services/service.js";
import { alertmanagerConfigYaml } from "./alertmanager.js";
import { monitoringFiles, type MonitoringFile } from "./bundle.js";
import { defaultTargets, peerTargets, type ScrapeTargets } from "./jobs.js";
import { alertmanagerSpec, GRAFANA_ADMIN_USER, grafanaSpec, prometheusSpec } from "./services.js";

/** Which of the stack's services run, so Prometheus scrapes only those. */
export interface RunningServices {
  challenger: boolean;
  disputeMon: boolean;
  /** The stack's own rail containers (components/ledger/services.ts). */
  railRelayer?: boolean;
  railWitness?: boolean;
}

/** Prometheus' targets: the stack's services that run (the rail relayer and witness containers among them),
 *  the verifier peers' that publish metrics, and the rail processes on other hosts from config. */
export function scrapeTargets(config: Pick<StackConfig, "monitoring" | "peers">, running: RunningServices): ScrapeTargets {
  const d = defaultTargets();
  const peers = peerTargets(config.peers);
  return {
    ...d,
    opNode: [...d.opNode, ...peers.opNode],
    executionClient: [...d.executionClient, ...peers.executionClient],
    opChallenger: running.challenger ? d.opChallenger : [],
    opDisputeMon: running.disputeMon ? d.opDisputeMon : [],
    railWitness: [...(running.railWitness === true ? d.railWitness : []), ...config.monitoring.railTargets.witness],
    railRelayer: [...(running.railRelayer === true ? d.railRelayer : []), ...config.monitoring.railTargets.relayer],
  };
}

/** Every file the monitoring containers read: bundle.ts's, plus alertmanager.yml.
 *  @throws AlertThresholdsError naming each bad `ecp:monitoring.thresholds` field. */
export function stackMonitoringFiles(config: Pick<StackConfig, "monitoring" | "alertWebhookUrl" | "executionClient" | "peers">, running: RunningServices): MonitoringFile[] {
  return [
    ...monitoringFiles({
      prometheus: {
        targets: scrapeTargets(config, running),
        scrapeIntervalSeconds: config.monitoring.scrapeIntervalSeconds,
        alertmanagerTarget: `alertmanager:${CONTAINER_PORTS.alertmanager.http}`,
        executionClient: config.executionClient,
        retention: config.monitoring.retention,
      },
      thresholds: config.monitoring.thresholds,
    }),
    { path: "alertmanager/alertmanager.yml", content: alertmanagerConfigYaml({ webhook: config.alertWebhookUrl !== undefined }) },
  ];
}

/** sha256 of the files under one top-level folder (what one container reads): a change replaces only it. */
export function folderSha256(files: readonly MonitoringFile[], folder: "prometheus" | "alertmanager" | "grafana"): string {
  return contentSha256(filesLines(files.filter((f) => f.path.startsWith(`${folder}/`))));
}

/** The files as remote/write-files.sh's FILES: one "<path> <base64>" line each. */
export function filesLines(files: readonly MonitoringFile[]): string {
  return files.map((f) => `${f.path} ${Buffer.from(f.content, "utf8").toString("base64")}`).join("\n");
}

/** What an operator needs to reach the UIs (the tunnel command names the configured host). */
export function monitoringEndpoints(host: Pick<StackConfig["host"], "user" | "address" | "port" | "jump">) {
  const p = HOST_LOOPBACK_PORTS;
  return {
    grafana: `http://127.0.0.1:${p.grafana}`,
    prometheus: `http://127.0.0.1:${p.prometheus}`,
    alertmanager: `http://127.0.0.1:${p.alertmanager}`,
    tunnel: tunnelCommand(host, [p.grafana, p.prometheus, p.alertmanager]),
    grafanaAdminUser: GRAFANA_ADMIN_USER,
  };
}

export interface MonitoringArgs {
  config: StackConfig;
  ctx: ServiceContext;
  paths: HostPaths;
  running: RunningServices;
  dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class Monitoring extends pulumi.ComponentResource {
  readonly grafanaAdminPassword: pulumi.Output<string>;
  readonly configSha256: string;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecp:monitoring:Monitoring", name, {}, opts);
    const { config, ctx, paths } = args;
    const child = { parent: this };
    const connection = ctx.connection;

    const files = stackMonitoringFiles(config, args.running);
    this.configSha256 = contentSha256(filesLines(files));
    const written = new command.remote.Command(
      `${name}-files`,
      {
        connection,
        create: `bash -s # ${files.length} monitoring files, sha256 ${this.configSha256} -> ${paths.monitoringConfig}`,
        stdin: remoteScript({ DIR: paths.monitoringConfig, FILES: filesLines(files) }, opStackScript("remote/write-files.sh")),
        logging: "stderr",
        addPreviousOutputInEnv: false,
      },
      { ...child, dependsOn: args.dependsOn },
    );

    // The operator account owns the data directories and the secret files; the containers run as it.
    const user = new command.remote.Command(
      `${name}-user`,
      { connection, create: `printf '%s:%s' "$(id -u)" "$(id -g)" # the operator account's uid:gid`, addPreviousOutputInEnv: false },
      { ...child, dependsOn: args.dependsOn },
    );

    const password = new random.RandomPassword(`${name}-grafana-admin`, { length: 32, special: false }, child);
    this.grafanaAdminPassword = pulumi.secret(password.result);
    const secretFile = (what: string, target: string, content: pulumi.Input<string>) =>
      new command.remote.Command(
        `${name}-${what}`,
        {
          connection,
          create: `bash -s # ${what} -> ${target}`,
          stdin: pulumi.secret(pulumi.output(content).apply((c) => remoteScript({ TARGET: target, CONTENT: c }, opStackScript("remote/write-secret-file.sh")))),
          logging: "none",
          addPreviousOutputInEnv: false,
        },
        { ...child, dependsOn: args.dependsOn, additionalSecretOutputs: ["stdout", "stderr"] },
      );
    const grafanaPassword = secretFile("grafana-password", paths.grafanaAdminPassword, this.grafanaAdminPassword);
    const secretFiles = [grafanaPassword];
    if (config.alertWebhookUrl !== undefined) {
      secretFiles.push(secretFile("alert-webhook", paths.alertWebhookUrl, pulumi.secret(config.alertWebhookUrl.reveal())));
    }

    const common = { hostProbe: true, user: user.stdout };
    const prometheus = createService("prometheus", prometheusSpec(config, paths), ctx, this, {
      ...common,
      configHash: folderSha256(files, "prometheus"),
      imageRef: prometheusSpec(config, paths).image,
      dependsOn: [written, user],
    });
    createService("alertmanager", alertmanagerSpec(config, paths), ctx, this, {
      ...common,
      configHash: folderSha256(files, "alertmanager"),
      imageRef: alertmanagerSpec(config, paths).image,
      dependsOn: [written, user, ...secretFiles],
    });
    createService("grafana", grafanaSpec(config, paths), ctx, this, {
      ...common,
      configHash: folderSha256(files, "grafana"),
      imageRef: grafanaSpec(config, paths).image,
      dependsOn: [written, user, grafanaPassword, prometheus.ready],
    });
    this.registerOutputs({ configSha256: this.configSha256 });
  }
}
