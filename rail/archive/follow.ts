// Following a live archive: a JSONL file that grows, or a directory of JSONL files that rotate, read
// as it is written, line by line, with memory bounded by the longest line allowed (not by the size of
// the files). Change is found by polling, which works on every filesystem (fs.watch does not).
//
// Lines are split by read.ts's splitLines, fed from a source that never ends while the file may still
// grow: splitLines only emits a line once its \n has arrived, and holds (or, past the limit, drops
// without buffering) the partial line in between.
import type { FileHandle } from 'node:fs/promises';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { MAX_LINE_BYTES, splitLines } from './read.js';

export interface FollowedLine {
  file: string;
  /** 1-based line number within `file`. */
  line: number;
  /** The line without its \n (or \r\n); empty for a blank line, which the caller skips. */
  raw: string;
}

export interface FollowOptions {
  /** How often to look for new bytes, new files and rotation, in ms (default 200). */
  pollMs?: number;
  /** Aborting ends the iteration (no exception) and closes every file handle. */
  signal?: AbortSignal;
  /** Yield the lines already there when following starts (default true). When false, only lines
   *  completed after the start are yielded (with their true line numbers) and, for a directory, only
   *  its last file (by name) is followed from where it ends, plus files that appear later. */
  fromStart?: boolean;
}

type Followed = FollowedLine | { file: string; line: number; tooLong: true };

/** Bytes read at a time; each read's bytes are copied out exactly, so a line built from many small
 *  appends costs its own size, not a chunk per append. */
const CHUNK_BYTES = 64 * 1024;

interface Ctx {
  pollMs: number;
  signal: AbortSignal | undefined;
}

/** Per incarnation of a followed file (reset when it is truncated or replaced). */
interface Session {
  /** Where the next read starts. */
  offset: number;
  /** Lines before `offset` that were not yielded (skipped by fromStart: false). */
  baseLine: number;
  /** The bytes read so far end inside a line (no \n yet). */
  partial: boolean;
  /** Why the source ended, when it ended rather than threw. */
  end?: EndReason;
}

/** The file is done: replaced at its path (inode changed), gone from its directory, or a newer
 *  file (by name) exists in the directory. */
type EndReason = 'replaced' | 'gone' | 'newer';

/** Thrown by a source through splitLines to discard its held partial line. */
const TRUNCATED = Symbol('truncated');
const ABORTED = Symbol('aborted');

/** Follows `path` (a JSONL file, or a directory whose `*.jsonl` files are read in name order) and
 *  yields every complete line as it is written, `tooLong` for lines over MAX_LINE_BYTES. Ends when
 *  `opts.signal` aborts. Throws an InputError at the first step if `path` does not exist. */
export async function* followArchive(path: string, opts?: FollowOptions): AsyncIterable<FollowedLine | { file: string; line: number; tooLong: true }> {
  const ctx: Ctx = { pollMs: Math.max(1, opts?.pollMs ?? 200), signal: opts?.signal };
  const fromStart = opts?.fromStart ?? true;
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new InputError(`--archive ${path}: does not exist; create it (an empty .jsonl file, or a directory for rotating .jsonl files) or fix --archive.`);
    throw new InputError(`--archive ${path}: cannot read it (${code ?? (e as Error).message}).`);
  }
  if (ctx.signal?.aborted) return;
  if (st.isDirectory()) yield* followDirectory(path, ctx, fromStart);
  else if (st.isFile()) yield* followFile(path, ctx, !fromStart, null);
  else throw new InputError(`--archive ${path}: is neither a file nor a directory; give the archive's JSONL file or its directory.`);
}

/** The directory's `.jsonl` entries that are not directories, sorted by name (code unit order);
 *  none if the directory itself is gone for now. */
