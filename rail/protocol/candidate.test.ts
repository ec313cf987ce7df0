import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Hex } from 'viem';
import { beforeAll, describe, expect, it } from 'vitest';
import { archiveLineSchema, type ArchiveLine } from '../archive/schema.js';
import { dataRootOf, deriveArchive, epochHashOf, streamHashOf } from '../archive/derive.js';
import { initKeccak } from '../archive/merkle.js';
import { observationHash, observationSlot } from '../observation.js';
import {
  candidateHash,
  candidateProblem,
  candidateToWire,
  candidateWire,
  isAbsoluteUri,
  locatorHashOf,
  ownObservationOf,
  proposalWire,
  proposeCandidate,
  proposerOrder,
  signOffWire,
  verifyCandidate,
  voteDeadline,
  ZERO_HASH,
  type Base,
  type Candidate,
  type OwnObservation,
  type VerifyContext,
} from './candidate.js';

const ARCHIVE = readFileSync(path.join(import.meta.dirname, '../../smoke/fixtures/archive.jsonl'), 'utf8');
const RAW_LINES = ARCHIVE.split('\n').filter((l) => l.trim() !== '');
const parsed = (i: number): ArchiveLine => archiveLineSchema.parse(JSON.parse(RAW_LINES[i]!));

// Fixture lines 0 and 5 are atsc/KTVU/2.1's first two epochs (…18:00:00 and …18:00:06, 6 s each);
// line 1 is atsc/KPIX/5.1's first epoch (same epoch id as line 0).
const KTVU0 = 0;
const KPIX0 = 1;
const KTVU1 = 5;

const NOW = 1_795_197_700n;
const MIN_DEADLINE = 60n;
const MAX_DEADLINE = 600n;
const DEADLINE = NOW + 300n;
const TOLERANCE = 2_000;

const hex32 = (n: number | bigint): Hex => `0x${n.toString(16).padStart(64, '0')}`;

/** Another witness's view of the same epoch: same content, its own clock and its own storage. */
function otherWitnessLine(line: ArchiveLine, jitterMs: number, locator: string): ArchiveLine {
  return { ...line, observedUnixMs: line.observedUnixMs + jitterMs, locator };
}

function ctxFor(own: OwnObservation, bases: Base[], over: Partial<VerifyContext> = {}): VerifyContext {
  return { own, bases, toleranceMs: TOLERANCE, nowSec: NOW, minDeadlineSec: MIN_DEADLINE, maxDeadlineSec: MAX_DEADLINE, ...over };
}

/** The candidate with some header fields replaced (nothing else is re-derived). */
function withHeader(c: Candidate, h: Partial<Candidate['header']>): Candidate {
  return { ...c, header: { ...c.header, ...h } };
}

beforeAll(async () => {
  await initKeccak();
});

describe('ownObservationOf', () => {
  it('derives the stream, epoch and slot hashes, the data root and the locator of the line', () => {
    const line = parsed(KTVU0);
    const own = ownObservationOf(line);
    expect(own.epoch).toEqual({ stream: 'atsc/KTVU/2.1', id: '2026-11-20T18:00:00.000Z', startUnixMs: 1795197600000, durationMs: 6000 });
    expect(own.streamHash).toBe(streamHashOf('atsc/KTVU/2.1'));
    expect(own.epochHash).toBe(epochHashOf('2026-11-20T18:00:00.000Z', 1795197600000, 6000));
    expect(own.slot).toBe(observationSlot(own.streamHash, own.epochHash));
    expect(own.dataRoot).toBe(dataRootOf(line));
    expect(own.observedUnixMs).toBe(1795197607023);
    expect(own.locator).toBe('s3://every-channel-archive/atsc/KTVU/2.1/2026-11-20/000000.m3u8');
  });
});

