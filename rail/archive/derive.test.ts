import { readFileSync } from 'node:fs';
import path from 'node:path';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { describe, expect, it } from 'vitest';
import { FIXTURE_DIR, renderArchive } from '../../scripts/gen-archive-fixture.js';
import { encodeAbiParameters, keccak256 } from 'viem';
import { OBSERVATION_HEADER_COMPONENTS, observationHash, observationSlot } from '../observation.js';
import { dataRootOf, deriveArchive, formatIssue, parseArchive } from './derive.js';
import { chunkRoot, initKeccak } from './merkle.js';
import { fromHex } from './merkle.js';

const fixture = (name: string) => readFileSync(path.join(FIXTURE_DIR, name), 'utf8');
const archive = fixture('archive.jsonl');
const firstLine = JSON.parse(archive.split('\n')[0]!) as Record<string, unknown>;

async function issues(name: string) {
  const d = await deriveArchive(fixture(`bad/${name}`), name);
  return { errors: d.errors.map(formatIssue), warnings: d.warnings.map(formatIssue), derived: d.observations.length };
}

describe('archive line schema', () => {
  it('accepts the bundled archive: 3 streams × 1,200 epochs', async () => {
    const d = await deriveArchive(archive, 'archive.jsonl');
    expect(d.errors).toEqual([]);
    expect(d.warnings).toEqual([]);
    expect(d.observations).toHaveLength(3600);
    expect(new Set(d.observations.map((o) => o.stream))).toEqual(new Set(['atsc/KQED/9.1', 'atsc/KTVU/2.1', 'atsc/KPIX/5.1']));
  });

  it('tolerates unknown extra fields', () => {
    const line = JSON.stringify({ ...firstLine, somethingNew: { nested: true }, epoch: { ...(firstLine.epoch as object), label: 'x' } });
    expect(parseArchive(line, 'a.jsonl').errors).toEqual([]);
  });

  it.each([
    ['version', 2, 'a.jsonl:1: version: expected 1 (the only archive format version), got 2'],
    ['stream', 'KQED', 'a.jsonl:1: stream: expected a stream identity such as "atsc/KQED/9.1" (segments separated by /, no spaces), got "KQED"'],
    ['observedUnixMs', 1.5, 'a.jsonl:1: observedUnixMs: expected an integer number of milliseconds, got 1.5'],
    ['manifestHash', '0x1234', 'a.jsonl:1: manifestHash: expected 0x followed by 64 hex digits, got "0x1234"'],
    ['locator', 'not a uri', 'a.jsonl:1: locator: expected an absolute URI such as s3://bucket/key, got "not a uri"'],
    ['chunks', [], 'a.jsonl:1: chunks: expected at least one chunk, got []'],
  ])('rejects a bad %s with the field and the value', (field, value, message) => {
    const { errors } = parseArchive(JSON.stringify({ ...firstLine, [field]: value }), 'a.jsonl');
    expect(errors.map(formatIssue)).toEqual([message]);
  });

  it('says when a field is missing', () => {
    const { epoch: _e, ...rest } = firstLine;
    expect(parseArchive(JSON.stringify(rest), 'a.jsonl').errors.map(formatIssue)).toEqual(['a.jsonl:1: epoch: missing (expected an object { id, startUnixMs, durationMs })']);
  });

  it('requires chunk sequences 0, 1, 2, … and an observation after the epoch ends', () => {
    const chunks = (firstLine.chunks as Record<string, unknown>[]).map((c, i) => (i === 1 ? { ...c, sequence: 5 } : c));
    const epoch = firstLine.epoch as { startUnixMs: number; durationMs: number };
    const { errors } = parseArchive(JSON.stringify({ ...firstLine, chunks, observedUnixMs: epoch.startUnixMs + 10 }), 'a.jsonl');
    expect(errors.map(formatIssue)).toEqual([
      `a.jsonl:1: chunks[1].sequence: expected 1 (chunk sequences run 0, 1, 2, … in order), got 5; observedUnixMs: expected a time at or after the epoch's end (${epoch.startUnixMs + epoch.durationMs}), got ${epoch.startUnixMs + 10}`,
    ]);
  });
});

describe('broken fixtures: every invalid line as file:line with the reason', () => {
  it('bad JSON', async () => {
    const r = await issues('bad-json.jsonl');
    expect(r.errors).toEqual([`bad-json.jsonl:3: not valid JSON (Unterminated string in JSON at position 60); each line must be one JSON object`]);
    expect(r.derived).toBe(4);
  });
  it('missing field', async () => {
    expect((await issues('missing-field.jsonl')).errors).toEqual([
      'missing-field.jsonl:3: manifestHash: missing (expected 0x followed by 64 hex digits)',
    ]);
  });
  it('wrong type', async () => {
    expect((await issues('wrong-type.jsonl')).errors).toEqual(['wrong-type.jsonl:3: chunks[1].byteLength: expected a positive integer, got "812345"']);
  });
  it('duplicate epoch', async () => {
    expect((await issues('duplicate-epoch.jsonl')).errors).toEqual([
      'duplicate-epoch.jsonl:4: duplicate epoch: stream atsc/KQED/9.1 epoch 2026-11-20T18:00:12.000Z (start 1795197612000) is already at line 3; keep one of them',
    ]);
  });
  it('out-of-order epochs', async () => {
    expect((await issues('out-of-order.jsonl')).errors).toEqual([
      'out-of-order.jsonl:3: out of order: stream atsc/KQED/9.1 epoch 2026-11-20T18:00:06.000Z starts at 1795197606000, before the epoch at line 2 (1795197612000); the archive must list each stream\'s epochs in time order',
    ]);
  });
  it('a gap is a warning and the chain continues across it', async () => {
    const d = await deriveArchive(fixture('bad/gap.jsonl'), 'gap.jsonl');
    expect(d.errors).toEqual([]);
    expect(d.warnings.map(formatIssue)).toEqual([
      'gap.jsonl:3: gap: stream atsc/KQED/9.1 has no epoch for 6000 ms before epoch 2026-11-20T18:00:18.000Z; the chain continues across it',
    ]);
    expect(d.observations.map((o) => o.header.sequence)).toEqual([0n, 1n, 2n, 3n]);
    expect(d.observations[2]!.header.parentObservationHash).toBe(observationHash(d.observations[1]!.header));
  });
});

