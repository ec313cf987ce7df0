/**
 * The data a service's flags.ts returns, and that its (future) Pulumi component turns into a container.
 *
 * Secrets never appear in `command`: private keys and L1 URLs (which can carry API keys) are env values of
 * type SecretRef, resolved by the component into Pulumi secret Outputs; the JWT is a mounted file.
 */
import { type EXECUTION_CLIENT_ALIAS, SERVICE_DEFAULTS } from "../config/defaults.js";
import type { Redacted } from "../config/secret.js";
import type { StackConfig } from "../config/schema.js";
import { CONTAINER_PATHS, type HostPaths } from "./paths.js";

export type ServiceName =
  | "op-reth"
  | "op-geth"
  | "op-node"
  | "op-batcher"
  | "op-proposer"
  | "op-challenger"
  | "op-dispute-mon"
  | "prometheus"
  | "alertmanager"
  | "grafana";

/** What another service depends on: a service, or the execution client whichever it is (its network alias). */
export type ServiceRef = ServiceName | typeof EXECUTION_CLIENT_ALIAS;

/** Names of the secret values a container may receive through env. */
export type SecretName =
  | "l1RpcUrl"
  | "l1BeaconUrl"
  | "batcherPrivateKey"
  | "proposerPrivateKey"
  | "challengerPrivateKey"
  | "sequencerPrivateKey";

/** Placeholder for a secret env value; the component substitutes a Pulumi secret Output. */
export interface SecretRef {
  readonly kind: "secret";
  readonly name: SecretName;
}

export function secretRef(name: SecretName): SecretRef {
  return { kind: "secret", name };
}

export function isSecretRef(v: unknown): v is SecretRef {
  return typeof v === "object" && v !== null && (v as { kind?: unknown }).kind === "secret";
}

export type EnvValue = string | SecretRef;

/** The value behind a SecretRef, still wrapped; for the component only. */
export function secretValue(config: Pick<StackConfig, "l1RpcUrl" | "l1BeaconUrl" | "keys">, name: SecretName): Redacted<string> {
  switch (name) {
    case "l1RpcUrl":
      return config.l1RpcUrl;
    case "l1BeaconUrl":
      return config.l1BeaconUrl;
    case "batcherPrivateKey":
      return roleKey(config.keys.batcher, "batcher");
    case "proposerPrivateKey":
      return roleKey(config.keys.proposer, "proposer");
    case "challengerPrivateKey":
      return roleKey(config.keys.challenger, "challenger");
    case "sequencerPrivateKey":
      return config.keys.sequencer;
  }
}

function roleKey(key: Redacted<string> | undefined, role: string): Redacted<string> {
  if (key === undefined) throw new Error(`${role} signs through a remote signer (ecp:signers.${role}); no service may ask for its key.`);
  return key;
}

export type PortKind = "p2p" | "rpc" | "auth" | "metrics";

/**
 * A port the service listens on inside the container. `external` undefined means not published: reachable
 * only on the Docker network. When published, `ip` is the host address it binds to.
 */
export interface PortSpec {
  name: string;
  kind: PortKind;
  internal: number;
  external?: number;
  ip: "127.0.0.1" | "0.0.0.0";
  protocol: "tcp" | "udp";
}

export interface MountSpec {
  hostPath: string;
  containerPath: string;
  readOnly: boolean;
}

/**
 * `exec` runs inside the container (Docker HEALTHCHECK). `http` is probed from the host against a loopback
 * port: op-node and op-batcher images are built on chainguard/static (no shell, no curl), so they cannot
 * check themselves (mono@op-node/v1.19.0:ops/docker/op-stack-go/Dockerfile TARGET_BASE_IMAGE).
 */
export type Healthcheck =
  | { kind: "exec"; test: string[]; intervalSeconds: number; timeoutSeconds: number; retries: number; startPeriodSeconds: number }
  | { kind: "http"; url: string; expectStatus: number; intervalSeconds: number; timeoutSeconds: number; retries: number };

export interface ServiceSpec {
  name: ServiceName;
  image: string;
  /** Set when the image's ENTRYPOINT is the binary (op-geth); otherwise `command[0]` is the binary. */
  entrypoint?: string[];
  command: string[];
  env: Record<string, EnvValue>;
  ports: PortSpec[];
  mounts: MountSpec[];
  healthcheck: Healthcheck;
  /** Other services that must be healthy first. */
  dependsOn: ServiceRef[];
  /** Docker network alias; the other services address it by this name. */
  networkAlias: ServiceName;
  /** More aliases: the execution client is also `execution`. */
  extraAliases?: string[];
  restart: "unless-stopped";
}

