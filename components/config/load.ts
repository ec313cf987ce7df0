/**
 * loadConfig: raw Pulumi config in, typed StackConfig out, or ONE error that lists every bad key.
 */
import { CONFIG_NAMESPACE, DEFAULT_L1_BEACON_URL, DEFAULT_L1_RPC_URL, MONITORING_IMAGE_NAMES, OP_DEPLOYER_VERSION } from "./defaults.js";
import { imageDigestWarnings, imageTagDriftWarnings } from "./images.js";
import { AlertThresholdsError, alertThresholds } from "../monitoring/thresholds.js";
import { fullKey, KNOWN_KEYS, rawConfigSchema, SECRET_KEYS, type StackConfig, toStackConfig } from "./schema.js";
import { counted, ProblemsError } from "./problems.js";

export class ConfigError extends ProblemsError {
  constructor(problems: readonly string[]) {
    super(counted("Invalid stack configuration", problems), problems);
  }
}

export interface LoadOptions {
  /**
   * Full keys (`ecp:deployerPrivateKey`) that Pulumi holds as secrets. When given, private keys stored in
   * plain text are refused.
   */
  secretKeys?: Iterable<string>;
}

/** Keys whose value is an object; Pulumi hands them over as JSON strings. */
const OBJECT_KEYS = new Set(Object.entries(KNOWN_KEYS).filter(([, v]) => v !== true).map(([k]) => k));

function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] ?? 0;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] ?? 0;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      prev[j] = Math.min(up + 1, (prev[j - 1] ?? 0) + 1, diag + cost);
      diag = up;
    }
  }
  return prev[b.length] ?? 0;
}

function suggest(unknown: string, candidates: readonly string[]): string | undefined {
  const lower = unknown.toLowerCase();
  const exact = candidates.find((c) => c.toLowerCase() === lower);
  if (exact !== undefined) return exact;
  let best: { name: string; d: number } | undefined;
  for (const c of candidates) {
    const d = levenshtein(lower, c.toLowerCase());
    if (d <= 2 && (best === undefined || d < best.d)) best = { name: c, d };
  }
  return best?.name;
}

function unknownKeyMessage(path: string, candidates: readonly string[], parent: string): string {
  const leaf = path.split(".").at(-1) ?? path;
  const hint = suggest(leaf, candidates);
  const did = hint === undefined ? "" : ` Did you mean \`${fullKey(parent === "" ? hint : `${parent}.${hint}`)}\`?`;
  const rm = path.includes(".") ? `pulumi config rm --path ${fullKey(path)}` : `pulumi config rm ${fullKey(path)}`;
  return `\`${fullKey(path)}\` is not a known setting.${did} Run \`${rm}\`.`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Settings that no longer exist, with what replaces them. A config that still sets one is refused with
 *  this message rather than a typo hint, so nothing it meant is silently dropped. */
export const RETIRED_KEYS: Readonly<Record<string, string>> = {
  witnessPrivateKeys:
    `\`${fullKey("witnessPrivateKeys")}\` is no longer read: a stack that holds every witness's key can finalize anything by itself, which defeats the quorum. ` +
    `List the witnesses by address instead, each run by its own operator with its own key (README "Joining as a witness"): ` +
    `\`pulumi config set --path '${fullKey("rail.witnesses[0].address")}' 0x…\` and \`pulumi config set --path '${fullKey("rail.witnesses[0].name")}' <name>\` for each, ` +
    `\`pulumi config set --secret ${fullKey("railWitnessKey")}\` only for ecp-forge's own witness, then \`pulumi config rm ${fullKey("witnessPrivateKeys")}\`.`,
  "rail.archivePath":
    `\`${fullKey("rail.archivePath")}\` is now \`${fullKey("rail.archiveDir")}\`: what ecp-forge's witness follows (a directory of .jsonl files, or one file) and the smoke reads. ` +
    `Run \`pulumi config set --path ${fullKey("rail.archiveDir")} <the same path or its directory>\` and \`pulumi config rm --path ${fullKey("rail.archivePath")}\`.`,
};

/** Reports keys that do not exist at any level of KNOWN_KEYS. */
function unknownKeys(value: Record<string, unknown>, known: Readonly<Record<string, unknown>>, parent: string): string[] {
  const problems: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const path = parent === "" ? k : `${parent}.${k}`;
    const spec = known[k];
    if (spec === undefined) {
      problems.push(RETIRED_KEYS[path] ?? unknownKeyMessage(path, Object.keys(known), parent));
    } else if (spec !== true && isPlainObject(v)) {
      problems.push(...unknownKeys(v, spec as Record<string, unknown>, path));
    }
  }
  return problems;
}