describe('derivation', () => {
  it('chains each stream: sequence 0 with parent 0, then parent = previous hash and sequence + 1', async () => {
    const d = await deriveArchive(archive, 'archive.jsonl');
    const last = new Map<string, { hash: string; seq: bigint }>();
    for (const o of d.observations) {
      const prev = last.get(o.stream);
      expect(o.header.parentObservationHash).toBe(prev?.hash ?? `0x${'00'.repeat(32)}`);
      expect(o.header.sequence).toBe(prev ? prev.seq + 1n : 0n);
      last.set(o.stream, { hash: observationHash(o.header), seq: o.header.sequence });
    }
  });

  it('is deterministic whatever the interleaving of streams in the file', async () => {
    const lines = archive.trim().split('\n');
    const byStream = (text: string) =>
      deriveArchive(text, 'x').then((d) => {
        const m = new Map<string, string[]>();
        for (const o of d.observations) m.set(o.stream, [...(m.get(o.stream) ?? []), observationHash(o.header)]);
        return m;
      });
    // Group the lines stream by stream instead of by observed time.
    const regrouped = [...lines].sort((a, b) => (JSON.parse(a).stream as string).localeCompare(JSON.parse(b).stream));
    expect(await byStream(regrouped.join('\n'))).toEqual(await byStream(archive));
  });

  it('the observation hash and slot equal viem\'s ABI encoding for every fixture header, and at uint64\'s top', async () => {
    const d = await deriveArchive(archive, 'archive.jsonl');
    const viemHash = (h: (typeof d.observations)[number]['header']) => keccak256(encodeAbiParameters([{ type: 'tuple', components: OBSERVATION_HEADER_COMPONENTS }], [h]));
    for (const o of d.observations.slice(0, 500)) {
      expect(observationHash(o.header)).toBe(viemHash(o.header));
      expect(observationSlot(o.header.streamHash, o.header.epochHash)).toBe(keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'bytes32' }], [o.header.streamHash, o.header.epochHash])));
    }
    const top = { ...d.observations[0]!.header, observedUnixMs: 2n ** 64n - 1n, sequence: 2n ** 63n + 5n };
    expect(observationHash(top)).toBe(viemHash(top));
    expect(() => observationHash({ ...top, sequence: 2n ** 64n })).toThrow(/not a uint64/);
    expect(() => observationHash({ ...top, dataRoot: '0x12' })).toThrow(/not a bytes32/);
  });

  it('the chunk root equals @openzeppelin/merkle-tree\'s StandardMerkleTree root (leaves in chunk order)', async () => {
    await initKeccak();
    for (const n of [1, 2, 3, 5, 8]) {
      const chunks = Array.from({ length: n }, (_, i) => ({
        sequence: i,
        contentHash: `0x${(i + 1).toString(16).padStart(64, 'a')}`,
        byteLength: 1000 + i,
        durationMs: 2000,
      }));
      const tree = StandardMerkleTree.of(
        chunks.map((c) => [c.sequence, c.contentHash, c.byteLength, c.durationMs]),
        ['uint64', 'bytes32', 'uint64', 'uint64'],
        { sortLeaves: false },
      );
      const ours = chunkRoot(chunks.map((c) => ({ ...c, contentHash: fromHex(c.contentHash) })));
      expect(`0x${Buffer.from(ours).toString('hex')}`).toBe(tree.root);
    }
  });

  it('binds every chunk field, the manifest hash and the PSIP digest into the data root', async () => {
    await initKeccak();
    const { entries } = parseArchive(archive.split('\n')[0]!, 'a');
    const e = entries[0]!.entry;
    const base = dataRootOf(e);
    const variants = [
      { ...e, manifestHash: `0x${'11'.repeat(32)}` as const },
      { ...e, psipDigest: undefined },
      { ...e, chunks: e.chunks.map((c, i) => (i === 0 ? { ...c, byteLength: c.byteLength + 1 } : c)) },
      { ...e, chunks: e.chunks.map((c, i) => (i === 2 ? { ...c, durationMs: c.durationMs + 1 } : c)) },
      { ...e, chunks: e.chunks.map((c, i) => (i === 1 ? { ...c, contentHash: `0x${'22'.repeat(32)}` as const } : c)) },
    ];
    for (const v of variants) expect(dataRootOf(v)).not.toBe(base);
  });
});

describe('fixture generator', () => {
  it('is deterministic and the committed archive is what it makes', () => {
    expect(renderArchive()).toBe(renderArchive());
    expect(archive).toBe(renderArchive());
  });
});
