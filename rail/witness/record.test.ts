import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Hex } from 'viem';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT, InputError, VerificationError } from '../errors.js';
import { EquivocationRefused, parseRecord, WitnessRecord } from './record.js';

const hex32 = (n: number): Hex => `0x${n.toString(16).padStart(64, '0')}`;
const SLOT_A = hex32(0xa1);
const SLOT_B = hex32(0xb2);
const HASH_1 = hex32(0x11);
const HASH_2 = hex32(0x22);
const CANDIDATE = { header: { sequence: '4', observedUnixMs: '1795197613095' }, locator: 's3://bucket/key', deadline: '1795198000' };

let dir: string;
let file: string;
const open: WitnessRecord[] = [];

async function openRecord(): Promise<WitnessRecord> {
  const r = await WitnessRecord.open(file);
  open.push(r);
  return r;
}

const lines = () => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
const parsedLines = () => lines().map((l) => JSON.parse(l) as Record<string, unknown>);

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'witness-record-'));
  file = path.join(dir, 'record.jsonl');
});

afterEach(async () => {
  for (const r of open.splice(0)) await r.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe('WitnessRecord', () => {
  it('creates an empty record', async () => {
    const r = await openRecord();
    expect(r.size).toBe(0);
    expect(r.get(SLOT_A)).toBeUndefined();
    expect(readFileSync(file, 'utf8')).toBe('');
    expect(r.file).toBe(file);
  });

  it('records a pass of signatures with one write and one disk sync, all or none', async () => {
    const r = await openRecord();
    await r.sign(SLOT_A, HASH_1, CANDIDATE);
    const before = r.syncs;
    const SLOT_C = hex32(0xc3);
    await r.signMany([
      { slot: SLOT_A, hash: HASH_1, candidate: CANDIDATE },
      { slot: SLOT_B, hash: HASH_2, candidate: CANDIDATE },
      { slot: SLOT_C, hash: HASH_1 },
    ]);
    expect(r.syncs - before).toBe(1);
    expect(parsedLines().map((l) => l.slot)).toEqual([SLOT_A, SLOT_B, SLOT_C]);
    expect(r.get(SLOT_B)).toEqual({ kind: 'signed', hash: HASH_2, candidate: CANDIDATE });
    // One conflict refuses the whole pass before anything is written.
    const SLOT_D = hex32(0xd4);
    await expect(r.signMany([{ slot: SLOT_D, hash: HASH_1 }, { slot: SLOT_B, hash: HASH_1 }])).rejects.toBeInstanceOf(EquivocationRefused);
    await expect(r.signMany([{ slot: SLOT_D, hash: HASH_1 }, { slot: SLOT_D, hash: HASH_2 }])).rejects.toBeInstanceOf(EquivocationRefused);
    expect(r.get(SLOT_D)).toBeUndefined();
    expect(lines()).toHaveLength(3);
    await r.close();
    open.splice(0);
    const again = await openRecord();
    expect(again.get(SLOT_C)).toMatchObject({ kind: 'signed', hash: HASH_1 });
  });

  it('keeps a signature, with its candidate, across a reopen', async () => {
    const r = await openRecord();
    await r.sign(SLOT_A, HASH_1, CANDIDATE);
    expect(r.get(SLOT_A)).toEqual({ kind: 'signed', hash: HASH_1, candidate: CANDIDATE });
    const written = parsedLines();
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ slot: SLOT_A, kind: 'signed', hash: HASH_1, candidate: CANDIDATE });
    expect(typeof written[0]!.at).toBe('string');
    await r.close();

    const again = await openRecord();
    expect(again.size).toBe(1);
    expect(again.get(SLOT_A)).toEqual({ kind: 'signed', hash: HASH_1, candidate: CANDIDATE });
    expect(again.get(SLOT_B)).toBeUndefined();
  });

  it('signing the same hash again is a no-op (no new line)', async () => {
    const r = await openRecord();
    await r.sign(SLOT_A, HASH_1, CANDIDATE);
    await r.sign(SLOT_A, HASH_1, CANDIDATE);
    await r.sign(SLOT_A, HASH_1);
    expect(lines()).toHaveLength(1);
    expect(r.get(SLOT_A)).toEqual({ kind: 'signed', hash: HASH_1, candidate: CANDIDATE });
    await r.close();
    const again = await openRecord();
    await again.sign(SLOT_A, HASH_1, CANDIDATE);
    expect(lines()).toHaveLength(1);
  });

  it('refuses another hash for a signed slot, before and after a reopen', async () => {
    const r = await openRecord();
    await r.sign(SLOT_A, HASH_1, CANDIDATE);
    const refused = r.sign(SLOT_A, HASH_2);
    await expect(refused).rejects.toBeInstanceOf(EquivocationRefused);
    await expect(refused).rejects.toThrow(
      `slot ${SLOT_A}: refusing to record a signature on ${HASH_2}; the record already holds a signature on ${HASH_1} (a witness signs at most one candidate per slot)`,
    );
    const e = (await refused.catch((x: unknown) => x)) as EquivocationRefused;
    expect(e).toBeInstanceOf(VerificationError);
    expect(e.exitCode).toBe(EXIT.verification);
    expect(e.slot).toBe(SLOT_A);
    expect(e.existing).toEqual({ kind: 'signed', hash: HASH_1, candidate: CANDIDATE });
    expect(e.name).toBe('EquivocationRefused');
    expect(r.get(SLOT_A)).toEqual({ kind: 'signed', hash: HASH_1, candidate: CANDIDATE });
    expect(lines()).toHaveLength(1);
    // The record still works after a refusal.
    await r.sign(SLOT_B, HASH_2);
    expect(lines()).toHaveLength(2);
    await r.close();

    const again = await openRecord();
    await expect(again.sign(SLOT_A, HASH_2)).rejects.toBeInstanceOf(EquivocationRefused);
    await expect(again.sign(SLOT_B, HASH_1)).rejects.toBeInstanceOf(EquivocationRefused);
    expect(lines()).toHaveLength(2);
  });

  it('a skip after a signature keeps the slot signed, and its reason once (for status)', async () => {
    const r = await openRecord();
    await r.sign(SLOT_A, HASH_1, CANDIDATE);
    await r.skip(SLOT_A, 'no-quorum: not final');
    await r.skip(SLOT_A, 'no-quorum: again');
    expect(r.get(SLOT_A)).toEqual({ kind: 'signed', hash: HASH_1, candidate: CANDIDATE });
    expect(lines()).toHaveLength(2);
    await r.close();
    expect((await openRecord()).get(SLOT_A)).toEqual({ kind: 'signed', hash: HASH_1, candidate: CANDIDATE });
    const parsed = parseRecord(readFileSync(file, 'utf8'), file);
    expect(parsed.skips.get(SLOT_A)).toBe('no-quorum: not final');
    expect(parsed.decisions.get(SLOT_A)).toMatchObject({ kind: 'signed', hash: HASH_1 });
    // Reopened, the reason is not written a second time.
    const again = await openRecord();
    await again.skip(SLOT_A, 'no-quorum: third');
    await again.close();
    expect(lines()).toHaveLength(2);
  });

  it('a signature after a skip is refused, before and after a reopen; a second skip is a no-op', async () => {
    const r = await openRecord();
    await r.skip(SLOT_A, 'parent: not a link we accept');
    expect(r.get(SLOT_A)).toEqual({ kind: 'skipped', reason: 'parent: not a link we accept' });
    await expect(r.sign(SLOT_A, HASH_1)).rejects.toThrow(
      `slot ${SLOT_A}: refusing to record a signature on ${HASH_1}; the record already holds a skip (parent: not a link we accept) (a witness signs at most one candidate per slot)`,
    );
    await r.skip(SLOT_A, 'another reason');
    expect(r.get(SLOT_A)).toEqual({ kind: 'skipped', reason: 'parent: not a link we accept' });
    expect(parsedLines()).toEqual([expect.objectContaining({ slot: SLOT_A, kind: 'skipped', reason: 'parent: not a link we accept' })]);
    await r.close();

    const again = await openRecord();
    expect(again.get(SLOT_A)).toEqual({ kind: 'skipped', reason: 'parent: not a link we accept' });
    await expect(again.sign(SLOT_A, HASH_1)).rejects.toBeInstanceOf(EquivocationRefused);
  });

  it('the first line for a slot is the one that counts on reopen', async () => {
    const at = new Date(0).toISOString();
    writeFileSync(
      file,
      [
        JSON.stringify({ slot: SLOT_A, kind: 'signed', hash: HASH_1, at }),
        JSON.stringify({ slot: SLOT_A, kind: 'skipped', reason: 'late', at }),
        JSON.stringify({ slot: SLOT_B, kind: 'skipped', reason: 'no quorum', at }),
        '',
      ].join('\n'),
    );
    const r = await openRecord();
    expect(r.size).toBe(2);
    expect(r.get(SLOT_A)).toEqual({ kind: 'signed', hash: HASH_1, candidate: undefined });
    expect(r.get(SLOT_B)).toEqual({ kind: 'skipped', reason: 'no quorum' });
  });

  it('ignores a torn last line (no newline) on open', async () => {
    const r = await openRecord();
    await r.sign(SLOT_A, HASH_1, CANDIDATE);
    await r.close();
    appendFileSync(file, `{"slot":"${SLOT_B}","kind":"signed","hash":"0x22`);

    const again = await openRecord();
    expect(again.size).toBe(1);
    expect(again.get(SLOT_A)).toEqual({ kind: 'signed', hash: HASH_1, candidate: CANDIDATE });
    expect(again.get(SLOT_B)).toBeUndefined();
  });

  it('a decision written after a torn last line survives the next reopen', async () => {
    const r = await openRecord();
    await r.sign(SLOT_A, HASH_1, CANDIDATE);
    await r.close();
    appendFileSync(file, `{"slot":"${SLOT_B}","kind":"signed","hash":"0x22`);

    const second = await openRecord();
    await second.sign(SLOT_B, HASH_2, CANDIDATE);
    await second.close();

    const third = await openRecord();
    expect(third.get(SLOT_B)).toEqual({ kind: 'signed', hash: HASH_2, candidate: CANDIDATE });
  });

  it('keeps a last line that is whole but lost its newline, and starts the next decision on a line of its own', async () => {
    const r = await openRecord();
    await r.sign(SLOT_A, HASH_1, CANDIDATE);
    await r.close();
    // The crash came after the JSON and before its newline.
    appendFileSync(file, JSON.stringify({ slot: SLOT_B, kind: 'signed', hash: HASH_2, candidate: CANDIDATE, at: new Date(0).toISOString() }));

    const second = await openRecord();
    expect(second.get(SLOT_B)).toEqual({ kind: 'signed', hash: HASH_2, candidate: CANDIDATE });
    await second.skip(hex32(0xc3), 'no-quorum: x');
    await second.close();
    expect(readFileSync(file, 'utf8').endsWith('\n')).toBe(true);
    expect(parsedLines().map((l) => l.slot)).toEqual([SLOT_A, SLOT_B, hex32(0xc3)]);
    // The restart after that opens as well, and the signed vote is still there.
    const third = await openRecord();
    expect(third.get(SLOT_B)).toEqual({ kind: 'signed', hash: HASH_2, candidate: CANDIDATE });
    expect(third.size).toBe(3);
  });

  it('is held by one process at a time: a second process is refused, and a holder killed with -9 gives way', async () => {
    const holder = spawn(process.execPath, ['--import', 'tsx', '-e', `import('${path.resolve('rail/witness/record.ts')}').then(async (m) => { await m.WitnessRecord.open(${JSON.stringify(file)}); console.log('held'); setInterval(() => {}, 1000); })`], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout!.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
        holder.once('exit', (code) => reject(new Error(`the holder exited (${code})`)));
      });
      const refused = WitnessRecord.open(file);
      await expect(refused).rejects.toBeInstanceOf(InputError);
      await expect(refused).rejects.toThrow(`${file} is held by process ${holder.pid} on this host`);
      holder.kill('SIGKILL');
      await new Promise((r) => holder.once('exit', r));
      const mine = await openRecord();
      expect(JSON.parse(readFileSync(`${file}.lock`, 'utf8')).pid).toBe(process.pid);
      await mine.close();
      expect(() => readFileSync(`${file}.lock`)).toThrow();
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('refuses a record held by a process on another host, naming it and the fix', async () => {
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: 4242, host: 'witness-b.example', since: '2026-12-01T00:00:00.000Z' }));
    await expect(WitnessRecord.open(file)).rejects.toThrow(
      `${file} is held by process 4242 on host witness-b.example (since 2026-12-01T00:00:00.000Z). Two witness processes must never share a record: stop that one. If it no longer runs, remove ${file}.lock.`,
    );
  });

  it('refuses to open a record with a damaged line in the middle, naming the file and line', async () => {
    const at = new Date(0).toISOString();
    writeFileSync(
      file,
      [JSON.stringify({ slot: SLOT_A, kind: 'signed', hash: HASH_1, at }), '{"slot": garbage', JSON.stringify({ slot: SLOT_B, kind: 'skipped', reason: 'x', at }), ''].join('\n'),
    );
    const opened = WitnessRecord.open(file);
    await expect(opened).rejects.toBeInstanceOf(InputError);
    await expect(opened).rejects.toThrow(
      `${file}:2: not a record line; the witness record is damaged. Move it aside only if you are sure this key signed nothing else.`,
    );
    // Blank lines are not damage, and they count in the line numbers.
    writeFileSync(file, ['', JSON.stringify({ slot: SLOT_A, kind: 'signed', hash: HASH_1, at }), '   ', 'nope', ''].join('\n'));
    await expect(WitnessRecord.open(file)).rejects.toThrow(`${file}:4: not a record line`);
  });

  it('a JSON line that is not a record is reported as damage naming the file and line', async () => {
    const at = new Date(0).toISOString();
    writeFileSync(file, [JSON.stringify({ slot: SLOT_A, kind: 'signed', hash: HASH_1, at }), 'null', JSON.stringify({ slot: SLOT_B, kind: 'skipped', reason: 'x', at }), ''].join('\n'));
    await expect(WitnessRecord.open(file)).rejects.toThrow(`${file}:2: not a record line`);
  });

  it('reports a record it cannot open as bad input, naming the file', async () => {
    const missingDir = path.join(dir, 'no-such-dir', 'record.jsonl');
    const opened = WitnessRecord.open(missingDir);
    await expect(opened).rejects.toBeInstanceOf(InputError);
    await expect(opened).rejects.toThrow(`${missingDir}: cannot open the witness record (`);
    await expect(opened).rejects.toThrow('Give --state-dir a writable directory.');
  });

  it('concurrent signatures for one slot: exactly one wins, the file holds one signed line for the slot', async () => {
    const r = await openRecord();
    const results = await Promise.allSettled([r.sign(SLOT_A, HASH_1, { n: 1 }), r.sign(SLOT_A, HASH_2, { n: 2 }), r.sign(SLOT_B, HASH_2)]);
    expect(results.map((x) => x.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(EquivocationRefused);
    expect(r.get(SLOT_A)).toEqual({ kind: 'signed', hash: HASH_1, candidate: { n: 1 } });
    const forA = parsedLines().filter((l) => l.slot === SLOT_A);
    expect(forA).toEqual([expect.objectContaining({ kind: 'signed', hash: HASH_1 })]);
    expect(lines()).toHaveLength(2);
  });

  it('many concurrent signers for one slot: one winner, whichever was first', async () => {
    const r = await openRecord();
    const hashes = Array.from({ length: 20 }, (_, i) => hex32(0x100 + i));
    const results = await Promise.allSettled(hashes.map((h) => r.sign(SLOT_A, h)));
    expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    expect(results[0]!.status).toBe('fulfilled');
    expect(results.slice(1).every((x) => x.status === 'rejected' && x.reason instanceof EquivocationRefused)).toBe(true);
    expect(parsedLines()).toEqual([expect.objectContaining({ slot: SLOT_A, kind: 'signed', hash: hashes[0] })]);
    await r.close();
    expect((await openRecord()).get(SLOT_A)).toMatchObject({ kind: 'signed', hash: hashes[0] });
  });

  it('a concurrent skip and sign: the first queued decision wins', async () => {
    const r = await openRecord();
    const [skip, sign] = await Promise.allSettled([r.skip(SLOT_A, 'gave up'), r.sign(SLOT_A, HASH_1)]);
    expect(skip.status).toBe('fulfilled');
    expect(sign.status).toBe('rejected');
    expect(r.get(SLOT_A)).toEqual({ kind: 'skipped', reason: 'gave up' });
    expect(lines()).toHaveLength(1);
  });

  it('close waits for pending writes', async () => {
    const r = await WitnessRecord.open(file);
    const pending = [r.sign(SLOT_A, HASH_1), r.skip(SLOT_B, 'x')];
    await r.close();
    await Promise.all(pending);
    expect(parsedLines().map((l) => [l.slot, l.kind])).toEqual([
      [SLOT_A, 'signed'],
      [SLOT_B, 'skipped'],
    ]);
  });

  it('a sign() whose write failed is not reported as recorded by a retry', async () => {
    const r = await WitnessRecord.open(file);
    await (r as unknown as { fh: FileHandle }).fh.close();
    await expect(r.sign(SLOT_A, HASH_1)).rejects.toThrow();
    // Nothing reached the disk, so nothing is held: a retry writes again (and fails again here).
    expect(r.get(SLOT_A)).toBeUndefined();
    await expect(r.sign(SLOT_A, HASH_1)).rejects.toThrow();
  });
});
