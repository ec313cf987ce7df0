/**
 * The op-deployer steps the stack runs on ecp-forge, as data: the stdin script of each `bash -s` and the
 * `create` line. Each `create` line names what the step depends on (version, intent hash, state hash),
 * so a preview shows why a step re-runs even though its stdin is a secret.
 *
 * install -> init (prints init's intent.toml) -> [preflight] -> calldata -> (local) deploy-send -> apply -> inspect
 * (calldata and deploy-send act only before the first deploy: components/deployer/send.ts says why).
 */
import { formatEther } from "viem";
import { INTENT_TYPE, L1_CHAIN_ID } from "../config/defaults.js";
import type { StackConfig } from "../config/schema.js";
import { opStackScript, remoteScript, shellQuote } from "../host/shell.js";
import type { HostPaths } from "../services/paths.js";
import { contentSha256, type Deployment, DeploymentError, parseDeployment } from "./deployment.js";
import { opDeployerRelease } from "./release.js";

export interface RemoteStep {
  create: string;
  stdin: string;
}

export function opDeployerBinary(config: Pick<StackConfig, "opDeployer">, paths: Pick<HostPaths, "bin">): string {
  return `${paths.bin}/op-deployer-${config.opDeployer.version}`;
}

/** Runs scripts/op-stack/download-op-deployer.sh, which refuses a tarball with another sha256. */
export function installStep(config: Pick<StackConfig, "opDeployer">, paths: Pick<HostPaths, "bin">): RemoteStep {
  const release = opDeployerRelease(config.opDeployer.version, config.opDeployer.sha256);
  return {
    create: `bash -s # install ${release.assetName}, tarball sha256 ${config.opDeployer.sha256}`,
    // `set --` gives the script its positional arguments when it is read from stdin.
    stdin: `set -- ${[config.opDeployer.version, config.opDeployer.sha256, paths.bin].map(shellQuote).join(" ")}\n${opStackScript("download-op-deployer.sh")}`,
  };
}

export function initStep(config: Pick<StackConfig, "opDeployer" | "l2ChainId">, paths: Pick<HostPaths, "bin">): RemoteStep {
  return {
    create: `bash -s # op-deployer ${config.opDeployer.version} init, chain ${config.l2ChainId}`,
    stdin: remoteScript(
      {
        OP_DEPLOYER: opDeployerBinary(config, paths),
        L1_CHAIN_ID: String(L1_CHAIN_ID),
        L2_CHAIN_ID: String(config.l2ChainId),
        INTENT_TYPE,
      },
      opStackScript("remote/op-deployer-init.sh"),
    ),
  };
}

/** sha256 of intent.toml: what decides whether `apply` runs again. */
export function intentHash(intentToml: string): string {
  return contentSha256(intentToml);
}

/** `create` of the apply step: only the intent hash, so it is never secret and shows in previews. */
export function applyCreateLine(intentSha256: string): string {
  return `bash -s # op-deployer apply, intent sha256 ${intentSha256}`;
}

/** `create` of the calldata step: the intent hash, so an intent change before the deploy lands simulates it
 *  again (after it, the step prints `{"status":"deployed"}` and nothing else runs). */
export function calldataCreateLine(intentSha256: string): string {
  return `bash -s # op-deployer apply --deployment-target calldata (first deploy only), intent sha256 ${intentSha256}`;
}

interface ApplySecrets {
  l1RpcUrl: string;
  deployerPrivateKey: string;
}

/** What both deploy scripts read (op-deployer-lib.sh and the two callers), and the script itself after the lib. */
function deployScript(
  config: Pick<StackConfig, "opDeployer" | "l2ChainId">,
  paths: Pick<HostPaths, "bin" | "deployer">,
  intentToml: string,
  secrets: ApplySecrets,
  deployer: string,
  script: "op-deployer-calldata.sh" | "op-deployer-apply.sh",
  extra: Record<string, string>,
): string {
  return remoteScript(
    {
      OP_DEPLOYER: opDeployerBinary(config, paths),
      WORKDIR: paths.deployer,
      L2_CHAIN_ID: String(config.l2ChainId),
      INTENT_TOML: intentToml,
      L1_RPC_URL: secrets.l1RpcUrl,
      DEPLOYER_PRIVATE_KEY: secrets.deployerPrivateKey,
      DEPLOYER_ADDRESS: deployer,
      ...extra,
    },
    opStackScript("remote/op-deployer-lib.sh") + opStackScript(`remote/${script}`),
  );
}

/** The first half of a first deploy (remote/op-deployer-calldata.sh); its stdout is the plan deploy-send.ts
 *  sends. The stdin carries the L1 RPC URL and the deployer key: the component passes it as a secret. */
export function calldataStep(
  config: Pick<StackConfig, "opDeployer" | "l2ChainId" | "minDeployerBalanceWei">,
  paths: Pick<HostPaths, "bin" | "deployer">,
  intentToml: string,
  secrets: ApplySecrets,
  deployer: string,
): RemoteStep {
  return {
    create: calldataCreateLine(intentHash(intentToml)),
    stdin: deployScript(config, paths, intentToml, secrets, deployer, "op-deployer-calldata.sh", {
      L1_CHAIN_ID: String(L1_CHAIN_ID),
      INTENT_TYPE,
      MIN_BALANCE_WEI_HEX: `0x${config.minDeployerBalanceWei.toString(16)}`,
      MIN_BALANCE_TEXT: `${formatEther(config.minDeployerBalanceWei)} ETH`,
    }),
  };
}

