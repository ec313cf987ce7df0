import { appendFile, mkdir, mkdtemp, readdir, readlink, realpath, rename, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { followArchive, type FollowOptions } from './follow.js';
import { MAX_LINE_BYTES } from './read.js';

const POLL = 20;
type Item = { file: string; line: number; raw: string } | { file: string; line: number; tooLong: true };

let dir: string;
beforeEach(async () => {
  dir = await realpath(await mkdtemp(join(os.tmpdir(), 'follow-test-')));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Consumes a follower in the background; `until(n)` waits for n items (or fails with what came). */
function collect(path: string, opts: FollowOptions = {}) {
  const ac = new AbortController();
  const items: Item[] = [];
  let error: unknown;
  let ended = false;
  const done = (async () => {
    try {
      for await (const item of followArchive(path, { pollMs: POLL, signal: ac.signal, ...opts })) items.push(item);
    } catch (e) {
      error = e;
    } finally {
      ended = true;
    }
  })();
  return {
    items,
    async until(n: number, timeoutMs = 3000): Promise<Item[]> {
      const t0 = Date.now();
      while (items.length < n) {
        if (error) throw error;
        if (ended) throw new Error(`follower ended after ${items.length} items: ${JSON.stringify(items)}`);
        if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${n} items; got ${JSON.stringify(items)}`);
        await sleep(5);
      }
      return items.slice(0, n);
    },
    /** Aborts, waits for the iteration to end and checks it ended without an exception. */
    async stop(): Promise<Item[]> {
      ac.abort();
      await done;
      expect(error).toBeUndefined();
      return items;
    },
  };
}

const L = (file: string, line: number, raw: string): Item => ({ file, line, raw });

/** File descriptors this process holds open under the temp dir (Linux /proc), or null elsewhere. */
async function openFdsUnder(root: string): Promise<string[] | null> {
  let fds: string[];
  try {
    fds = await readdir('/proc/self/fd');
  } catch {
    return null;
  }
  const out: string[] = [];
  for (const fd of fds) {
    try {
      const target = await readlink(`/proc/self/fd/${fd}`);
      if (target.startsWith(root)) out.push(target);
    } catch {
      // closed meanwhile (readdir's own fd)
    }
  }
  return out;
}

describe('followArchive', { timeout: 10_000 }, () => {
  it('yields existing lines, then appended ones, holding a partial line until its newline', async () => {
    const f = join(dir, 'a.jsonl');
    await writeFile(f, 'a\nb\n');
    const c = collect(f);
    expect(await c.until(2)).toEqual([L(f, 1, 'a'), L(f, 2, 'b')]);
    await appendFile(f, 'c\n');
    await c.until(3);
    await appendFile(f, '{"x":');
    await sleep(POLL * 5);
    expect(c.items).toHaveLength(3); // the partial line is held
    await appendFile(f, '1}\r\n');
    await appendFile(f, 'd\n\nlast');
    await c.until(6);
    await sleep(POLL * 3);
    expect(c.items).toHaveLength(6);
    await appendFile(f, '\n');
    await c.until(7);
    expect(await c.stop()).toEqual([L(f, 1, 'a'), L(f, 2, 'b'), L(f, 3, 'c'), L(f, 4, '{"x":1}'), L(f, 5, 'd'), L(f, 6, ''), L(f, 7, 'last')]);
  });

  it('fromStart: false yields only lines completed later, with their true line numbers', async () => {
    const f = join(dir, 'a.jsonl');
    await writeFile(f, 'a\nb\npar');
    const c = collect(f, { fromStart: false });
    await sleep(POLL * 3);
    await appendFile(f, 'tial\nc\n');
    await c.until(2);
    expect(await c.stop()).toEqual([L(f, 3, 'partial'), L(f, 4, 'c')]);
  });

  it('restarts at line 1 when the file is replaced (renamed away, new file at the path)', async () => {
    const f = join(dir, 'a.jsonl');
    await writeFile(f, '1\n2\n');
    const c = collect(f);
    await c.until(2);
    await appendFile(f, '3\n'); // written just before rotation: still read from the old file
    await rename(f, join(dir, 'a.jsonl.1'));
    await sleep(POLL * 3); // nothing at the path for a while
    await writeFile(f, 'x\n');
    await c.until(4);
    await appendFile(f, 'y\n');
    await c.until(5);
    expect(await c.stop()).toEqual([L(f, 1, '1'), L(f, 2, '2'), L(f, 3, '3'), L(f, 1, 'x'), L(f, 2, 'y')]);
  });

  it('restarts at line 1 when the file is truncated in place', async () => {
    const f = join(dir, 'a.jsonl');
    await writeFile(f, 'one\ntwo\nthree\npart');
    const c = collect(f);
    await c.until(3);
    await truncate(f, 0);
    await appendFile(f, 'new\n');
    await c.until(4);
    await appendFile(f, 'more\n');
    await c.until(5);
    expect(await c.stop()).toEqual([L(f, 1, 'one'), L(f, 2, 'two'), L(f, 3, 'three'), L(f, 1, 'new'), L(f, 2, 'more')]);
  });

  it('follows a directory of .jsonl files in name order, picking up new ones', async () => {
    const a = join(dir, 'a.jsonl');
    const b = join(dir, 'b.jsonl');
    const cc = join(dir, 'c.jsonl');
    const d = join(dir, 'd.jsonl');
    await writeFile(b, 'b1\n');
    await writeFile(a, 'a1\na2\n');
    await writeFile(join(dir, 'notes.txt'), 'ignored\n');
    await mkdir(join(dir, 'sub.jsonl'));
    const c = collect(dir);
    await c.until(3);
    await appendFile(b, 'b2\n'); // appends to the current (last) file are noticed
    await c.until(4);
    await appendFile(b, 'b3\n'); // written before the next file appears: read before moving on
    await writeFile(cc, 'c1\n');
    await c.until(6);
    await appendFile(cc, 'c2\n');
    await c.until(7);
    await rm(cc); // deleted while followed: dropped
    await writeFile(d, 'd1\n');
    await c.until(8);
    await sleep(POLL * 3);
    expect(await c.stop()).toEqual([L(a, 1, 'a1'), L(a, 2, 'a2'), L(b, 1, 'b1'), L(b, 2, 'b2'), L(b, 3, 'b3'), L(cc, 1, 'c1'), L(cc, 2, 'c2'), L(d, 1, 'd1')]);
  });

  it('leaves a file for the next one after its last line, unterminated or not', async () => {
    const a = join(dir, 'a.jsonl');
    const b = join(dir, 'b.jsonl');
    await writeFile(a, 'a1\ntorn');
    const c = collect(dir);
    await c.until(1);
    await sleep(POLL * 3);
    expect(c.items).toHaveLength(1); // no newer file yet: the partial line is held
    await writeFile(b, 'b1\n');
    await c.until(3);
    // as read.ts reads a finished file: the unterminated last line is a line
    expect(await c.stop()).toEqual([L(a, 1, 'a1'), L(a, 2, 'torn'), L(b, 1, 'b1')]);
  });

  it('reports a line over the limit as tooLong and goes on with the next line', async () => {
    const f = join(dir, 'a.jsonl');
    await writeFile(f, 'ok\n');
    const c = collect(f);
    await c.until(1);
    const mib = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < 5; i++) await appendFile(f, mib); // 5 MiB, in pieces, no newline yet
    expect(5 * mib.length).toBeGreaterThan(MAX_LINE_BYTES);
    await sleep(POLL * 3);
    expect(c.items).toHaveLength(1);
    await appendFile(f, '\r\nafter\n');
    await c.until(3, 5000);
    expect(await c.stop()).toEqual([L(f, 1, 'ok'), { file: f, line: 2, tooLong: true }, L(f, 3, 'after')]);
  });

  it('ends on abort within a couple of poll intervals, closing its file handles', async () => {
    const pollMs = 100;
    const f = join(dir, 'a.jsonl');
    await writeFile(f, 'a\n');
    const ac = new AbortController();
    const it = followArchive(f, { pollMs, signal: ac.signal })[Symbol.asyncIterator]();
    expect(await it.next()).toEqual({ done: false, value: L(f, 1, 'a') });
    const pending = it.next(); // waiting for a line that never comes
    await sleep(pollMs * 2);
    const held = await openFdsUnder(dir);
    if (held !== null) expect(held).toEqual([f]);
    const t0 = Date.now();
    ac.abort();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(Date.now() - t0).toBeLessThan(pollMs * 2);
    if (held !== null) expect(await openFdsUnder(dir)).toEqual([]);
    expect(await it.next()).toEqual({ done: true, value: undefined });
  });

  it('closes its file handles when the consumer stops early (directory mode)', async () => {
    await writeFile(join(dir, 'a.jsonl'), 'a1\na2\n');
    await writeFile(join(dir, 'b.jsonl'), 'b1\n');
    const seen: Item[] = [];
    for await (const item of followArchive(dir, { pollMs: POLL })) {
      seen.push(item);
      if (seen.length === 1) expect((await openFdsUnder(dir)) ?? [join(dir, 'a.jsonl')]).toEqual([join(dir, 'a.jsonl')]);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual([L(join(dir, 'a.jsonl'), 1, 'a1'), L(join(dir, 'a.jsonl'), 2, 'a2'), L(join(dir, 'b.jsonl'), 1, 'b1')]);
    expect((await openFdsUnder(dir)) ?? []).toEqual([]);
  });

  it('refuses a missing path, naming it', async () => {
    const missing = join(dir, 'nope', 'archive.jsonl');
    const run = async () => {
      for await (const _ of followArchive(missing, { pollMs: POLL })) void _;
    };
    await expect(run()).rejects.toThrow(`--archive ${missing}: does not exist; create it`);
    await expect(run()).rejects.toThrow(/fix --archive/);
  });
});
