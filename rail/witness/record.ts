// A witness's durable record of what it signed and what it gave up on: one JSON line per decision,
// appended and flushed to disk before the signature leaves the process. It is what makes "never sign
// two different candidates for one slot" hold across crashes and restarts.
import { open, type FileHandle } from 'node:fs/promises';
import type { Hex } from 'viem';
import { z } from 'zod';
import { InputError, VerificationError } from '../errors.js';

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/);
const recordLine = z.discriminatedUnion('kind', [
  z.object({ slot: hex32, kind: z.literal('signed'), hash: hex32, candidate: z.unknown().optional() }),
  z.object({ slot: hex32, kind: z.literal('skipped'), reason: z.string() }),
]);
type RecordLine = z.infer<typeof recordLine>;

/** A signature's record keeps the candidate itself (its wire form), so a restarted witness can post
 *  the same sign-off again. */
export type Decision = { kind: 'signed'; hash: Hex; candidate?: unknown } | { kind: 'skipped'; reason: string };

/** Refused: the record already holds another decision for the slot. */
export class EquivocationRefused extends VerificationError {
  constructor(readonly slot: Hex, readonly existing: Decision, wanted: Decision) {
    super(
      `slot ${slot}: refusing to record ${describe(wanted)}; the record already holds ${describe(existing)} (a witness signs at most one candidate per slot)`,
    );
  }
}

const describe = (d: Decision) => (d.kind === 'signed' ? `a signature on ${d.hash}` : `a skip (${d.reason})`);

/** Reads a record's text: the first decision per slot, and where a torn last line starts (bytes),
 *  if there is one. A damaged line anywhere else is an error naming the file and line. */
export function parseRecord(text: string, file: string): { decisions: Map<Hex, Decision>; skips: Map<Hex, string>; tornAt?: number } {
  const decisions = new Map<Hex, Decision>();
  const skips = new Map<Hex, string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    let v: RecordLine | undefined;
    try {
      const r = recordLine.safeParse(JSON.parse(raw));
      v = r.success ? r.data : undefined;
    } catch {
      v = undefined;
    }
    if (!v) {
      if (i === lines.length - 1) return { decisions, skips, tornAt: Buffer.byteLength(lines.slice(0, i).join('\n')) + (i > 0 ? 1 : 0) };
      throw new InputError(`${file}:${i + 1}: not a record line; the witness record is damaged. Move it aside only if you are sure this key signed nothing else.`);
    }
    const d: Decision = v.kind === 'signed' ? { kind: 'signed', hash: v.hash as Hex, candidate: v.candidate } : { kind: 'skipped', reason: v.reason };
    // The first decision for a slot is the one that counts (a later line can only be a skip of a
    // slot that was signed, which the record keeps as signed).
    if (!decisions.has(v.slot as Hex)) decisions.set(v.slot as Hex, d);
    if (v.kind === 'skipped' && !skips.has(v.slot as Hex)) skips.set(v.slot as Hex, v.reason);
  }
  return { decisions, skips };
}

export class WitnessRecord {
  private queue: Promise<unknown> = Promise.resolve();
  /** Slots with a skip line (a signed slot can have one too: the reason its vote did not finalize). */
  private readonly skipped: Set<Hex>;

  private constructor(
    readonly file: string,
    private readonly fh: FileHandle,
    private readonly decisions: Map<Hex, Decision>,
    skips: Map<Hex, string>,
  ) {
    this.skipped = new Set(skips.keys());
  }

  /** Opens (or creates) the record at `file` and reads back every complete line. A torn last line
   *  (a crash mid-write, before its flush returned) is ignored: nothing was signed for it. */
  static async open(file: string): Promise<WitnessRecord> {
    let fh: FileHandle;
    try {
      fh = await open(file, 'a+');
    } catch (e) {
      throw new InputError(`${file}: cannot open the witness record (${(e as Error).message}). Give --state-dir a writable directory.`);
    }
    const { decisions, skips, tornAt } = parseRecord(await fh.readFile({ encoding: 'utf8' }), file);
    // A torn last line: the crash came before its flush returned, so nothing was sent for it. It is
    // cut off, so the next decision starts on a line of its own.
    if (tornAt !== undefined) await fh.truncate(tornAt);
    return new WitnessRecord(file, fh, decisions, skips);
  }

  get(slot: Hex): Decision | undefined {
    return this.decisions.get(slot);
  }

  get size(): number {
    return this.decisions.size;
  }

  /** Records the signature on `hash` for `slot`, durably, before it returns. Recording the same
   *  signature again is a no-op; any other candidate for the slot is refused. */
  sign(slot: Hex, hash: Hex, candidate?: unknown): Promise<void> {
    return this.write(slot, { kind: 'signed', hash, candidate });
  }

  /** Records that the witness gave up on `slot`, with the reason. A slot already signed stays signed
   *  (the signature exists and may still be relayed; the line only keeps the reason); a skip never
   *  turns into a signature. */
  skip(slot: Hex, reason: string): Promise<void> {
    return this.write(slot, { kind: 'skipped', reason });
  }

  private write(slot: Hex, d: Decision): Promise<void> {
    const run = this.queue.then(async () => {
      const existing = this.decisions.get(slot);
      if (existing) {
        if (existing.kind === 'signed' && d.kind === 'signed' && existing.hash === d.hash) return;
        if (existing.kind === 'skipped' && d.kind === 'skipped') return;
        if (existing.kind === 'signed' && d.kind === 'skipped') {
          // Kept for `status` (why the vote did not finalize); the slot stays signed.
          if (this.skipped.has(slot)) return;
          await this.append({ slot, ...d });
          this.skipped.add(slot);
          return;
        }
        throw new EquivocationRefused(slot, existing, d);
      }
      // Held in memory only once it is on disk: a failed write leaves no decision behind, so a retry
      // writes again instead of reporting a signature the record does not hold.
      await this.append({ slot, ...d });
      this.decisions.set(slot, d);
      if (d.kind === 'skipped') this.skipped.add(slot);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async append(line: object): Promise<void> {
    await this.fh.appendFile(`${JSON.stringify({ ...line, at: new Date().toISOString() })}\n`);
    await this.fh.datasync();
  }

  async close(): Promise<void> {
    await this.queue;
    await this.fh.close();
  }
}
