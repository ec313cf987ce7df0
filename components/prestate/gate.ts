/**
 * The prestate gate: decides whether op-challenger and op-dispute-mon are created.
 *
 * - No prestate configured: neither is created, and the reason is returned for a stack output.
 * - A prestate configured: its hash must equal the absolute prestate the chain's games were deployed with,
 *   because op-challenger loads the prestate named by the game's on-chain `absolutePrestate()` and refuses
 *   games whose prestate it cannot match (mono@op-challenger/v1.9.3:op-challenger/game/fault/trace/prestates/multi.go
 *   checks the file against the requested hash).
 */
import { OP_PROGRAM_PRESTATE_TAG, STANDARD_ABSOLUTE_PRESTATE } from "../config/defaults.js";
import { fullKey, type Hex, type PrestateConfig, type StackConfig } from "../config/schema.js";

export type ServiceDecision = { create: true } | { create: false; reason: string };

export type PrestateGate =
  | { enabled: false; challenger: ServiceDecision & { create: false }; disputeMon: ServiceDecision & { create: false } }
  | {
      enabled: true;
      prestate: PrestateConfig;
      /**
       * Name op-challenger looks for under `--cannon-prestates-url`: `hash.Hex()` (lowercase, 0x-prefixed)
       * plus the file type (prestates/multi.go fetchPrestate).
       */
      fileName: string;
      challenger: ServiceDecision & { create: true };
      disputeMon: ServiceDecision;
    };

export class PrestateMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PrestateMismatchError";
  }
}

export const NO_PRESTATE_REASON =
  `op-challenger and op-dispute-mon are not deployed: \`${fullKey("prestate")}\` is not set. ` +
  `Build this chain's prestate from ${OP_PROGRAM_PRESTATE_TAG} with its rollup.json and genesis.json ` +
  `(op-program/chainconfig/configs/<chainId>-rollup.json and <chainId>-genesis-l2.json, then \`make reproducible-prestate\`), ` +
  `then set \`${fullKey("prestate.hash")}\` and \`${fullKey("prestate.path")}\`.`;

export const DISPUTE_MON_DISABLED_REASON = `op-dispute-mon is not deployed: \`${fullKey("disputeMonEnabled")}\` is false.`;

/**
 * @param deployedAbsolutePrestate what L1 reports for the permissioned game (DisputeGameFactory.gameArgs(1),
 *   read by components/day2 after it has put the configured prestate on chain); never state.json's
 *   appliedIntent, which `apply` overwrites without changing a deployed chain.
 * @throws PrestateMismatchError when a prestate is configured but the chain was deployed with another one.
 */
export function prestateGate(
  config: Pick<StackConfig, "prestate" | "disputeMonEnabled">,
  deployedAbsolutePrestate: Hex,
): PrestateGate {
  const prestate = config.prestate;
  if (prestate === undefined) {
    return {
      enabled: false,
      challenger: { create: false, reason: NO_PRESTATE_REASON },
      disputeMon: { create: false, reason: NO_PRESTATE_REASON },
    };
  }

  const deployed = deployedAbsolutePrestate.toLowerCase() as Hex;
  if (prestate.hash !== deployed) {
    const what =
      deployed === STANDARD_ABSOLUTE_PRESTATE
        ? `op-deployer's standard prestate ${deployed} (op-program 1.3.1, which cannot prove this chain)`
        : `absolute prestate ${deployed}`;
    throw new PrestateMismatchError(
      `\`${fullKey("prestate.hash")}\` is ${prestate.hash}, but the chain's dispute games were deployed with ${what}. ` +
        "op-challenger would refuse every game. `op-deployer apply` never changes the prestate of a deployed chain: " +
        "update the game's prestate through the OPCM, or deploy into a fresh `" +
        fullKey("stateDir") +
        "`. If the chain already uses the prestate you built, run `pulumi config set --path " +
        fullKey("prestate.hash") +
        ` ${deployed}\`.`,
    );
  }

  return {
    enabled: true,
    prestate,
    fileName: `${prestate.hash}${prestate.extension}`,
    challenger: { create: true },
    disputeMon: config.disputeMonEnabled ? { create: true } : { create: false, reason: DISPUTE_MON_DISABLED_REASON },
  };
}