/**
 * Turns the raw Pulumi config into the schema's input.
 * Accepts `ecp:`-prefixed keys (as from `pulumi.runtime.allConfig()`) and bare keys; other namespaces are ignored.
 */
function normalize(raw: Record<string, unknown>): { input: Record<string, unknown>; problems: string[] } {
  const input: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const colon = key.indexOf(":");
    if (colon >= 0 && key.slice(0, colon) !== CONFIG_NAMESPACE) continue;
    const short = colon >= 0 ? key.slice(colon + 1) : key;
    if (short.includes(".")) {
      // `pulumi config set ecp:host.user x` without --path stores a flat key named "host.user".
      problems.push(
        `\`${fullKey(short)}\` was set without \`--path\`, so Pulumi stored it as a separate key. ` +
          `Run \`pulumi config rm ${fullKey(short)}\` and set it again with \`pulumi config set --path ${fullKey(short)} <value>\`.`,
      );
      continue;
    }
    let v = value;
    if (OBJECT_KEYS.has(short) && typeof v === "string") {
      try {
        v = JSON.parse(v) as unknown;
      } catch {
        // Left as a string: the schema reports "must be a JSON object".
      }
    }
    input[short] = v;
  }
  return { input, problems };
}

/** `ecp:monitoring.thresholds` checked by the alert rules' own schema, each problem under its full key. */
function thresholdProblems(thresholds: Record<string, unknown>): string[] {
  try {
    alertThresholds(thresholds);
    return [];
  } catch (e) {
    if (!(e instanceof AlertThresholdsError)) throw e;
    return e.problems.map((p) => p.replace(/^`([^`]+)`/, (_m, key: string) => `\`${fullKey(`monitoring.thresholds.${key}`)}\``));
  }
}

/**
 * Validates the raw stack config and returns the typed config.
 * @throws ConfigError listing every problem, each naming the key, the value received and the fix.
 */
export function loadConfig(raw: Record<string, unknown>, options: LoadOptions = {}): StackConfig {
  const { input, problems } = normalize(raw);
  problems.push(...unknownKeys(input, KNOWN_KEYS, ""));

  if (options.secretKeys !== undefined) {
    const secret = new Set(options.secretKeys);
    for (const name of SECRET_KEYS) {
      if (input[name] !== undefined && !secret.has(fullKey(name))) {
        problems.push(
          `\`${fullKey(name)}\` is stored in plain text. Run \`pulumi config set --secret ${fullKey(name)}\` and paste the 0x-prefixed 32-byte hex key when prompted.`,
        );
      }
    }
  }

  if (options.secretKeys !== undefined && input["alertWebhookUrl"] !== undefined && !new Set(options.secretKeys).has(fullKey("alertWebhookUrl"))) {
    problems.push(
      `\`${fullKey("alertWebhookUrl")}\` is stored in plain text; webhook URLs carry tokens. Run \`pulumi config set --secret ${fullKey("alertWebhookUrl")}\` and paste the URL when prompted.`,
    );
  }

  const parsed = rawConfigSchema.safeParse(input);
  const schemaProblems = parsed.success ? [] : parsed.error.issues.map((i) => i.message);
  if (parsed.success) problems.push(...thresholdProblems(parsed.data.monitoring.thresholds));
  const all = [...new Set([...schemaProblems, ...problems])];
  if (all.length > 0 || !parsed.success) throw new ConfigError(all);
  return toStackConfig(parsed.data);
}