/** The one-off `init` run of an execution client's datadir from genesis.json (op-reth and op-geth). */
export interface ExecutionClientInit {
  /** Run once, before the first start, only while the datadir is empty. */
  entrypoint: string[];
  command: string[];
  mounts: MountSpec[];
}

/** An execution client's spec: its service and its init run. */
export interface ExecutionClientSpec extends ServiceSpec {
  init: ExecutionClientInit;
}

/** An execution client's mounts: its own data dir and the chain config; the run also gets the JWT. */
export function executionClientMounts(dataDir: string, paths: Pick<HostPaths, "configDir" | "jwt">, withJwt: boolean): MountSpec[] {
  const m: MountSpec[] = [
    { hostPath: dataDir, containerPath: CONTAINER_PATHS.data, readOnly: false },
    { hostPath: paths.configDir, containerPath: CONTAINER_PATHS.configDir, readOnly: true },
  ];
  if (withJwt) m.push({ hostPath: paths.jwt, containerPath: CONTAINER_PATHS.jwt, readOnly: true });
  return m;
}

/** `--name=value`. */
export function flag(name: string, value: string | number): string {
  return `--${name}=${value}`;
}

/** The op-service metrics and log flag groups every OP Stack Go service shares
 *  (mono@op-node/v1.19.0:op-service/{metrics,log}/cli.go); metrics listen inside the container. */
export function opServiceTelemetryFlags(metricsPort: number): string[] {
  return [
    "--metrics.enabled",
    flag("metrics.addr", "0.0.0.0"),
    flag("metrics.port", metricsPort),
    flag("log.level", SERVICE_DEFAULTS.logLevel),
    flag("log.format", SERVICE_DEFAULTS.logFormat),
  ];
}

/** Where a role's signer mTLS files are mounted in its container. */
export const SIGNER_TLS_DIR = "/signer-tls";

/**
 * How a role signs: with its private key (a secret env var), or through its remote signer
 * (`--signer.endpoint`, `--signer.address`, `--signer.tls.ca/cert/key`, op-service/signer/cli.go and
 * op-service/tls/cli.go at mono@op-batcher/v1.16.10, the same in op-proposer v1.16.3 and op-challenger
 * v1.9.4-rc.1; txmgr refuses both at once). With a signer no key reaches the container.
 */
export function roleSigning(
  config: Pick<StackConfig, "signers">,
  role: "batcher" | "proposer" | "challenger",
  keyEnv: string,
): { flags: string[]; env: Record<string, EnvValue>; mounts: MountSpec[] } {
  const signer = config.signers?.[role];
  if (signer === undefined) {
    const secret: SecretName = role === "batcher" ? "batcherPrivateKey" : role === "proposer" ? "proposerPrivateKey" : "challengerPrivateKey";
    return { flags: [], env: { [keyEnv]: secretRef(secret) }, mounts: [] };
  }
  return {
    flags: [
      flag("signer.endpoint", signer.endpoint),
      flag("signer.address", signer.address),
      flag("signer.tls.ca", `${SIGNER_TLS_DIR}/ca.crt`),
      flag("signer.tls.cert", `${SIGNER_TLS_DIR}/tls.crt`),
      flag("signer.tls.key", `${SIGNER_TLS_DIR}/tls.key`),
    ],
    env: {},
    mounts: [
      { hostPath: signer.tlsCa, containerPath: `${SIGNER_TLS_DIR}/ca.crt`, readOnly: true },
      { hostPath: signer.tlsCert, containerPath: `${SIGNER_TLS_DIR}/tls.crt`, readOnly: true },
      { hostPath: signer.tlsKey, containerPath: `${SIGNER_TLS_DIR}/tls.key`, readOnly: true },
    ],
  };
}

export function httpProbe(url: string): Healthcheck {
  return { kind: "http", url, expectStatus: 200, intervalSeconds: 15, timeoutSeconds: 5, retries: 8 };
}

/** Base URL of a service on the Docker network. */
export function internalUrl(service: ServiceRef, port: number, scheme = "http"): string {
  return `${scheme}://${service}:${port}`;
}
