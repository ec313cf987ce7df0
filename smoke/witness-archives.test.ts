// Per-witness archives: valid lines, per-witness jitter and locators, the same dataRoot wherever two
// witnesses saw the same data, exactly the requested losses and corruptions, determinism, and the CLI.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { deriveArchive, type Derivation } from '../rail/archive/derive.js';
import { archiveLineSchema, type ArchiveLine } from '../rail/archive/schema.js';
import { main, witnessArchives, writeWitnessArchives, WitnessArchiveError, type WitnessArchive, type WitnessArchiveSpec } from './witness-archives.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const script = path.join(here, 'witness-archives.ts');
const shared = readFileSync(path.join(here, 'fixtures/archive.jsonl'), 'utf8').split('\n');

const EPOCHS = 60;
const JITTER = 250;
const MISSING = { witness: 1, every: 7 }; // indices 6, 13, …, 55: 8 per stream
const MISSING_2 = { witness: 4, every: 10, offset: 3 }; // indices 3, 13, …, 53: 6 per stream
const CORRUPTED = { witness: 2, every: 5 }; // indices 4, 9, …, 59: 12 per stream
const SPEC: WitnessArchiveSpec = { witnesses: 5, limitEpochs: EPOCHS, jitterMs: JITTER, missing: [MISSING, MISSING_2], corrupted: [CORRUPTED] };

const keyOf = (l: { stream: string; epoch: { id: string } }) => `${l.stream} ${l.epoch.id}`;
const parse = (raw: string): ArchiveLine => archiveLineSchema.parse(JSON.parse(raw));

/** The shared archive's first EPOCHS epochs of each stream, by key, with each epoch's index. */
const original = new Map<string, { line: ArchiveLine; raw: Record<string, unknown>; index: number }>();
{
  const counts = new Map<string, number>();
  for (const raw of shared) {
    if (raw.trim() === '') continue;
    const json = JSON.parse(raw) as { stream: string };
    const index = counts.get(json.stream) ?? 0;
    counts.set(json.stream, index + 1);
    if (index < EPOCHS) original.set(keyOf(parse(raw)), { line: parse(raw), raw: json, index });
  }
}
const streams = new Set([...original.values()].map((o) => o.line.stream));

/** The keys a rule hits: epoch indices offset, offset + every, … (offset defaults to every - 1). */
function expectedKeys(rule: { every: number; offset?: number }): Set<string> {
  const offset = rule.offset ?? rule.every - 1;
  return new Set([...original].filter(([, o]) => o.index >= offset && (o.index - offset) % rule.every === 0).map(([k]) => k));
}

