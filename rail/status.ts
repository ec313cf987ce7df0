// `rail status`: what the chain holds for one witness's archive, compared by content, not by exact
// hash: independent witnesses never derive byte-identical headers (their own observation times and
// locators), so a slot counts as finalized when its final dataRoot is the archive's own. Reads only.
import type { Hex } from 'viem';
import type { ObservationHeader } from './observation.js';

export interface ObservedSlot {
  slot: Hex;
  streamHash: Hex;
  stream: string;
  epochId: string;
  dataRoot: Hex;
}

export interface StreamReport {
  stream: string;
  streamHash: Hex;
  /** The stream's head sequence on chain, or null before its first finalization. */
  headSequence: string | null;
  /** Final with this archive's content. */
  finalized: number;
  /** Final with other content: this archive lost to the majority there. */
  conflicting: number;
  /** Not final, while a later epoch of the stream is: the network gave it up and went on. */
  skipped: number;
  /** Not final, and nothing later in the stream is. */
  pending: number;
}

export interface StatusReport {
  streams: StreamReport[];
  skipped: { stream: string; epoch: string; slot: Hex; reason: string }[];
  lost: { stream: string; epoch: string; slot: Hex; finalized: Hex; finalDataRoot: Hex; ourDataRoot: Hex }[];
}

/** Classifies each observed slot (in archive order) against the finalized slots and heads.
 *  `reasons` are skip reasons from witness records, where known. At most `listLimit` skipped and
 *  lost slots are listed (the counts are always whole). */
export function classifySlots(
  observed: ObservedSlot[],
  finals: ReadonlyMap<Hex, { hash: Hex; header: ObservationHeader }>,
  heads: ReadonlyMap<Hex, { sequence: bigint }>,
  reasons: ReadonlyMap<Hex, string>,
  listLimit = 50,
): StatusReport {
  const byStream = new Map<Hex, ObservedSlot[]>();
  for (const o of observed) byStream.set(o.streamHash, [...(byStream.get(o.streamHash) ?? []), o]);
  const report: StatusReport = { streams: [], skipped: [], lost: [] };
  for (const [streamHash, slots] of byStream) {
    const row: StreamReport = { stream: slots[0]!.stream, streamHash, headSequence: heads.get(streamHash)?.sequence.toString() ?? null, finalized: 0, conflicting: 0, skipped: 0, pending: 0 };
    let laterFinal = false;
    const kinds: ('finalized' | 'conflicting' | 'skipped' | 'pending')[] = [];
    for (let i = slots.length - 1; i >= 0; i--) {
      const o = slots[i]!;
      const f = finals.get(o.slot);
      if (f) {
        laterFinal = true;
        kinds[i] = f.header.dataRoot === o.dataRoot ? 'finalized' : 'conflicting';
      } else kinds[i] = laterFinal ? 'skipped' : 'pending';
    }
    slots.forEach((o, i) => {
      const kind = kinds[i]!;
      row[kind]++;
      if (kind === 'skipped' && report.skipped.length < listLimit) {
        report.skipped.push({ stream: o.stream, epoch: o.epochId, slot: o.slot, reason: reasons.get(o.slot) ?? 'no quorum before the stream went on (no witness record given with --state-dir)' });
      }
      if (kind === 'conflicting' && report.lost.length < listLimit) {
        const f = finals.get(o.slot)!;
        report.lost.push({ stream: o.stream, epoch: o.epochId, slot: o.slot, finalized: f.hash, finalDataRoot: f.header.dataRoot, ourDataRoot: o.dataRoot });
      }
    });
    report.streams.push(row);
  }
  return report;
}