describe('proposeCandidate', () => {
  it('proposes a stream’s first observation at sequence 0 with a zero parent', () => {
    const own = ownObservationOf(parsed(KTVU0));
    const c = proposeCandidate(own, null, DEADLINE);
    expect(c).toEqual({
      header: {
        streamHash: own.streamHash,
        epochHash: own.epochHash,
        parentObservationHash: ZERO_HASH,
        dataRoot: own.dataRoot,
        locatorHash: locatorHashOf(own.locator),
        observedUnixMs: 1795197607023n,
        sequence: 0n,
      },
      locator: own.locator,
      epoch: own.epoch,
      deadline: DEADLINE,
    });
    expect(ZERO_HASH).toBe(`0x${'0'.repeat(64)}`);
    expect(candidateProblem(c)).toBeNull();
  });

  it('extends a base: parent = base.hash, sequence = base.sequence + 1', () => {
    const own = ownObservationOf(parsed(KTVU1));
    const base: Base = { hash: hex32(0xabcdef), sequence: 41n };
    const c = proposeCandidate(own, base, DEADLINE);
    expect(c.header.parentObservationHash).toBe(hex32(0xabcdef));
    expect(c.header.sequence).toBe(42n);
    expect(c.header.locatorHash).toBe(locatorHashOf('s3://every-channel-archive/atsc/KTVU/2.1/2026-11-20/000001.m3u8'));
    expect(c.deadline).toBe(DEADLINE);
  });

  it('locatorHash is keccak256 of the UTF-8 locator (differs for different locators)', () => {
    // keccak256("") is a well-known constant.
    expect(locatorHashOf('')).toBe('0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
    expect(locatorHashOf('s3://a/b')).not.toBe(locatorHashOf('s3://a/c'));
  });

  it('its hash is the ledger’s observationHash, and matches the archive derivation’s chain', async () => {
    const first = proposeCandidate(ownObservationOf(parsed(KTVU0)), null, DEADLINE);
    expect(candidateHash(first)).toBe(observationHash(first.header));
    const second = proposeCandidate(ownObservationOf(parsed(KTVU1)), { hash: candidateHash(first), sequence: 0n }, DEADLINE);
    expect(candidateHash(second)).toBe(observationHash(second.header));

    const d = await deriveArchive(RAW_LINES.slice(0, 6).join('\n'), 'head.jsonl');
    const ktvu = d.observations.filter((o) => o.stream === 'atsc/KTVU/2.1').map((o) => o.header);
    expect(ktvu).toEqual([first.header, second.header]);
  });
});

describe('verifyCandidate', () => {
  const setup = () => {
    const line = parsed(KTVU1);
    const own = ownObservationOf(line);
    const base: Base = { hash: hex32(7), sequence: 3n, epochEndUnixMs: line.epoch.startUnixMs };
    // Another witness saw the same epoch 1.5 s later and stored it elsewhere.
    const theirs = ownObservationOf(otherWitnessLine(line, 1_500, 'https://witness-2.example/archive/KTVU/000001.m3u8'));
    const candidate = proposeCandidate(theirs, base, DEADLINE);
    return { line, own, base, candidate };
  };

  it('accepts another witness’s candidate for the same line (jittered time, other locator)', () => {
    const { own, base, candidate } = setup();
    expect(candidate.locator).not.toBe(own.locator);
    expect(candidate.header.observedUnixMs).toBe(BigInt(own.observedUnixMs + 1_500));
    expect(verifyCandidate(candidate, ctxFor(own, [base]))).toBeNull();
    // Its own candidate, too.
    expect(verifyCandidate(proposeCandidate(own, base, DEADLINE), ctxFor(own, [base]))).toBeNull();
  });

  it('accepts a time difference of exactly the tolerance, either way, and refuses one more ms (observedTime)', () => {
    const { line, own, base } = setup();
    // Our own line was observed 1,095 ms after the epoch ended, so a 500 ms tolerance can be probed
    // on both sides without the candidate being observed before the epoch's end.
    expect(own.observedUnixMs - (line.epoch.startUnixMs + line.epoch.durationMs)).toBe(1_095);
    const T = 500;
    const ctx = ctxFor(own, [base], { toleranceMs: T });
    const at = (jitter: number) => proposeCandidate(ownObservationOf(otherWitnessLine(line, jitter, 's3://w/x')), base, DEADLINE);
    expect(verifyCandidate(at(T), ctx)).toBeNull();
    expect(verifyCandidate(at(-T), ctx)).toBeNull();
    expect(verifyCandidate(at(T + 1), ctx)).toEqual({
      reason: 'observedTime',
      detail: `candidate observed at ${own.observedUnixMs + T + 1}, ${T + 1} ms from our ${own.observedUnixMs} (tolerance ${T} ms)`,
      dissent: false,
    });
    expect(verifyCandidate(at(-T - 1), ctx)).toEqual({
      reason: 'observedTime',
      detail: `candidate observed at ${own.observedUnixMs - T - 1}, ${-T - 1} ms from our ${own.observedUnixMs} (tolerance ${T} ms)`,
      dissent: false,
    });
  });

  it('refuses different content with reason dataRoot, as a dissent', () => {
    const { line, own, base } = setup();
    const chunks = line.chunks.map((c, i) => (i === 1 ? { ...c, byteLength: c.byteLength + 1 } : c));
    const theirs = ownObservationOf({ ...line, chunks });
    const c = proposeCandidate(theirs, base, DEADLINE);
    expect(c.header.dataRoot).not.toBe(own.dataRoot);
    expect(verifyCandidate(c, ctxFor(own, [base]))).toEqual({
      reason: 'dataRoot',
      detail: `candidate dataRoot ${c.header.dataRoot} differs from ours ${own.dataRoot}`,
      dissent: true,
    });
    // A missing psipDigest is different content as well.
    const noPsip = proposeCandidate(ownObservationOf({ ...line, psipDigest: undefined }), base, DEADLINE);
    expect(verifyCandidate(noPsip, ctxFor(own, [base]))).toMatchObject({ reason: 'dataRoot', dissent: true });
  });

  it('refuses a candidate observed before its epoch ends with reason candidate (a face problem), even within tolerance', () => {
    const { own, base, candidate } = setup();
    const end = candidate.epoch.startUnixMs + candidate.epoch.durationMs;
    const early = withHeader(candidate, { observedUnixMs: BigInt(end - 1) });
    expect(verifyCandidate(early, ctxFor(own, [base], { toleranceMs: 1_000_000 }))).toEqual({
      reason: 'candidate',
      detail: 'observed before the epoch ends',
      dissent: false,
    });
    // Observed exactly at the end is fine on its face.
    expect(verifyCandidate(withHeader(candidate, { observedUnixMs: BigInt(end) }), ctxFor(own, [base], { toleranceMs: 1_000_000 }))).toBeNull();
  });

  it('refuses a locator that is not an absolute URI, or that does not match locatorHash (candidate)', () => {
    const { own, base, candidate } = setup();
    const refusal = { reason: 'candidate', detail: 'locator is not an absolute URI matching locatorHash', dissent: false };
    const relative = 'archive/KTVU/000001.m3u8';
    expect(verifyCandidate({ ...candidate, header: { ...candidate.header, locatorHash: locatorHashOf(relative) }, locator: relative }, ctxFor(own, [base]))).toEqual(refusal);
    const upper = 'S3://bucket/key';
    expect(verifyCandidate({ ...candidate, header: { ...candidate.header, locatorHash: locatorHashOf(upper) }, locator: upper }, ctxFor(own, [base]))).toEqual(refusal);
    // An absolute URI, but the header commits to another one.
    expect(verifyCandidate({ ...candidate, locator: 's3://bucket/other' }, ctxFor(own, [base]))).toEqual(refusal);
  });

  it('refuses a streamHash that does not match the epoch’s stream name (candidate)', () => {
    const { own, base, candidate } = setup();
    const renamed: Candidate = { ...candidate, epoch: { ...candidate.epoch, stream: 'atsc/KTVU/2.2' } };
    expect(verifyCandidate(renamed, ctxFor(own, [base]))).toEqual({
      reason: 'candidate',
      detail: 'streamHash does not match stream "atsc/KTVU/2.2"',
      dissent: false,
    });
    const epochEdited: Candidate = { ...candidate, epoch: { ...candidate.epoch, durationMs: 5_999 } };
    expect(verifyCandidate(epochEdited, ctxFor(own, [base]))).toEqual({ reason: 'candidate', detail: 'epochHash does not match the epoch', dissent: false });
  });

  it('refuses a consistent candidate for another epoch or another stream with reason epoch, naming both', () => {
    const { own, base } = setup();
    const previousEpoch = proposeCandidate(ownObservationOf(parsed(KTVU0)), null, DEADLINE);
    expect(verifyCandidate(previousEpoch, ctxFor(own, [base]))).toEqual({
      reason: 'epoch',
      detail: 'candidate is for atsc/KTVU/2.1 epoch "2026-11-20T18:00:00.000Z", not our atsc/KTVU/2.1 epoch "2026-11-20T18:00:06.000Z"',
      dissent: false,
    });
    const kpixOwn = ownObservationOf(parsed(KPIX0));
    const ktvu = proposeCandidate(ownObservationOf(parsed(KTVU0)), null, DEADLINE);
    const r = verifyCandidate(ktvu, ctxFor(kpixOwn, []));
    expect(r?.reason).toBe('epoch');
    expect(r?.dissent).toBe(false);
    expect(r?.detail).toBe('candidate is for atsc/KTVU/2.1 epoch "2026-11-20T18:00:00.000Z", not our atsc/KPIX/5.1 epoch "2026-11-20T18:00:00.000Z"');
  });

  it('does not refuse a candidate for its deadline: the voter signs a deadline of its own choosing (voteDeadline)', () => {
    const { own, base, candidate } = setup();
    expect(verifyCandidate({ ...candidate, deadline: 0n }, ctxFor(own, [base]))).toBeNull();
    const ctx = ctxFor(own, [base]);
    // The first preferred deadline within [now+min, now+max], edges included; else the fallback.
    expect(voteDeadline([NOW + MIN_DEADLINE], ctx, 7n)).toBe(NOW + MIN_DEADLINE);
    expect(voteDeadline([NOW + MAX_DEADLINE], ctx, 7n)).toBe(NOW + MAX_DEADLINE);
    expect(voteDeadline([NOW + MIN_DEADLINE - 1n, NOW + MAX_DEADLINE + 1n, NOW + 100n], ctx, 7n)).toBe(NOW + 100n);
    expect(voteDeadline([NOW + MIN_DEADLINE - 1n, 0n], ctx, 7n)).toBe(7n);
    expect(voteDeadline([], ctx, 7n)).toBe(7n);
  });

  it('checks the face of the candidate before anything else', () => {
    const { line, own, base } = setup();
    // Different content *and* a zero data root: the face problem wins.
    const c = proposeCandidate(ownObservationOf(line), base, DEADLINE);
    expect(verifyCandidate(withHeader(c, { dataRoot: ZERO_HASH }), ctxFor(own, [base]))).toEqual({ reason: 'candidate', detail: 'dataRoot is zero', dissent: false });
    // Different content with any deadline: dissent.
    const diff = withHeader(c, { dataRoot: hex32(1) });
    expect(verifyCandidate({ ...diff, deadline: 0n }, ctxFor(own, [base]))?.reason).toBe('dataRoot');
  });
});

describe('candidateProblem', () => {
  const good = () => proposeCandidate(ownObservationOf(parsed(KTVU1)), { hash: hex32(99), sequence: 0n }, DEADLINE);

  it('is null for a proposed candidate', () => {
    expect(candidateProblem(good())).toBeNull();
  });

  it('refuses a zero data root', () => {
    expect(candidateProblem(withHeader(good(), { dataRoot: ZERO_HASH }))).toBe('dataRoot is zero');
  });

  it('refuses a sequence and parent that cannot link', () => {
    const msg = 'sequence and parent cannot link (sequence 0 needs parent 0)';
    expect(candidateProblem(withHeader(good(), { sequence: 0n }))).toBe(msg);
    expect(candidateProblem(withHeader(good(), { parentObservationHash: ZERO_HASH }))).toBe(msg);
    expect(candidateProblem(withHeader(good(), { parentObservationHash: ZERO_HASH, sequence: 0n }))).toBeNull();
  });
});

describe('isAbsoluteUri', () => {
  it.each([
    ['s3://bucket/key', true],
    ['https://example.com/a?b#c', true],
    ['urn:isbn:0451450523', true],
    ['relative/path', false],
    ['/absolute/path', false],
    ['', false],
    ['HTTPS://example.com', false],
    [`s3://b/${'k'.repeat(2048 - 7)}`, true],
    [`s3://b/${'k'.repeat(2048 - 6)}`, false],
  ])('%j → %s', (s, ok) => {
    expect(isAbsoluteUri(s)).toBe(ok);
  });
});

describe('proposerOrder', () => {
  const members = [0, 1, 2, 3, 5, 8, 13];
  const slots = Array.from({ length: 8 }, (_, i) => observationSlot(hex32(i + 1), hex32(1000 + i)));

  it('is a permutation of the members, deterministic and independent of their input order', () => {
    for (const slot of slots) {
      const order = proposerOrder(slot, members);
      expect([...order].sort((a, b) => a - b)).toEqual(members);
      expect(proposerOrder(slot, members)).toEqual(order);
      expect(proposerOrder(slot, [...members].reverse())).toEqual(order);
      expect(proposerOrder(slot, [13, 2, 0, 8, 1, 5, 3])).toEqual(order);
    }
  });

  it('differs across slots (the designated proposer rotates)', () => {
    const orders = slots.map((s) => proposerOrder(s, members).join(','));
    expect(new Set(orders).size).toBeGreaterThan(1);
    expect(new Set(slots.map((s) => proposerOrder(s, members)[0])).size).toBeGreaterThan(1);
  });

  it('handles one member and no members', () => {
    expect(proposerOrder(slots[0]!, [7])).toEqual([7]);
    expect(proposerOrder(slots[0]!, [])).toEqual([]);
  });

  it('does not depend on the other members: removing one keeps the others’ relative order', () => {
    const slot = slots[3]!;
    const full = proposerOrder(slot, members);
    const without = proposerOrder(slot, members.filter((m) => m !== 5));
    expect(without).toEqual(full.filter((m) => m !== 5));
  });
});

describe('wire form', () => {
  const candidate = () => proposeCandidate(ownObservationOf(parsed(KTVU1)), { hash: hex32(0x1234), sequence: 17n }, 18_446_744_073_709_551_615n);
  const sig = { witnessIndex: 3, r: hex32(0xaa), vs: hex32(0xbb) };

  it('round-trips a candidate through JSON, restoring the bigints', () => {
    const c = candidate();
    const json = JSON.stringify(candidateToWire(c));
    const back = candidateWire.parse(JSON.parse(json));
    expect(back).toEqual(c);
    expect(typeof back.header.sequence).toBe('bigint');
    expect(back.header.sequence).toBe(18n);
    expect(back.deadline).toBe(2n ** 64n - 1n);
    expect(candidateHash(back)).toBe(candidateHash(c));
  });

  it('refuses a uint64 that overflows, a leading zero, or a number instead of a string', () => {
    const w = candidateToWire(candidate());
    expect(candidateWire.safeParse({ ...w, deadline: (2n ** 64n).toString() }).success).toBe(false);
    expect(candidateWire.safeParse({ ...w, deadline: '0123' }).success).toBe(false);
    expect(candidateWire.safeParse({ ...w, deadline: 123 }).success).toBe(false);
    expect(candidateWire.safeParse({ ...w, header: { ...w.header, dataRoot: w.header.dataRoot.toUpperCase().replace('0X', '0x') } }).success).toBe(false);
    expect(candidateWire.safeParse({ ...w, epoch: { ...w.epoch, extra: 1 } }).success).toBe(false);
  });

  it('signOffWire accepts a sign-off and refuses an extra field, a non-hex r, a witnessIndex of 256', () => {
    const w = candidateToWire(candidate());
    const ok = signOffWire.safeParse(JSON.parse(JSON.stringify({ candidate: w, signature: sig })));
    expect(ok.success).toBe(true);
    expect(ok.data?.signature).toEqual(sig);
    expect(signOffWire.safeParse({ candidate: w, signature: sig, extra: true }).success).toBe(false);
    expect(signOffWire.safeParse({ candidate: w, signature: { ...sig, extra: true } }).success).toBe(false);
    expect(signOffWire.safeParse({ candidate: w, signature: { ...sig, r: `0x${'zz'.repeat(32)}` } }).success).toBe(false);
    expect(signOffWire.safeParse({ candidate: w, signature: { ...sig, r: `0x${'aa'.repeat(31)}` } }).success).toBe(false);
    expect(signOffWire.safeParse({ candidate: w, signature: { ...sig, witnessIndex: 256 } }).success).toBe(false);
    expect(signOffWire.safeParse({ candidate: w, signature: { ...sig, witnessIndex: 255 } }).success).toBe(true);
  });

  it('proposalWire accepts a 65-byte signature and refuses a 64-byte one', () => {
    const w = candidateToWire(candidate());
    expect(proposalWire.safeParse({ candidate: w, proposer: 2, signature: `0x${'ab'.repeat(65)}` }).success).toBe(true);
    expect(proposalWire.safeParse({ candidate: w, proposer: 2, signature: `0x${'ab'.repeat(64)}` }).success).toBe(false);
    expect(proposalWire.safeParse({ candidate: w, proposer: 256, signature: `0x${'ab'.repeat(65)}` }).success).toBe(false);
  });
});
