/**
 * What a config change after the first deploy may and may not touch. `op-deployer apply` runs once: v0.7.1
 * skips a deployed chain on a re-run but still overwrites `appliedIntent`, so re-running it would only make
 * state.json disagree with the chain. The stack therefore never re-runs it after it succeeded, and compares
 * the intent the config gives now with the one the chain was deployed from:
 * - the batcher, proposer, challenger, unsafe-block signer and the game's absolute prestate may change: day 2
 *   (onchain.ts) carries them out on L1;
 * - anything else (the owners and fee vaults, which are the deployer's address; EIP-1559 parameters; the gas
 *   limit; the respected game type) has no path here and is refused before anything runs, saying what to do.
 */
import type { ChainIntent } from "../deployer/intent.js";
import { ProblemsError } from "../config/problems.js";

export class IntentDriftError extends ProblemsError {
  constructor(problems: readonly string[]) {
    super("The config changed what the deployed chain was made from, and nothing here can change that on L1; nothing was changed", problems);
  }
}

type Field = { path: string; get: (c: ChainIntent) => unknown; fix: string };

const DEPLOYER_FIX =
  "it is the address of `ecp:deployerPrivateKey`, which owns the chain's L1 contracts. Transferring ownership is not something this stack does; restore the previous deployer key, or deploy a new chain (a fresh `ecp:stateDir` and a new `ecp:l2ChainId`).";
const FIXED_FIX = "op-deployer set it at genesis and this stack has no path to change it; restore the previous value.";

/** Fields day 2 cannot carry out. (Roles it can: batcher, proposer, challenger, unsafeBlockSigner, and the prestate.) */
const FROZEN: Field[] = [
  { path: "roles.l1ProxyAdminOwner", get: (c) => c.roles.l1ProxyAdminOwner, fix: DEPLOYER_FIX },
  { path: "roles.l2ProxyAdminOwner", get: (c) => c.roles.l2ProxyAdminOwner, fix: DEPLOYER_FIX },
  { path: "roles.systemConfigOwner", get: (c) => c.roles.systemConfigOwner, fix: DEPLOYER_FIX },
  { path: "baseFeeVaultRecipient", get: (c) => c.baseFeeVaultRecipient, fix: DEPLOYER_FIX },
  { path: "l1FeeVaultRecipient", get: (c) => c.l1FeeVaultRecipient, fix: DEPLOYER_FIX },
  { path: "sequencerFeeVaultRecipient", get: (c) => c.sequencerFeeVaultRecipient, fix: DEPLOYER_FIX },
  { path: "operatorFeeVaultRecipient", get: (c) => c.operatorFeeVaultRecipient, fix: DEPLOYER_FIX },
  { path: "eip1559DenominatorCanyon", get: (c) => c.eip1559DenominatorCanyon, fix: FIXED_FIX },
  { path: "eip1559Denominator", get: (c) => c.eip1559Denominator, fix: FIXED_FIX },
  { path: "eip1559Elasticity", get: (c) => c.eip1559Elasticity, fix: FIXED_FIX },
  { path: "gasLimit", get: (c) => c.gasLimit, fix: FIXED_FIX },
  { path: "deployOverrides.respectedGameType", get: (c) => c.deployOverrides.respectedGameType, fix: FIXED_FIX },
];

function at(obj: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((o, k) => (typeof o === "object" && o !== null ? (o as Record<string, unknown>)[k] : undefined), obj);
}

const norm = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : typeof v === "number" || typeof v === "bigint" ? String(v) : JSON.stringify(v));

/** The refusals for a deployed chain: every frozen field whose config value differs from the applied one. An
 *  applied field that is absent (an older state.json) is not compared. */
export function intentDrift(now: ChainIntent, applied: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const f of FROZEN) {
    const was = at(applied, f.path);
    if (was === undefined || was === null) continue;
    const is = f.get(now);
    if (norm(was) !== norm(is)) problems.push(`the chain was deployed with ${f.path} ${String(was)}, the config now gives ${String(is)}: ${f.fix}`);
  }
  return problems;
}
