// Writes op-deployer's intent.toml from a stack file, without Pulumi: the same loadConfig, role derivation
// and buildIntent the stack uses (components/config, components/deployer/intent.ts).
//   tsx scripts/op-stack/render-intent.ts <Pulumi.<stack>.yaml> <init intent.toml> <out intent.toml>
// Secrets come from the environment (never from the file): ECP_DEPLOYER_PRIVATE_KEY, and optionally
// ECP_BATCHER_PRIVATE_KEY, ECP_PROPOSER_PRIVATE_KEY, ECP_CHALLENGER_PRIVATE_KEY, ECP_SEQUENCER_PRIVATE_KEY,
// ECP_L1_RPC_URL, ECP_L1_BEACON_URL. Prints the role addresses and the intent's sha256.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { isMain } from "../is-main.js";

import jsyaml from "js-yaml";

import { loadConfig } from "../../components/config/load.js";
import { deriveRoleAddresses } from "../../components/config/roles.js";
import { contentSha256 } from "../../components/deployer/deployment.js";
import { buildIntent, intentBaseFromInitToml, intentToToml } from "../../components/deployer/intent.js";

/** `deployerPrivateKey` -> `ECP_DEPLOYER_PRIVATE_KEY`. */
export function envNameOf(key: string): string {
  return `ECP_${key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()}`;
}

const ENV_KEYS = ["deployerPrivateKey", "batcherPrivateKey", "proposerPrivateKey", "challengerPrivateKey", "sequencerPrivateKey", "l1RpcUrl", "l1BeaconUrl"];

export function rawConfigFromStackFile(yamlText: string, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const doc = (jsyaml.load(yamlText) ?? {}) as { config?: Record<string, unknown> };
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc.config ?? {})) {
    if (typeof v === "object" && v !== null && "secure" in v) continue; // encrypted by Pulumi: take it from env
    raw[k] = typeof v === "object" && v !== null ? JSON.stringify(v) : v;
  }
  for (const key of ENV_KEYS) {
    const value = env[envNameOf(key)];
    if (value !== undefined && value !== "") raw[`ecp:${key}`] = value;
  }
  return raw;
}

function main(argv: string[]): void {
  const [stackFile, initIntent, out] = argv;
  if (stackFile === undefined || initIntent === undefined || out === undefined) {
    console.error("usage: tsx scripts/op-stack/render-intent.ts <Pulumi.<stack>.yaml> <init intent.toml> <out intent.toml>");
    process.exit(2);
  }
  const config = loadConfig(rawConfigFromStackFile(readFileSync(stackFile, "utf8"), process.env));
  const { deployer, ...roles } = deriveRoleAddresses(config);
  const toml = intentToToml(buildIntent(config, roles, intentBaseFromInitToml(readFileSync(initIntent, "utf8"))));
  writeFileSync(`${out}.tmp`, toml);
  renameSync(`${out}.tmp`, out);
  console.log(JSON.stringify({ deployer, ...roles, intentSha256: contentSha256(toml) }, null, 2));
}

if (isMain(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  }
}
