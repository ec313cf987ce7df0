// Reading an archive as a stream of lines, from a file or stdin, with memory bounded by the longest
// line allowed (not by the archive's size), and deriving it as it is read.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { InputError } from '../errors.js';
import { ArchiveDeriver, DerivationCollector, type ArchiveIssue, type DeriveEvent, type Derivation, type DerivedObservation } from './derive.js';
import { initKeccak } from './merkle.js';

/** The longest archive line read; a real line is a few KB (one epoch's chunk list). */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

export interface RawLine {
  /** 1-based line number. */
  line: number;
  text: string;
  /** Set when the line was longer than the limit; `text` is then empty. */
  tooLongBytes?: number;
}

/** Splits a byte stream into lines (\n, with an optional \r before it). A line longer than
 *  `maxBytes` is skipped, not buffered: it comes out with `tooLongBytes` set. */
export async function* splitLines(source: AsyncIterable<Buffer | string>, maxBytes = MAX_LINE_BYTES): AsyncGenerator<RawLine> {
  const decoder = new TextDecoder('utf-8');
  let parts: Buffer[] = [];
  let size = 0;
  let dropped = 0;
  let line = 0;
  const finish = (): RawLine => {
    line++;
    if (dropped > 0) {
      const out = { line, text: '', tooLongBytes: dropped + size };
      parts = [];
      size = 0;
      dropped = 0;
      return out;
    }
    let text = decoder.decode(parts.length === 1 ? parts[0] : Buffer.concat(parts, size));
    if (text.endsWith('\r')) text = text.slice(0, -1);
    parts = [];
    size = 0;
    return { line, text };
  };
  for await (const chunk of source) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let from = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, from);
      const piece = buf.subarray(from, nl === -1 ? buf.length : nl);
      if (dropped > 0 || size + piece.length > maxBytes) {
        dropped += size + piece.length;
        parts = [];
        size = 0;
      } else if (piece.length > 0) {
        parts.push(piece);
        size += piece.length;
      }
      if (nl === -1) break;
      yield finish();
      from = nl + 1;
    }
  }
  if (size > 0 || dropped > 0) yield finish();
}

/** Refuses clearly an archive path that is missing, a directory or unreadable. */
export async function assertArchiveFile(archive: string): Promise<void> {
  try {
    const s = await stat(archive);
    if (s.isDirectory()) throw new InputError(`--archive ${archive}: is a directory; give the archive's JSONL file.`);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`--archive ${archive}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
}

/** The archive's bytes: `-` is stdin, anything else a file path (refused clearly if it is missing,
 *  a directory or unreadable). */
export async function openArchive(archive: string): Promise<AsyncIterable<Buffer>> {
  if (archive === '-') return process.stdin;
  await assertArchiveFile(archive);
  const stream = createReadStream(archive, { highWaterMark: 1 << 20 });
  return (async function* () {
    try {
      for await (const chunk of stream) yield chunk as Buffer;
    } catch (e) {
      throw new InputError(`--archive ${archive}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
    }
  })();
}

/** Derives an archive as it is read: events in line order, memory bounded by one line plus each
 *  stream's head. */
export async function* deriveStream(source: AsyncIterable<Buffer | string>, file: string, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<DeriveEvent> {
  await initKeccak();
  const deriver = new ArchiveDeriver(file);
  for await (const raw of splitLines(source, maxLineBytes)) {
    const events = raw.tooLongBytes
      ? deriver.reject(raw.line, `line is ${raw.tooLongBytes} bytes, longer than the ${maxLineBytes} allowed; is this an archive JSONL file?`)
      : deriver.push(raw.line, raw.text);
    yield* events;
  }
}

/** At most this many invalid lines are kept for the report; the rest are counted. */
export const LISTED_ISSUES = 50;

/** What a full pass over an archive found: counts, and the first LISTED_ISSUES invalid lines. */
export interface ArchiveScan {
  /** Archive lines read (blank lines included). */
  lines: number;
  observations: number;
  errorCount: number;
  /** The first LISTED_ISSUES invalid lines, in line order. */
  errors: ArchiveIssue[];
  warningCount: number;
}

/** An archive that can be read more than once: a file as it is, stdin copied to a private temporary
 *  file first (so it can be checked in full before anything is sent), removed by `close`. */
export interface ReplayableArchive {
  path: string;
  /** The name used in messages (`stdin` for `-`). */
  name: string;
  close(): Promise<void>;
}

export async function replayableArchive(archive: string): Promise<ReplayableArchive> {
  if (archive !== '-') {
    await assertArchiveFile(archive);
    return { path: archive, name: path.basename(archive), close: async () => {} };
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'ecp-stdin-'));
  const file = path.join(dir, 'stdin.jsonl');
  try {
    await pipeline(process.stdin, createWriteStream(file, { mode: 0o600 }));
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw new InputError(`--archive -: cannot copy stdin to ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  return { path: file, name: 'stdin', close: () => rm(dir, { recursive: true, force: true }) };
}

/** One pass over the archive that keeps nothing but counts and the first invalid lines; warnings go
 *  to `onWarning` as they are found. Memory stays flat whatever the archive's size. */
export async function scanArchive(archive: string, file: string, onWarning: (w: ArchiveIssue) => void = () => {}): Promise<ArchiveScan> {
  const scan: ArchiveScan = { lines: 0, observations: 0, errorCount: 0, errors: [], warningCount: 0 };
  for await (const e of deriveStream(await openArchive(archive), file)) {
    if (e.kind === 'warning') {
      scan.warningCount++;
      onWarning(e.issue);
      continue;
    }
    scan.lines++;
    if (e.kind === 'observation') scan.observations++;
    else {
      scan.errorCount++;
      if (scan.errors.length < LISTED_ISSUES) scan.errors.push(e.issue);
    }
  }
  return scan;
}

/** The archive's valid observations in line order, `size` at a time (the last window may be
 *  shorter), stopping after `limit` observations. Invalid lines and warnings are left out: the caller
 *  has scanned the archive first. */
export async function* observationWindows(archive: string, file: string, size: number, limit = Number.POSITIVE_INFINITY): AsyncGenerator<DerivedObservation[]> {
  let window: DerivedObservation[] = [];
  let taken = 0;
  for await (const e of deriveStream(await openArchive(archive), file)) {
    if (e.kind !== 'observation') continue;
    if (taken >= limit) break;
    window.push(e.observation);
    taken++;
    if (window.length === size) {
      yield window;
      window = [];
    }
  }
  if (window.length) yield window;
}

/** Reads and derives a whole archive (file or `-`) into memory, for tests and small archives.
 *  Memory grows with the observations; the commands use scanArchive and observationWindows. */
export async function readDerivation(archive: string, file: string): Promise<Derivation> {
  const out = new DerivationCollector();
  let lines = 0;
  for await (const e of deriveStream(await openArchive(archive), file)) {
    out.add([e]);
    if (e.kind !== 'warning') lines++;
  }
  return { observations: out.observations, errors: out.errors, warnings: out.warnings, lines };
}
