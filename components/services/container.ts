/**
 * ServiceSpec -> the inputs of a docker.Container, as plain data (the Pulumi side only swaps SecretRefs
 * for secret Outputs). Kept pure so the tests can read exactly what each container gets.
 */
import { isSecretRef, type SecretName, type ServiceSpec } from "./spec.js";

/** json-file rotation per container: 5 files of 100 MB. */
export const LOG_OPTS = { "max-size": "100m", "max-file": "5" } as const;

export interface ContainerPort {
  internal: number;
  external: number;
  ip: string;
  protocol: "tcp" | "udp";
}

export type ContainerEnv = { name: string; value: string } | { name: string; secret: SecretName };

export interface ContainerPlan {
  name: string;
  image: string;
  entrypoints?: string[];
  command: string[];
  env: ContainerEnv[];
  /** Only ports with a host binding. Unpublished ports are reachable on the Docker network only. */
  ports: ContainerPort[];
  volumes: { hostPath: string; containerPath: string; readOnly: boolean }[];
  /** Docker's own HEALTHCHECK, for images that can probe themselves. */
  healthcheck?: { tests: string[]; interval: string; timeout: string; retries: number; startPeriod: string };
  /** Probed from the host after the container starts (images without a shell). */
  hostProbe?: { url: string; expectStatus: number; attempts: number; intervalSeconds: number; timeoutSeconds: number };
  restart: "unless-stopped";
  logDriver: "json-file";
  logOpts: Record<string, string>;
  networkAlias: string;
  extraAliases?: string[];
  /** Wait for Docker's health check to pass before the update moves on. */
  wait: boolean;
  /** The spec's own labels (the stack adds its own). */
  labels: Record<string, string>;
  /** Memory limit in MiB, when the spec sets one. */
  memory?: number;
}

export function containerPlan(spec: ServiceSpec): ContainerPlan {
  const plan: ContainerPlan = {
    name: spec.name,
    image: spec.image,
    command: spec.command,
    env: Object.entries(spec.env)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, v]) => (isSecretRef(v) ? { name, secret: v.name } : { name, value: v })),
    ports: spec.ports
      .filter((p): p is typeof p & { external: number } => p.external !== undefined)
      .map((p) => ({ internal: p.internal, external: p.external, ip: p.ip, protocol: p.protocol })),
    volumes: spec.mounts.map((m) => ({ hostPath: m.hostPath, containerPath: m.containerPath, readOnly: m.readOnly })),
    restart: spec.restart,
    logDriver: "json-file",
    logOpts: { ...LOG_OPTS },
    networkAlias: spec.networkAlias,
    wait: spec.healthcheck.kind === "exec",
    labels: { ...spec.labels },
  };
  if (spec.entrypoint !== undefined) plan.entrypoints = spec.entrypoint;
  if (spec.memoryMb !== undefined) plan.memory = spec.memoryMb;
  if (spec.extraAliases !== undefined) plan.extraAliases = spec.extraAliases;
  const h = spec.healthcheck;
  if (h.kind === "exec") {
    plan.healthcheck = {
      tests: h.test,
      interval: `${h.intervalSeconds}s`,
      timeout: `${h.timeoutSeconds}s`,
      retries: h.retries,
      startPeriod: `${h.startPeriodSeconds}s`,
    };
  } else {
    plan.hostProbe = {
      url: h.url,
      expectStatus: h.expectStatus,
      attempts: h.retries * 5,
      intervalSeconds: h.intervalSeconds,
      timeoutSeconds: h.timeoutSeconds,
    };
  }
  return plan;
}

/** `docker run` arguments (after `--rm`) for a one-off container with the service's mounts. */
export function dockerRunArgs(args: {
  image: string;
  entrypoint: string[];
  command: string[];
  mounts: { hostPath: string; containerPath: string; readOnly: boolean }[];
}): string[] {
  const [entry, ...entryArgs] = args.entrypoint;
  if (entry === undefined) throw new Error("dockerRunArgs: an entrypoint is required.");
  const out = ["--network", "none"];
  for (const m of args.mounts) out.push("-v", `${m.hostPath}:${m.containerPath}${m.readOnly ? ":ro" : ""}`);
  out.push("--entrypoint", entry, args.image, ...entryArgs, ...args.command);
  for (const a of out) if (a.includes("\n")) throw new Error(`dockerRunArgs: argument ${JSON.stringify(a)} contains a newline.`);
  return out;
}
