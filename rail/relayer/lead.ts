// Splitting the work between relayers side by side: each stream has one leader, relayer
// (uint(streamHash) mod n), which batches its observations as soon as they have a quorum. The others
// hold the same votes and batch an observation only when it has been ready for the takeover delay
// and is still not final: the leader is down, slow, or its batch did not land. So relayers do not pay
// for the same items twice, and a stream never depends on one relayer.
import type { Hex } from 'viem';
import type { BatchItem } from './store.js';

export interface Lead {
  /** This relayer's place among the relayers (0 … count − 1). */
  index: number;
  count: number;
  /** How long an observation a peer leads must have been ready here before this relayer sends it. */
  takeoverMs: number;
}

/** The relayer (0 … count − 1) that leads `streamHash`. */
export function leaderOf(streamHash: Hex, count: number): number {
  return count <= 1 ? 0 : Number(BigInt(streamHash) % BigInt(count));
}

/** Checks a --relayer-index / --relayers pair: an error naming the flags and the fix. */
export function checkLead(index: number, count: number): string | null {
  if (!Number.isInteger(count) || count < 1) return `--relayers ${count}: expected how many relayers share the streams (a whole number ≥ 1)`;
  if (!Number.isInteger(index) || index < 0 || index >= count) return `--relayer-index ${index}: expected this relayer's place among the ${count} relayers, 0 to ${count - 1}`;
  return null;
}

/** When each slot was first ready here (a quorum of live votes), for the takeover delay. */
export class Readiness {
  private readonly since = new Map<Hex, number>();

  /** The items this relayer sends now: in streams it leads, all of them; in the others, in chain
   *  order, those ready for at least the takeover delay (an item waiting stops its stream's later
   *  ones, which extend it). Items must come grouped by stream, in chain order (as buildBatch gives
   *  them). */
  select(items: BatchItem[], lead: Lead, nowMs: number): BatchItem[] {
    const out: BatchItem[] = [];
    const waiting = new Set<Hex>();
    for (const item of items) {
      const stream = item.stored.candidate.header.streamHash;
      const slot = item.stored.slot;
      if (!this.since.has(slot)) this.since.set(slot, nowMs);
      if (leaderOf(stream, lead.count) === lead.index) {
        out.push(item);
        continue;
      }
      if (waiting.has(stream) || nowMs - this.since.get(slot)! < lead.takeoverMs) {
        waiting.add(stream);
        continue;
      }
      out.push(item);
    }
    return out;
  }

  /** Forgets a slot (final, or expired). */
  forget(slot: Hex): void {
    this.since.delete(slot);
  }

  /** Keeps only the slots `held` says the relayer still holds. */
  prune(held: (slot: Hex) => boolean): void {
    for (const slot of this.since.keys()) if (!held(slot)) this.since.delete(slot);
  }

  get size(): number {
    return this.since.size;
  }
}

/** Items for the streams that have no batch of this relayer in flight (a stream's next items extend
 *  what is in flight, so they wait for it to land). */
export function notInFlight(items: BatchItem[], inFlight: ReadonlySet<Hex>): BatchItem[] {
  return items.filter((i) => !inFlight.has(i.stored.candidate.header.streamHash));
}

/** The most batch items whose gas limit (`gasOf(items)`) fits in `share` of a block of `blockGas`. */
export function itemsForGas(blockGas: bigint, gasOf: (n: number) => bigint, share = 0.5, cap = 500): number {
  const budget = (blockGas * BigInt(Math.round(share * 1000))) / 1000n;
  let n = 0;
  while (n < cap && gasOf(n + 1) <= budget) n++;
  return Math.max(1, n);
}
