/**
 * The numbers the alert rules compare against, with defaults and what each one means.
 *
 * `alertThresholds()` parses once (zod) and reports every bad key in one error, each naming the key, what it
 * must be, and the value received.
 */
import { z } from "zod";
import { counted, ProblemsError } from "../config/problems.js";

const positive = (def: number, description: string) => z.number().positive().default(def).describe(description);
const minutes = (def: number, description: string) => z.number().int().positive().default(def).describe(description);

export const alertThresholdsSchema = z
  .object({
    minBalanceEth: positive(
      0.5,
      "ETH on L1 below which the batcher, proposer and challenger sender accounts alert (op-service's `balance` gauge, in ether).",
    ),
    maxSafeLagBlocks: z
      .number()
      .int()
      .positive()
      .default(900)
      .describe(
        "L2 blocks the safe head may trail the unsafe head. 900 = 30 min at 2 s blocks; the batcher closes channels after 25 L1 blocks (~5 min), so a healthy lag stays well under it.",
      ),
    derivationResetsPer15m: z
      .number()
      .int()
      .positive()
      .default(3)
      .describe(
        "op-node derivation pipeline resets in 15 min before alerting. A batch whose blobs the beacon API no longer serves makes derivation reset (op-node/rollup/derive/blob_data_source.go: a missing blob is a ResetError); one reset at start is normal.",
      ),
    l1RpcErrorRatio: z
      .number()
      .positive()
      .max(1)
      .default(0.05)
      .describe("Share of op-node's L1 RPC requests over 10 min that failed (JSON-RPC error or no response) before alerting."),
    proposerSilenceMinutes: minutes(
      90,
      "Minutes without a new proposal before alerting. Must exceed the proposer's --proposal-interval (1h) with room for L1 inclusion.",
    ),
    headStallMinutes: minutes(5, "Minutes the execution client's head block may stand still (a sequencer makes a block every 2 s)."),
    targetDownMinutes: minutes(2, "Minutes a scrape target may fail (`up == 0`) before alerting."),
    railStallMinutes: minutes(
      15,
      "Minutes a witness may hold open slots while none of its slots finalizes. Slots are given up after --give-up-ms (60 s by default), so this is far beyond a normal round.",
    ),
    dissentPerHour: positive(3, "Slots per hour, per witness, whose finalized or proposed content differs from the witness's own archive."),
    railRpcErrorsPerHour: positive(30, "Failed chain reads or sends per hour, per rail process (witness or relayer), before alerting."),
    relayerFailedBatchesPerHour: positive(2, "Relayer batch transactions per hour that failed (reverted, out of gas, underpriced, unfunded)."),
    archiveSilenceMinutes: minutes(30, "Minutes a witness may read no archive line before its intake counts as stopped."),
    refusedPostsPerHour: positive(
      100,
      "Proposals and sign-offs per hour a relayer refused for one member index (bad signature, its share of places used up, its client over the bad-signature budget) before alerting: a dishonest member, or someone posting under its index.",
    ),
    expiredSlotsPerHour: positive(50, "Slots per hour a relayer forgot unfinalized after its slot TTL (junk slots, or slots no quorum ever signed)."),
    relayerUnreachableMinutes: minutes(10, "Minutes a witness may be unable to reach one of its relayers (posts or reads failing, backing off) before alerting."),
  })
  .strict();

export type AlertThresholds = z.infer<typeof alertThresholdsSchema>;
export type AlertThresholdsInput = z.input<typeof alertThresholdsSchema>;

export const THRESHOLD_KEYS = Object.keys(alertThresholdsSchema.shape) as (keyof AlertThresholds)[];

/** Each threshold's description, for docs and config help. */
export function thresholdDescriptions(): Record<keyof AlertThresholds, string> {
  return Object.fromEntries(
    THRESHOLD_KEYS.map((k) => [k, alertThresholdsSchema.shape[k].description ?? ""]),
  ) as Record<keyof AlertThresholds, string>;
}

export class AlertThresholdsError extends ProblemsError {
  constructor(problems: readonly string[]) {
    super(counted("Invalid alert thresholds", problems), problems);
  }
}

function shown(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

/**
 * Defaults merged with `input`.
 * @throws AlertThresholdsError listing every unknown key and every bad value.
 */
export function alertThresholds(input: unknown = {}): AlertThresholds {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new AlertThresholdsError([`alert thresholds must be an object such as { "maxSafeLagBlocks": 900 }, got ${shown(input)}.`]);
  }
  const parsed = alertThresholdsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const raw = input as Record<string, unknown>;
  const problems: string[] = [];
  for (const issue of parsed.error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) problems.push(`\`${key}\` is not an alert threshold; known: ${THRESHOLD_KEYS.join(", ")}.`);
      continue;
    }
    const key = String(issue.path[0]);
    const want = key === "l1RpcErrorRatio" ? "a number in (0, 1]" : INTEGER_FIELDS.has(key) ? "an integer > 0" : "a number > 0";
    problems.push(`\`${key}\` must be ${want}, got ${shown(raw[key])}.`);
  }
  throw new AlertThresholdsError(problems);
}

/** Counts of blocks and minutes: zod's `.int()` fields above. */
const INTEGER_FIELDS = new Set<string>([
  "maxSafeLagBlocks",
  "proposerSilenceMinutes",
  "headStallMinutes",
  "targetDownMinutes",
  "railStallMinutes",
  "archiveSilenceMinutes",
]);
