// `rail status`: what the chain holds for one witness's archive, compared by content, not by exact
// hash: independent witnesses never derive byte-identical headers (their own observation times and
// locators), so a slot counts as finalized when its final dataRoot is the archive's own. Reads only.
import type { Address, Hex } from 'viem';
import { observationWindows } from './archive/read.js';
import type { RailConnection } from './connection.js';
import { observationSlot, type ObservationHeader } from './observation.js';
import { ChainView } from './protocol/chain-view.js';

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

type Final = { hash: Hex; header: ObservationHeader };

/** Classifies observed slots as they come, in archive order, a window at a time, so an archive of
 *  any size is classified with memory bounded by the streams and the listing limit: a slot that is
 *  not final stays undecided until a later slot of its stream is final (then it was skipped) or the
 *  archive ends (then it is pending). */
export class StatusClassifier {
  private readonly streams = new Map<Hex, { row: StreamReport; undecided: number; listed: ObservedSlot[] }>();
  private readonly report: StatusReport = { streams: [], skipped: [], lost: [] };

  constructor(
    private readonly finals: ReadonlyMap<Hex, Final>,
    private readonly heads: ReadonlyMap<Hex, { sequence: bigint }>,
    private readonly reasons: ReadonlyMap<Hex, string>,
    /** At most this many skipped and lost slots are listed (the counts are always whole). */
    private readonly listLimit = 50,
  ) {}

  push(observed: Iterable<ObservedSlot>): void {
    for (const o of observed) {
      let s = this.streams.get(o.streamHash);
      if (!s) {
        const row: StreamReport = { stream: o.stream, streamHash: o.streamHash, headSequence: this.heads.get(o.streamHash)?.sequence.toString() ?? null, finalized: 0, conflicting: 0, skipped: 0, pending: 0 };
        s = { row, undecided: 0, listed: [] };
        this.streams.set(o.streamHash, s);
        this.report.streams.push(row);
      }
      const f = this.finals.get(o.slot);
      if (!f) {
        s.undecided++;
        if (s.listed.length < this.listLimit) s.listed.push(o);
        continue;
      }
      // A later epoch of the stream is final: the network gave up the undecided ones and went on.
      s.row.skipped += s.undecided;
      for (const u of s.listed) {
        if (this.report.skipped.length >= this.listLimit) break;
        this.report.skipped.push({ stream: u.stream, epoch: u.epochId, slot: u.slot, reason: this.reasons.get(u.slot) ?? 'no quorum before the stream went on (no witness record given with --state-dir)' });
      }
      s.undecided = 0;
      s.listed = [];
      if (f.header.dataRoot === o.dataRoot) s.row.finalized++;
      else {
        s.row.conflicting++;
        if (this.report.lost.length < this.listLimit) {
          this.report.lost.push({ stream: o.stream, epoch: o.epochId, slot: o.slot, finalized: f.hash, finalDataRoot: f.header.dataRoot, ourDataRoot: o.dataRoot });
        }
      }
    }
  }

  /** The report: slots still undecided at the archive's end are pending. */
  finish(): StatusReport {
    for (const s of this.streams.values()) {
      s.row.pending += s.undecided;
      s.undecided = 0;
      s.listed = [];
    }
    return this.report;
  }
}

/** Classifies each observed slot (in archive order) against the finalized slots and heads.
 *  `reasons` are skip reasons from witness records, where known. At most `listLimit` skipped and
 *  lost slots are listed (the counts are always whole). */
export function classifySlots(
  observed: ObservedSlot[],
  finals: ReadonlyMap<Hex, Final>,
  heads: ReadonlyMap<Hex, { sequence: bigint }>,
  reasons: ReadonlyMap<Hex, string>,
  listLimit = 50,
): StatusReport {
  const c = new StatusClassifier(finals, heads, reasons, listLimit);
  c.push(observed);
  return c.finish();
}

/** What the chain holds for the archive at `archivePath` (a file, already scanned): its finalized
 *  observations read from the ledger's logs since `fromBlock`, each archive slot classified by content.
 *  Reads only; memory is bounded by the window and the streams. */
export async function archiveStatus(
  conn: RailConnection,
  ledger: Address,
  archivePath: string,
  opts: { fromBlock?: bigint; reasons?: ReadonlyMap<Hex, string>; limit?: number; window?: number } = {},
): Promise<StatusReport> {
  const view = new ChainView(conn, ledger, opts.fromBlock ?? 0n, Number.POSITIVE_INFINITY);
  await view.refresh();
  const classifier = new StatusClassifier(view.recentFinal, view.heads, opts.reasons ?? new Map());
  for await (const window of observationWindows(archivePath, archivePath, opts.window ?? 1_000, opts.limit)) {
    classifier.push(window.map((o) => ({ slot: observationSlot(o.header.streamHash, o.header.epochHash), streamHash: o.header.streamHash, stream: o.stream, epochId: o.epochId, dataRoot: o.header.dataRoot })));
  }
  return classifier.finish();
}
