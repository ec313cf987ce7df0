/**
 * alertmanager.yml for the stack: every alert goes to one receiver. With a webhook configured, the receiver
 * posts to the URL Alertmanager reads from a file (`url_file`), so the URL (a secret: webhook URLs carry
 * tokens) is never in this file, in the container's command or in Pulumi's plain-text state. Without one,
 * alerts are still evaluated and shown in Prometheus and Alertmanager, and go nowhere else.
 */
import { toYaml } from "./rules.js";

/** Where the webhook URL file is mounted in the Alertmanager container. */
export const WEBHOOK_URL_FILE = "/run/secrets/alert-webhook-url";

export interface AlertmanagerInput {
  /** Whether a webhook URL file is mounted at WEBHOOK_URL_FILE. */
  webhook: boolean;
}

export function alertmanagerConfig(input: AlertmanagerInput): Record<string, unknown> {
  const receiver = input.webhook
    ? { name: "operator", webhook_configs: [{ url_file: WEBHOOK_URL_FILE, send_resolved: true }] }
    : { name: "operator" };
  return {
    route: {
      receiver: "operator",
      // One notification per alert and instance; a firing alert is repeated every 4 h.
      group_by: ["alertname", "job", "instance"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "4h",
    },
    receivers: [receiver],
  };
}

export function alertmanagerConfigYaml(input: AlertmanagerInput): string {
  return toYaml(alertmanagerConfig(input));
}