export async function listJsonl(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if (isGone(e)) return [];
    throw e;
  }
  return entries
    .filter((d) => d.name.endsWith('.jsonl') && !d.isDirectory())
    .map((d) => d.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

async function* followDirectory(dir: string, ctx: Ctx, fromStart: boolean): AsyncGenerator<Followed, void> {
  /** Files already followed (or skipped), pruned to those still in the directory. */
  const done = new Set<string>();
  let skipInto: string | undefined;
  if (!fromStart) {
    const names = await listJsonl(dir);
    skipInto = names.pop();
    for (const n of names) done.add(n);
  }
  for (;;) {
    if (ctx.signal?.aborted) return;
    const names = await listJsonl(dir);
    const present = new Set(names);
    for (const n of done) if (!present.has(n)) done.delete(n);
    const name = names.find((n) => !done.has(n));
    if (name === undefined) {
      await sleep(ctx);
      continue;
    }
    done.add(name);
    const hasNewer = async () => (await listJsonl(dir)).some((n) => n > name && !done.has(n));
    const aborted = yield* followFile(join(dir, name), ctx, name === skipInto, hasNewer);
    if (aborted) return;
  }
}

/** Follows one file until it is done (directory mode: a newer file exists, or it is gone) or the
 *  signal aborts; in file mode only an abort ends it. Returns whether it was aborted. */
async function* followFile(file: string, ctx: Ctx, skipExisting: boolean, hasNewer: (() => Promise<boolean>) | null): AsyncGenerator<Followed, boolean> {
  const dirMode = hasNewer !== null;
  let skip = skipExisting;
  for (;;) {
    if (ctx.signal?.aborted) return true;
    const fh = await openRegular(file);
    if (fh === null) {
      if (dirMode) return false; // vanished between readdir and open, or not a regular file
      await sleep(ctx); // file mode: replaced, and the new one is not there yet
      continue;
    }
    const session: Session = { offset: 0, baseLine: 0, partial: false };
    const source = readChunks(fh, file, session, ctx, skip, hasNewer);
    skip = false;
    try {
      for await (const raw of splitLines(source, MAX_LINE_BYTES)) {
        if (ctx.signal?.aborted) return true;
        const line = session.baseLine + raw.line;
        yield raw.tooLongBytes !== undefined ? { file, line, tooLong: true } : { file, line, raw: raw.text };
      }
    } catch (e) {
      if (e === ABORTED) return true;
      if (e === TRUNCATED) continue; // the held partial line is gone with the old content
      throw e;
    }
    // The source ended: its last unterminated line (if any) has been yielded, as read.ts does at the
    // end of a finished archive.
    if (session.end === 'replaced') continue;
    return false;
  }
}

/** The file's bytes from the session's offset, as they are written; never ends while the file may
 *  still grow. Closes the handle however it stops. */
async function* readChunks(
  fh: FileHandle,
  file: string,
  session: Session,
  ctx: Ctx,
  skipExisting: boolean,
  hasNewer: (() => Promise<boolean>) | null,
): AsyncGenerator<Buffer, void> {
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  try {
    if (skipExisting) await skipCompleteLines(fh, buf, session, ctx);
    /** A done file with a partial last line gets one more poll for its \n before it is left. */
    let graced = false;
    for (;;) {
      if (ctx.signal?.aborted) throw ABORTED;
      const { bytesRead } = await fh.read(buf, 0, CHUNK_BYTES, session.offset);
      if (bytesRead > 0) {
        session.offset += bytesRead;
        session.partial = buf[bytesRead - 1] !== 0x0a;
        graced = false;
        yield Buffer.from(buf.subarray(0, bytesRead));
        continue;
      }
      // At the end of what is there. Look for an end first, then at the size: bytes written before
      // the rotation (or the newer file) are still read.
      const end = await endReason(fh, file, hasNewer);
      const size = (await fh.stat()).size;
      if (size < session.offset) throw TRUNCATED;
      if (size > session.offset) continue;
      if (end !== null && (!session.partial || graced)) {
        session.end = end;
        return;
      }
      if (end !== null) graced = true;
      await sleep(ctx);
    }
  } finally {
    await fh.close();
  }
}

/** Moves the session past the lines complete in the file now, counting them. */
async function skipCompleteLines(fh: FileHandle, buf: Buffer, session: Session, ctx: Ctx): Promise<void> {
  let pos = 0;
  for (;;) {
    if (ctx.signal?.aborted) throw ABORTED;
    const { bytesRead } = await fh.read(buf, 0, CHUNK_BYTES, pos);
    if (bytesRead === 0) return;
    const got = buf.subarray(0, bytesRead);
    for (let i = got.indexOf(0x0a); i !== -1; i = got.indexOf(0x0a, i + 1)) {
      session.baseLine++;
      session.offset = pos + i + 1;
    }
    pos += bytesRead;
  }
}

async function endReason(fh: FileHandle, file: string, hasNewer: (() => Promise<boolean>) | null): Promise<EndReason | null> {
  let atPath;
  try {
    atPath = await stat(file);
  } catch (e) {
    if (!isGone(e)) throw e;
    // Directory mode: deleted, done once read to its end. File mode: renamed away or deleted; keep
    // reading it (the writer may still have it open) until a new file appears at the path.
    return hasNewer !== null ? 'gone' : null;
  }
  const held = await fh.stat();
  if (atPath.ino !== held.ino || atPath.dev !== held.dev) return 'replaced';
  if (hasNewer !== null && (await hasNewer())) return 'newer';
  return null;
}

/** The file opened for reading, or null if it is gone or not a regular file. */
async function openRegular(file: string): Promise<FileHandle | null> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (isGone(e) || code === 'EISDIR') return null;
    throw new InputError(`--archive ${file}: cannot read it (${code ?? (e as Error).message}).`);
  }
  try {
    if ((await fh.stat()).isFile()) return fh;
  } catch (e) {
    await fh.close();
    throw e;
  }
  await fh.close();
  return null;
}

function isGone(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Waits one poll interval, or less if the signal aborts. */
function sleep(ctx: Ctx): Promise<void> {
  const { signal } = ctx;
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ctx.pollMs);
    signal?.addEventListener('abort', done, { once: true });
  });
}