describe('witnessArchives', () => {
  let archives: WitnessArchive[];
  let derived: Derivation[];
  let sharedDerived: Derivation;
  /** Per witness: key → { line, observation header }. */
  let byKey: Map<string, { line: ArchiveLine; header: Derivation['observations'][number]['header'] }>[];

  beforeAll(async () => {
    archives = witnessArchives(shared, SPEC);
    derived = await Promise.all(archives.map((a) => deriveArchive(a.lines.join('\n') + '\n', `witness-${a.witness}.jsonl`)));
    const keptShared = [...original.values()].map((o) => JSON.stringify(o.raw));
    sharedDerived = await deriveArchive(keptShared.join('\n'), 'shared.jsonl');
    byKey = archives.map((a, w) => {
      const m = new Map<string, { line: ArchiveLine; header: Derivation['observations'][number]['header'] }>();
      a.lines.forEach((raw, i) => {
        const line = parse(raw);
        const obs = derived[w]!.observations[i]!;
        expect(obs.line).toBe(i + 1);
        m.set(keyOf(line), { line, header: obs.header });
      });
      return m;
    });
  });

  it('writes valid lines in the shared order, with bounded jitter that moves most observation times', () => {
    expect(archives.map((a) => a.witness)).toEqual([0, 1, 2, 3, 4]);
    const sharedOrder = [...original.keys()];
    for (const a of archives) {
      let moved = 0;
      const keys: string[] = [];
      for (const raw of a.lines) {
        expect(raw).not.toContain('\n');
        const line = parse(raw); // throws on any schema issue
        const o = original.get(keyOf(line))!;
        expect(o, keyOf(line)).toBeDefined();
        keys.push(keyOf(line));
        expect(line.observedUnixMs).toBeGreaterThanOrEqual(line.epoch.startUnixMs + line.epoch.durationMs);
        const d = line.observedUnixMs - o.line.observedUnixMs;
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(JITTER);
        if (d !== 0) moved++;
        // Epoch identity and data are unchanged (chunks only on corrupted lines, checked below).
        expect(line.stream).toBe(o.line.stream);
        expect(line.epoch).toEqual(o.line.epoch);
        expect(line.manifestHash).toBe(o.line.manifestHash);
        expect(line.psipDigest).toBe(o.line.psipDigest);
        expect(JSON.parse(raw).ingest).toEqual(o.raw.ingest);
      }
      expect(moved / a.lines.length).toBeGreaterThan(0.9);
      expect(keys).toEqual(sharedOrder.filter((k) => keys.includes(k)));
      expect(derived[a.witness]!.errors).toEqual([]);
    }
  });

  it('gives every witness its own absolute locator with the original path', () => {
    for (const [key, o] of original) {
      const seen = new Set<string>();
      archives.forEach((a, w) => {
        const l = byKey[w]!.get(key);
        if (!l) return;
        const url = new URL(l.line.locator);
        expect(url.protocol).toBe('https:');
        expect(url.host).toBe(`witness-${a.witness}.archive.invalid`);
        expect(url.pathname).toBe(new URL(o.line.locator).pathname);
        seen.add(l.line.locator);
      });
      expect(seen.size, key).toBe(archives.filter((_, w) => byKey[w]!.has(key)).length);
    }
  });

  it('derives the same dataRoot, epochHash and streamHash for data two witnesses both saw intact, but their own time and locatorHash', () => {
    const corrupt = expectedKeys(CORRUPTED);
    const sharedRoots = new Map(sharedDerived.observations.map((o) => [`${o.stream} ${o.epochId}`, o.header]));
    let pairs = 0;
    let sameTime = 0;
    for (const key of original.keys()) {
      for (let a = 0; a < archives.length; a++) {
        for (let b = a + 1; b < archives.length; b++) {
          const x = byKey[a]!.get(key);
          const y = byKey[b]!.get(key);
          if (!x || !y || (corrupt.has(key) && (a === CORRUPTED.witness || b === CORRUPTED.witness))) continue;
          pairs++;
          expect(x.header.dataRoot, key).toBe(y.header.dataRoot);
          expect(x.header.dataRoot, key).toBe(sharedRoots.get(key)!.dataRoot);
          expect(x.header.epochHash).toBe(y.header.epochHash);
          expect(x.header.streamHash).toBe(y.header.streamHash);
          expect(x.header.locatorHash).not.toBe(y.header.locatorHash);
          expect(x.header.observedUnixMs).toBe(BigInt(x.line.observedUnixMs));
          if (x.header.observedUnixMs === y.header.observedUnixMs) sameTime++;
        }
      }
    }
    expect(pairs).toBeGreaterThan(1000);
    expect(sameTime / pairs).toBeLessThan(0.05);
  });

  it('leaves out exactly the lost epochs of the missing witnesses', () => {
    const none = new Set<string>();
    for (const a of archives) {
      const lost = a.witness === MISSING.witness ? expectedKeys(MISSING) : a.witness === MISSING_2.witness ? expectedKeys(MISSING_2) : none;
      expect(a.missing).toBe(lost.size);
      expect(a.lines.length).toBe(original.size - lost.size);
      expect(derived[a.witness]!.observations.length).toBe(original.size - lost.size);
      const present = new Set(byKey[a.witness]!.keys());
      for (const key of original.keys()) expect(present.has(key), `witness ${a.witness} ${key}`).toBe(!lost.has(key));
      // A lost epoch is a gap in the stream, a warning; nothing else warns.
      expect(derived[a.witness]!.warnings.length).toBe(lost.size);
    }
    expect(expectedKeys(MISSING).size).toBe(8 * streams.size);
    expect(expectedKeys(MISSING_2).size).toBe(6 * streams.size);
  });

  it('corrupts one chunk hash exactly on the expected epochs of the corrupted witness', () => {
    const corrupt = expectedKeys(CORRUPTED);
    expect(corrupt.size).toBe(12 * streams.size);
    const w = CORRUPTED.witness;
    expect(archives[w]!.corrupted).toBe(corrupt.size);
    expect(archives.filter((a) => a.witness !== w).every((a) => a.corrupted === 0)).toBe(true);
    const reference = byKey[0]!;
    let differs = 0;
    for (const [key, { line, header }] of byKey[w]!) {
      const o = original.get(key)!.line;
      const changed = line.chunks.filter((c, i) => c.contentHash !== o.chunks[i]!.contentHash);
      expect(changed.length, key).toBe(corrupt.has(key) ? 1 : 0);
      for (const c of changed) expect(c.contentHash).toMatch(/^0x[0-9a-f]{64}$/);
      expect(line.chunks.map(({ contentHash: _h, ...rest }) => rest)).toEqual(o.chunks.map(({ contentHash: _h, ...rest }) => rest));
      const dataRootDiffers = header.dataRoot !== reference.get(key)!.header.dataRoot;
      expect(dataRootDiffers, key).toBe(corrupt.has(key));
      if (dataRootDiffers) differs++;
    }
    expect(differs).toBe(corrupt.size);
  });

  it('is deterministic for a seed, and another seed moves the times but not the data', () => {
    expect(witnessArchives(shared, SPEC)).toEqual(archives);
    const other = witnessArchives(shared, { ...SPEC, seed: 12345 });
    for (const [w, a] of other.entries()) {
      expect(a.lines.length).toBe(archives[w]!.lines.length);
      let timesDiffer = 0;
      a.lines.forEach((raw, i) => {
        const x = JSON.parse(raw);
        const y = JSON.parse(archives[w]!.lines[i]!);
        if (x.observedUnixMs !== y.observedUnixMs) timesDiffer++;
        expect(x.locator).toBe(y.locator);
        expect(x.epoch).toEqual(y.epoch);
        if (!(w === CORRUPTED.witness)) expect(x.chunks).toEqual(y.chunks);
      });
      expect(timesDiffer / a.lines.length).toBeGreaterThan(0.9);
    }
    // The stream of one witness does not repeat another's.
    expect(archives[0]!.lines.map((l) => JSON.parse(l).observedUnixMs)).not.toEqual(archives[3]!.lines.map((l) => JSON.parse(l).observedUnixMs));
  });

  it('keeps only the first streams and epochs asked for, and jitter 0 keeps the original times', () => {
    const [a] = witnessArchives(shared, { witnesses: 1, streams: 2, limitEpochs: 4, jitterMs: 0 });
    const lines = a!.lines.map(parse);
    expect(lines.length).toBe(8);
    expect(new Set(lines.map((l) => l.stream)).size).toBe(2);
    for (const l of lines) expect(l.observedUnixMs).toBe(original.get(keyOf(l))!.line.observedUnixMs);
  });

  it('refuses a bad spec with a message naming the field', () => {
    expect(() => witnessArchives(shared, { witnesses: 0 })).toThrow(/witnesses/);
    expect(() => witnessArchives(shared, { witnesses: 2, missing: [{ witness: 2, every: 3 }] })).toThrow(WitnessArchiveError);
    expect(() => witnessArchives(shared, { witnesses: 2, corrupted: [{ witness: 0, every: 0 }] })).toThrow(/corrupted\[0\]\.every/);
    expect(() => witnessArchives(['{"version":1}'], { witnesses: 2 })).toThrow(/line 1/);
  });
});

