// Reading an archive as a stream of lines, from a file or stdin, with memory bounded by the longest
// line allowed (not by the archive's size), and deriving it as it is read.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { ArchiveDeriver, DerivationCollector, type DeriveEvent, type Derivation } from './derive.js';
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

/** The archive's bytes: `-` is stdin, anything else a file path (refused clearly if it is missing,
 *  a directory or unreadable). */
export async function openArchive(archive: string): Promise<AsyncIterable<Buffer>> {
  if (archive === '-') return process.stdin;
  try {
    const s = await stat(archive);
    if (s.isDirectory()) throw new InputError(`--archive ${archive}: is a directory; give the archive's JSONL file.`);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`--archive ${archive}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
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

/** Reads and derives a whole archive (file or `-`) into memory, for the commands that need every
 *  observation at once. Memory grows with the observations, not with the file's size. */
export async function readDerivation(archive: string, file: string): Promise<Derivation> {
  const out = new DerivationCollector();
  let lines = 0;
  for await (const e of deriveStream(await openArchive(archive), file)) {
    out.add([e]);
    if (e.kind !== 'warning') lines++;
  }
  return { observations: out.observations, errors: out.errors, warnings: out.warnings, lines };
}
