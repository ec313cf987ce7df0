/**
 * prometheus.yml for the stack: one scrape job per service (jobs.ts), the rule file, and Alertmanager.
 * Pure: the input is validated once, and every problem is reported together.
 */
import { z } from "zod";

import { DEFAULT_EXECUTION_CLIENT, EXECUTION_CLIENTS, type ExecutionClient } from "../config/defaults.js";
import { EXECUTION_METRICS_PATH, JOB_KEYS, JOBS, type JobKey, type ScrapeTargets } from "./jobs.js";
import { toYaml } from "./rules.js";
import { counted, ProblemsError } from "../config/problems.js";

/** The rule file's name next to prometheus.yml. */
export const RULES_FILE = "rules.yml";

/** Prometheus' own default scrape timeout; it may not exceed the interval. */
const DEFAULT_SCRAPE_TIMEOUT_SECONDS = 10;

export interface PrometheusConfigInput {
  /** `host:port` per job; a job with no (or an empty list of) targets gets no scrape config. */
  targets: Partial<ScrapeTargets>;
  scrapeIntervalSeconds: number;
  /** `host:port` of Alertmanager; without it rules are still evaluated (visible in Prometheus' UI). */
  alertmanagerTarget?: string;
  /** Which client serves the `execution-client` job (its metrics path differs). Default: the stack's default. */
  executionClient?: ExecutionClient;
  /** Rule files, relative to prometheus.yml. Default: [RULES_FILE]. */
  ruleFiles?: string[];
  /** How long samples are kept, e.g. "30d": the config file's `storage.tsdb.retention.time`, which replaces the
   *  flag deprecated since v3.8 (prometheus@v3.13.2 cmd/prometheus/main.go, config/config.go TSDBRetentionConfig). */
  retention?: string;
}

const HOST_PORT = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/;

const hostPort = z.string().refine((s) => {
  const m = HOST_PORT.exec(s);
  return m !== null && Number(m[3]) >= 1 && Number(m[3]) <= 65_535;
});

const inputSchema = z
  .object({
    targets: z.partialRecord(z.enum(JOB_KEYS as [JobKey, ...JobKey[]]), z.array(hostPort)),
    scrapeIntervalSeconds: z.number().int().min(1).max(3600),
    alertmanagerTarget: hostPort.optional(),
    executionClient: z.enum(EXECUTION_CLIENTS).optional(),
    ruleFiles: z.array(z.string().min(1)).optional(),
    retention: z.string().regex(/^\d+(ms|s|m|h|d|w|y)$/).optional(),
  })
  .strict();

export class PrometheusConfigError extends ProblemsError {
  constructor(problems: readonly string[]) {
    super(counted("Invalid Prometheus config input", problems), problems);
  }
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const k of path) v = typeof v === "object" && v !== null ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

function problemFor(input: unknown, issue: z.core.$ZodIssue): string[] {
  const path = issue.path.map(String).join(".");
  const got = JSON.stringify(valueAt(input, issue.path));
  if (issue.code === "unrecognized_keys") {
    const where = path === "" ? "input" : `\`${path}\``;
    return issue.keys.map((k) => `${where} has an unknown key \`${k}\`; known: ${(path === "targets" ? JOB_KEYS : Object.keys(inputSchema.shape)).join(", ")}.`);
  }
  if (path.startsWith("targets.") || path === "alertmanagerTarget") {
    return [`\`${path}\` must be host:port, e.g. "op-node:7300", got ${got}.`];
  }
  if (path === "scrapeIntervalSeconds") return [`\`scrapeIntervalSeconds\` must be an integer from 1 to 3600, got ${got}.`];
  if (path === "executionClient") return [`\`executionClient\` must be one of ${EXECUTION_CLIENTS.join(", ")}, got ${got}.`];
  return [`\`${path || "input"}\`: ${issue.message}, got ${got}.`];
}

interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  static_configs: { targets: string[]; labels?: Record<string, string> }[];
}

/**
 * The prometheus.yml object.
 * @throws PrometheusConfigError listing every bad field.
 */
export function prometheusConfig(input: PrometheusConfigInput): Record<string, unknown> {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) throw new PrometheusConfigError(parsed.error.issues.flatMap((i) => problemFor(input, i)));
  const o = parsed.data;
  const client = o.executionClient ?? DEFAULT_EXECUTION_CLIENT;
  const interval = `${o.scrapeIntervalSeconds}s`;

  const scrapeConfigs: ScrapeConfig[] = [];
  for (const key of JOB_KEYS) {
    const targets = o.targets[key] ?? [];
    if (targets.length === 0) continue;
    if (key === "executionClient") {
      scrapeConfigs.push({
        job_name: JOBS.executionClient,
        metrics_path: EXECUTION_METRICS_PATH[client],
        static_configs: [{ targets: [...targets], labels: { client } }],
      });
    } else {
      scrapeConfigs.push({ job_name: JOBS[key], static_configs: [{ targets: [...targets] }] });
    }
  }

  return {
    global: {
      scrape_interval: interval,
      scrape_timeout: `${Math.min(DEFAULT_SCRAPE_TIMEOUT_SECONDS, o.scrapeIntervalSeconds)}s`,
      evaluation_interval: interval,
    },
    rule_files: o.ruleFiles ?? [RULES_FILE],
    ...(o.alertmanagerTarget === undefined
      ? {}
      : { alerting: { alertmanagers: [{ static_configs: [{ targets: [o.alertmanagerTarget] }] }] } }),
    ...(o.retention === undefined ? {} : { storage: { tsdb: { retention: { time: o.retention } } } }),
    scrape_configs: scrapeConfigs,
  };
}

export function prometheusConfigYaml(input: PrometheusConfigInput): string {
  return toYaml(prometheusConfig(input));
}