describe('writeWitnessArchives and the CLI', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ecp-witness-archives-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = promisify(execFile);
  const cli = (args: string[]) =>
    run(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8' }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }),
    );

  it('writes witness-<i>.jsonl files that read back as the archives', async () => {
    const archives = witnessArchives(shared, { witnesses: 3, limitEpochs: 5 });
    const paths = await writeWitnessArchives(path.join(dir, 'api'), archives);
    expect(paths.map((p) => path.basename(p))).toEqual(['witness-0.jsonl', 'witness-1.jsonl', 'witness-2.jsonl']);
    paths.forEach((p, i) => expect(readFileSync(p, 'utf8')).toBe(archives[i]!.lines.join('\n') + '\n'));
  });

  it('writes N files, and refuses --witnesses 0 and a bad --missing with exit 2', async () => {
    const out = path.join(dir, 'cli');
    const [ok, zero] = await Promise.all([
      cli(['--out', out, '--witnesses', '5', '--limit-epochs', '10', '--missing', '1:3', '--corrupted', '2:4']),
      cli(['--out', path.join(dir, 'never'), '--witnesses', '0']),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `witness-${i}.jsonl`));
    const expected = witnessArchives(shared, { witnesses: 5, limitEpochs: 10, missing: [{ witness: 1, every: 3 }], corrupted: [{ witness: 2, every: 4 }] });
    for (const a of expected) expect(readFileSync(path.join(out, `witness-${a.witness}.jsonl`), 'utf8')).toBe(a.lines.join('\n') + '\n');
    expect(expected[1]!.missing).toBe(9);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('--witnesses');
    expect(readdirSync(dir)).not.toContain('never');
  });

  it('names the flag to fix for other bad command lines (in process)', async () => {
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
    try {
      const never = path.join(dir, 'never');
      expect(await main(['--out', never, '--witnesses', '3', '--missing', '3:2'])).toBe(2);
      expect(await main(['--out', never, '--witnesses', '3', '--corrupted', '1:x'])).toBe(2);
      expect(await main(['--out', never, '--witnesses', '3', '--limit-epochs', '0'])).toBe(2);
      expect(await main(['--witnesses', '3'])).toBe(2);
      expect(await main(['--out', never, '--witnesses', '3', '--bogus'])).toBe(2);
      expect(readdirSync(dir)).not.toContain('never');
    } finally {
      spy.mockRestore();
    }
    expect(errors[0]).toMatch(/--missing 3:2: there is no witness 3/);
    expect(errors[1]).toMatch(/--corrupted 1:x: expected WITNESS:EVERY/);
    expect(errors[2]).toMatch(/--limit-epochs 0/);
    expect(errors[3]).toMatch(/--out DIR is required/);
    expect(errors[4]).toMatch(/unknown argument --bogus/);
  });
});
