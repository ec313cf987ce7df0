// A witness's durable record of what it signed and what it gave up on: one JSON line per decision,
// appended and flushed to disk before the signature leaves the process. It is what makes "never sign
// two different candidates for one slot" hold across crashes and restarts.
import { readFileSync } from 'node:fs';
import { open, readFile, rm, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
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
    private readonly lock: RecordLock,
    private readonly decisions: Map<Hex, Decision>,
    skips: Map<Hex, string>,
  ) {
    this.skipped = new Set(skips.keys());
  }

  /** Opens (or creates) the record at `file` and reads back every complete line. A torn last line
   *  (a crash mid-write, before its flush returned) is ignored: nothing was signed for it. */
  static async open(file: string): Promise<WitnessRecord> {
    const lock = await RecordLock.take(`${file}.lock`, file);
    let fh: FileHandle;
    try {
      fh = await open(file, 'a+');
    } catch (e) {
      await lock.release();
      throw new InputError(`${file}: cannot open the witness record (${(e as Error).message}). Give --state-dir a writable directory.`);
    }
    try {
      const text = await fh.readFile({ encoding: 'utf8' });
      const { decisions, skips, tornAt } = parseRecord(text, file);
      // A torn last line: the crash came before its flush returned, so nothing was sent for it. It is
      // cut off, so the next decision starts on a line of its own.
      if (tornAt !== undefined) await fh.truncate(tornAt);
      // A last line that is whole but lost its newline (the crash came between the two): the
      // decision stands (keeping it can only make the witness sign less), and the newline is added
      // so the next decision starts on a line of its own instead of running into it.
      else if (text.length > 0 && !text.endsWith('\n')) {
        await fh.appendFile('\n');
        await fh.datasync();
      }
      return new WitnessRecord(file, fh, lock, decisions, skips);
    } catch (e) {
      await fh.close();
      await lock.release();
      throw e;
    }
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

  /** Records several signatures at once, with one write and one disk sync: all of them are on disk
   *  when it returns, or none is held (a failed write leaves no decision behind). One that conflicts
   *  with the record, or with another in the list, refuses the whole list before anything is
   *  written. Recording a signature the record already holds is a no-op, as with `sign`. */
  signMany(entries: { slot: Hex; hash: Hex; candidate?: unknown }[]): Promise<void> {
    const run = this.queue.then(async () => {
      const fresh = new Map<Hex, Decision>();
      for (const e of entries) {
        const d: Decision = { kind: 'signed', hash: e.hash, candidate: e.candidate };
        const existing = this.decisions.get(e.slot) ?? fresh.get(e.slot);
        if (existing) {
          if (existing.kind === 'signed' && existing.hash === e.hash) continue;
          throw new EquivocationRefused(e.slot, existing, d);
        }
        fresh.set(e.slot, d);
      }
      if (!fresh.size) return;
      await this.appendAll([...fresh].map(([slot, d]) => ({ slot, ...d })));
      for (const [slot, d] of fresh) this.decisions.set(slot, d);
    });
    this.queue = run.catch(() => undefined);
    return run;
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

  private append(line: object): Promise<void> {
    return this.appendAll([line]);
  }

  /** Disk syncs so far (one per write, whatever it holds). */
  syncs = 0;

  private async appendAll(lines: object[]): Promise<void> {
    const at = new Date().toISOString();
    await this.fh.appendFile(lines.map((line) => `${JSON.stringify({ ...line, at })}\n`).join(''));
    await this.fh.datasync();
    this.syncs++;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.fh.close();
    await this.lock.release();
  }
}

/** Who holds a record: one process at a time, or two could each sign a different candidate for one
 *  slot. The lock file names the holder's pid, host and boot; a holder that is gone (its pid no longer
 *  runs on this host in this boot, as after a kill -9) gives way to the next process. */
export class RecordLock {
  private constructor(readonly file: string) {}

  static async take(file: string, record: string): Promise<RecordLock> {
    const me = { pid: process.pid, host: os.hostname(), boot: bootId(), since: new Date().toISOString() };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fh = await open(file, 'wx', 0o600);
        await fh.writeFile(`${JSON.stringify(me)}\n`);
        await fh.datasync();
        await fh.close();
        return new RecordLock(file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new InputError(`${record}: cannot open the witness record (its lock: ${(e as Error).message}). Give --state-dir a writable directory.`);
      }
      let holder: { pid?: number; host?: string; boot?: string; since?: string } = {};
      try {
        holder = JSON.parse(await readFile(file, 'utf8')) as typeof holder;
      } catch {
        // unreadable: a crash while it was written; treated as a holder that is gone
      }
      if (holder.host !== undefined && holder.host !== me.host) {
        throw new InputError(
          `${record} is held by process ${holder.pid} on host ${holder.host} (since ${holder.since}). Two witness processes must never share a record: stop that one. If it no longer runs, remove ${file}.`,
        );
      }
      if (holder.pid !== undefined && holder.pid !== me.pid && holder.boot === me.boot && alive(holder.pid)) {
        throw new InputError(`${record} is held by process ${holder.pid} on this host (since ${holder.since}). Two witness processes must never share a record: stop the other one first.`);
      }
      await rm(file, { force: true });
    }
    throw new InputError(`${file}: another process took the witness record's lock at the same moment; start only one witness per record.`);
  }

  async release(): Promise<void> {
    await rm(this.file, { force: true });
  }
}

function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