/** The local step that sends the prepared deploy (scripts/op-stack/deploy-send.ts); it re-runs when the plan
 *  changes, and its line names the sender, the contracts manager and the calldata's hash. */
export function deploySendCommandLine(plan: string, opcm: string, deployer: string): string {
  return `node_modules/.bin/tsx scripts/op-stack/deploy-send.ts # first deploy from ${deployer} to the contracts manager ${opcm}, plan sha256 ${contentSha256(plan)}`;
}

/** What deploy-send.ts reads of the fee limits (`ecp:l1RpcTxFeeCap`, `ecp:deployMaxFeeGwei`), in wei. */
export function deploySendFeeEnv(fees: StackConfig["deployFees"]): Record<string, string> {
  return {
    ECP_RPC_TX_FEE_CAP_WEI: fees.rpcTxFeeCapWei.toString(),
    ...(fees.maxFeePerGasWei === undefined ? {} : { ECP_DEPLOY_MAX_FEE_WEI: fees.maxFeePerGasWei.toString() }),
  };
}

/** The stdin carries the L1 RPC URL and the deployer key: the component passes it as a secret. */
export function applyStep(
  config: Pick<StackConfig, "opDeployer" | "l2ChainId">,
  paths: Pick<HostPaths, "bin" | "deployer">,
  intentToml: string,
  secrets: ApplySecrets,
  deployer: string,
  /** The L1 block deploy-send saw the deploy in (0 when it sent nothing): the start block may not be older. */
  deployBlock = 0n,
): RemoteStep {
  return {
    create: applyCreateLine(intentHash(intentToml)),
    stdin: deployScript(config, paths, intentToml, secrets, deployer, "op-deployer-apply.sh", { DEPLOY_BLOCK: deployBlock.toString() }),
  };
}

/** The copy of what a rebuild needs (state.json, intent.toml, genesis, rollup, l1) into a new timestamped
 *  directory under `ecp:backupDir`, after every apply whose result inspect read (it re-runs when state.json,
 *  genesis.json or rollup.json change). */
export function backupStep(
  config: Pick<StackConfig, "backupDir">,
  paths: Pick<HostPaths, "deployer" | "configDir">,
  hashes: { stateSha256: string; genesisSha256: string; rollupSha256: string },
): RemoteStep {
  return {
    create: `bash -s # back up state.json sha256 ${hashes.stateSha256.trim()}, genesis.json sha256 ${hashes.genesisSha256}, rollup.json sha256 ${hashes.rollupSha256} to ${config.backupDir}`,
    stdin: remoteScript(
      { WORKDIR: paths.deployer, CONFIG_DIR: paths.configDir, BACKUP_DIR: config.backupDir, STATE_SHA256: hashes.stateSha256.trim() },
      opStackScript("remote/op-deployer-backup.sh"),
    ),
  };
}

/** @param stateSha256 what apply printed; inspect re-runs whenever state.json changed. */
export function inspectStep(
  config: Pick<StackConfig, "opDeployer" | "l2ChainId">,
  paths: Pick<HostPaths, "bin" | "deployer" | "configDir">,
  stateSha256: string,
): RemoteStep {
  return {
    create: `bash -s # op-deployer inspect genesis|rollup|l1, state.json sha256 ${stateSha256.trim()}`,
    stdin: remoteScript(
      {
        OP_DEPLOYER: opDeployerBinary(config, paths),
        WORKDIR: paths.deployer,
        CONFIG_DIR: paths.configDir,
        L2_CHAIN_ID: String(config.l2ChainId),
      },
      opStackScript("remote/op-deployer-inspect.sh"),
    ),
  };
}

export interface Inspected extends Deployment {
  genesisSha256: string;
  rollupSha256: string;
  /** `op-deployer inspect l1`: every L1 address op-deployer reports, by its own names. */
  l1: Record<string, unknown>;
}

/** Parses what remote/op-deployer-inspect.sh printed. @throws DeploymentError naming what is missing. */
export function parseInspectOutput(stdout: string, l2ChainId: number): Inspected {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch (e) {
    throw new DeploymentError("op-deployer inspect printed something that is not JSON", [(e as Error).message]);
  }
  const o = (typeof doc === "object" && doc !== null ? doc : {}) as Record<string, unknown>;
  const problems: string[] = [];
  const sha = (k: string): string => {
    const v = o[k];
    if (typeof v === "string" && /^[0-9a-f]{64}$/.test(v)) return v;
    problems.push(`\`${k}\` is not a sha256.`);
    return "";
  };
  const genesisSha256 = sha("genesisSha256");
  const rollupSha256 = sha("rollupSha256");
  const l1 = o["l1"];
  if (typeof l1 !== "object" || l1 === null || Array.isArray(l1)) problems.push("`l1` (op-deployer inspect l1) is missing.");
  if (problems.length > 0) throw new DeploymentError("op-deployer inspect output is incomplete", problems);
  const deployment = parseDeployment({ stateJson: o["state"], rollupJson: o["rollup"], l2ChainId });
  return { ...deployment, genesisSha256, rollupSha256, l1: l1 as Record<string, unknown> };
}