/** Everything worth telling the operator that does not stop a deploy. */
export function configWarnings(config: StackConfig): string[] {
  const warnings = [...imageDigestWarnings(config), ...imageTagDriftWarnings(config)];
  if (config.rail.enabled && config.rail.witnesses.length > 0 && config.rail.nodeImage.digest === undefined) {
    const ref = `${config.rail.nodeImage.repository}:${config.rail.nodeImage.tag}`;
    warnings.push(
      `\`${fullKey("rail.nodeImage.digest")}\` is not set, so the rail client's Node image is pinned by tag only (${ref}). ` +
        `Run \`docker buildx imagetools inspect ${ref}\` and \`pulumi config set --path ${fullKey("rail.nodeImage.digest")} sha256:<64 hex>\`.`,
    );
  }
  if (config.monitoring.enabled) {
    for (const name of MONITORING_IMAGE_NAMES) {
      const image = config.monitoring.images[name];
      if (image.digest !== undefined) continue;
      const ref = `${image.repository}:${image.tag}`;
      warnings.push(
        `\`${fullKey(`monitoring.images.${name}.digest`)}\` is not set, so ${name} is pinned by tag only (${ref}). ` +
          `Run \`docker buildx imagetools inspect ${ref}\` and \`pulumi config set --path ${fullKey(`monitoring.images.${name}.digest`)} sha256:<64 hex>\`.`,
      );
    }
    if (config.alertWebhookUrl === undefined) {
      warnings.push(
        `\`${fullKey("alertWebhookUrl")}\` is not set: alerts are evaluated and shown in Prometheus and Alertmanager, but sent nowhere. Run \`pulumi config set --secret ${fullKey("alertWebhookUrl")} https://…\`.`,
      );
    }
  }
  // A name without a dot (not an IPv4, not a domain name) resolves only where someone set it up.
  const bareName = !config.host.address.includes(".");
  if (config.peers.length > 0 && config.host.privateAddress === undefined && config.p2p.advertiseIp === undefined && bareName) {
    warnings.push(
      `The verifier peers dial the sequencer's op-node by the name \`${config.host.address}\` (\`${fullKey("host.address")}\`), which a peer may not resolve. Run \`pulumi config set --path ${fullKey("host.privateAddress")} <ecp-forge's private IPv4>\` or \`pulumi config set --path ${fullKey("p2p.advertiseIp")} <its public IPv4>\`.`,
    );
  }
  for (const [i, peer] of config.peers.entries()) {
    if (config.monitoring.enabled && peer.metricsAddress === undefined) {
      warnings.push(
        `\`${fullKey(`peers[${i}].metricsAddress`)}\` is not set, so Prometheus on ecp-forge does not scrape peer ${peer.name}. Run \`pulumi config set --path '${fullKey(`peers[${i}].metricsAddress`)}' <its private IPv4>\`.`,
      );
    }
    if (peer.publicRpcPort !== undefined && peer.sequencerHttp === undefined && config.host.privateAddress === undefined) {
      warnings.push(
        `Peer ${peer.name} publishes the L2 RPC, but neither \`${fullKey("host.privateAddress")}\` nor \`${fullKey(`peers[${i}].sequencerHttp`)}\` is set: transactions sent to it stay in its own pool and are never sequenced. Run \`pulumi config set --path ${fullKey("host.privateAddress")} <ecp-forge's private IPv4>\`.`,
      );
    }
  }
  if (config.opDeployer.version !== OP_DEPLOYER_VERSION) {
    warnings.push(
      `\`${fullKey("opDeployerVersion")}\` is ${config.opDeployer.version}, but the intent and state.json shapes were verified against ${OP_DEPLOYER_VERSION}.`,
    );
  }
  if (config.rolesUsingDeployerKey.length > 0) {
    const keys = config.rolesUsingDeployerKey.map((r) => `\`${fullKey(`${r}PrivateKey`)}\``).join(", ");
    warnings.push(
      `${keys} ${config.rolesUsingDeployerKey.length === 1 ? "is" : "are"} not set, so ${config.rolesUsingDeployerKey.length === 1 ? "that role signs" : "those roles sign"} with the deployer key. Set one key per role before the chain holds anything of value.`,
    );
  }
  if (config.l1RpcUrl.reveal() === DEFAULT_L1_RPC_URL || config.l1BeaconUrl.reveal() === DEFAULT_L1_BEACON_URL) {
    warnings.push(
      "The L1 RPC or beacon URL is the public publicnode.com default: it is rate limited, and since Fusaka op-node needs a beacon API that serves all blobs. Set `ecp:l1RpcUrl` / `ecp:l1BeaconUrl` to your own provider.",
    );
  }
  if (config.proofs.permissionless) {
    warnings.push(
      `\`${fullKey("permissionless")}\` is true: op-deployer ${OP_DEPLOYER_VERSION} only deploys the permissioned game (type 1). ` +
        "Register game type 0 through the OPCM before op-proposer can create games of that type.",
    );
  }
  return warnings;
}
