import type { Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import { ZERO_HASH, type Candidate } from '../protocol/candidate.js';
import type { Head } from '../protocol/chain-view.js';
import type { WitnessSignature } from '../signoff.js';
import { buildBatch, CandidateStore, type StoredCandidate, type Vote } from './store.js';

// The store does not check candidates: arbitrary 32-byte values stand in for every hash.
const hex32 = (n: number | bigint): Hex => `0x${n.toString(16).padStart(64, '0')}`;

const STREAM_A = hex32(0xa0);
const STREAM_B = hex32(0xb0);
const NOW = 1_800_000_000n;
const MARGIN = 30n;
const LIVE = NOW + 600n;

interface Spec {
  stream: Hex;
  parent: Hex;
  sequence: bigint;
  startUnixMs?: number;
  deadline?: bigint;
  /** Distinguishes competing candidates for one slot. */
  variant?: number;
}

/** A candidate, its (made-up) hash and its slot (one slot per stream and sequence here). */
function make(s: Spec): { candidate: Candidate; hash: Hex; slot: Hex } {
  const tag = (Number(BigInt(s.stream) & 0xffn) << 24) + Number(s.sequence) * 16 + (s.variant ?? 0);
  const startUnixMs = s.startUnixMs ?? 1_795_197_600_000 + Number(s.sequence) * 6_000;
  const candidate: Candidate = {
    header: {
      streamHash: s.stream,
      epochHash: hex32(0xe000_0000 + tag),
      parentObservationHash: s.parent,
      dataRoot: hex32(0xd000_0000 + tag),
      locatorHash: hex32(0xc000_0000 + tag),
      observedUnixMs: BigInt(startUnixMs + 7_000),
      sequence: s.sequence,
    },
    locator: `s3://bucket/${tag}`,
    epoch: { stream: `atsc/${s.stream.slice(-2)}/1`, id: `epoch-${s.sequence}`, startUnixMs, durationMs: 6_000 },
    deadline: s.deadline ?? LIVE,
  };
  return { candidate, hash: hex32(0x4a5400000000n + BigInt(tag)), slot: hex32(0x510700000000n + BigInt(tag - (s.variant ?? 0))) };
}

const sig = (witnessIndex: number): WitnessSignature => ({ witnessIndex, r: hex32(0x7000 + witnessIndex), vs: hex32(0x8000 + witnessIndex) });

/** Members of the ledger in these tests (their shares of the store's places follow from it). */
const MEMBERS = 8;
const PSIG: Hex = `0x${'ab'.repeat(65)}`;
const vote = (witnessIndex: number, deadline: bigint = LIVE): Vote => ({ ...sig(witnessIndex), deadline });

function signedBy(store: CandidateStore, c: ReturnType<typeof make>, indices: number[], nowMs = 0, deadline = c.candidate.deadline): void {
  for (const i of indices) expect(store.addVote(c.candidate, c.hash, c.slot, vote(i, deadline), nowMs, MEMBERS)).toBe('signed');
}
const propose = (store: CandidateStore, c: ReturnType<typeof make>, proposer: number, nowMs = 0) => store.addProposal(c.candidate, c.hash, c.slot, proposer, PSIG, nowMs, MEMBERS);

const headOf = (c: ReturnType<typeof make>): Head => ({ hash: c.hash, sequence: c.candidate.header.sequence, header: c.candidate.header });
const headAt = (hash: Hex, sequence: bigint, stream: Hex): Head => ({ hash, sequence, header: make({ stream, parent: hex32(1), sequence }).candidate.header });

const everyone = () => true;
const big = () => new CandidateStore({ maxSlots: 800, maxCandidates: 800, candidatesPerMemberPerSlot: 4, slotTtlMs: 60_000 });
const summary = (items: { stored: StoredCandidate; signatures: WitnessSignature[] }[]) =>
  items.map((x) => ({ hash: x.stored.hash, signers: x.signatures.map((s) => s.witnessIndex) }));

describe('CandidateStore', () => {
  it('records proposals and votes, each vote with its own deadline, reporting duplicates', () => {
    const store = big();
    const c = make({ stream: STREAM_A, parent: ZERO_HASH, sequence: 0n });
    expect(store.slotCount).toBe(0);
    expect(store.candidateCount).toBe(0);
    expect(propose(store, c, 2, 1_000)).toBe('proposed');
    expect(propose(store, c, 2, 2_000)).toBe('duplicate');
    expect(propose(store, c, 5, 3_000)).toBe('proposed');
    expect(store.addVote(c.candidate, c.hash, c.slot, vote(2), 4_000, MEMBERS)).toBe('signed');
    // One vote per member per candidate: the first valid one is kept, whatever deadline comes next.
    expect(store.addVote(c.candidate, c.hash, c.slot, { ...vote(2, LIVE + 1n), r: hex32(1) }, 5_000, MEMBERS)).toBe('duplicate');
    expect(store.addVote(c.candidate, c.hash, c.slot, vote(0, LIVE + 7n), 6_000, MEMBERS)).toBe('signed');
    expect(store.slotCount).toBe(1);
    expect(store.candidateCount).toBe(1);
    expect(store.has(c.slot, c.hash, 2, 'vote')).toBe(true);
    expect(store.has(c.slot, c.hash, 3, 'vote')).toBe(false);
    expect(store.has(c.slot, c.hash, 5, 'proposal')).toBe(true);

    const [stored, ...rest] = store.candidatesFor(c.slot);
    expect(rest).toEqual([]);
    expect(stored!.hash).toBe(c.hash);
    expect(stored!.slot).toBe(c.slot);
    expect(stored!.candidate).toBe(c.candidate);
    expect(stored!.firstSeenMs).toBe(1_000);
    expect(stored!.introducedBy).toBe(2);
    expect([...stored!.proposals.keys()]).toEqual([2, 5]);
    expect(stored!.votes.get(2)).toEqual(vote(2));
    expect(stored!.votes.get(0)!.deadline).toBe(LIVE + 7n);
    expect(store.candidatesFor(hex32(0xdead))).toEqual([]);
  });

  it('gives each member its own share of places: one member filling a slot leaves the others room', () => {
    const store = new CandidateStore({ maxSlots: 40, maxCandidates: 40, candidatesPerMemberPerSlot: 2, slotTtlMs: 60_000 });
    const [c0, c1, c2, c3] = [0, 1, 2, 3].map((variant) => make({ stream: STREAM_A, parent: ZERO_HASH, sequence: 0n, variant }));
    expect(c0!.slot).toBe(c3!.slot);
    expect(propose(store, c0!, 1)).toBe('proposed');
    expect(store.addVote(c1!.candidate, c1!.hash, c1!.slot, vote(1), 0, MEMBERS)).toBe('signed');
    // Member 1 has brought in its 2 candidates for this slot…
    expect(store.room(c2!.slot, c2!.hash, 1, MEMBERS)).toBe('member-slot-full');
    expect(propose(store, c2!, 1)).toBe('member-slot-full');
    // …but may still vote for or propose what is already here,
    expect(store.addVote(c0!.candidate, c0!.hash, c0!.slot, vote(1), 0, MEMBERS)).toBe('signed');
    // and member 3 still has its own places.
    expect(propose(store, c2!, 3)).toBe('proposed');
    expect(store.addVote(c3!.candidate, c3!.hash, c3!.slot, vote(3), 0, MEMBERS)).toBe('signed');
    expect(store.candidateCount).toBe(4);
    expect(store.slotCount).toBe(1);
    // The refused candidate left no trace in the parent index.
    expect(store.extending(c0!.candidate.header.streamHash, ZERO_HASH, 0n).map((s) => s.introducedBy)).toEqual([1, 1, 3, 3]);
    expect(store.genesisStreams()).toEqual([c0!.candidate.header.streamHash]);
  });

  it('bounds the slots and candidates each member opens (maxSlots / members), without touching the others', () => {
    const store = new CandidateStore({ maxSlots: 16, maxCandidates: 24, candidatesPerMemberPerSlot: 4, slotTtlMs: 60_000 });
    // 8 members: 2 slots and 3 candidates each.
    const slots = [0n, 1n, 2n].map((sequence) => make({ stream: STREAM_A, parent: hex32(100n + sequence), sequence }));
    expect(propose(store, slots[0]!, 6)).toBe('proposed');
    expect(propose(store, slots[1]!, 6)).toBe('proposed');
    expect(propose(store, slots[2]!, 6)).toBe('member-slots-full');
    const more = make({ stream: STREAM_A, parent: hex32(100n), sequence: 0n, variant: 1 });
    expect(propose(store, more, 6)).toBe('proposed');
    const yetMore = make({ stream: STREAM_A, parent: hex32(100n), sequence: 0n, variant: 2 });
    expect(propose(store, yetMore, 6)).toBe('member-candidates-full');
    expect(propose(store, slots[2]!, 0)).toBe('proposed');
    // Settling gives the places back.
    store.settle(slots[0]!.slot);
    expect(propose(store, yetMore, 6)).toBe('proposed');
    expect(store.slotCount).toBe(3);
  });

  it('expires slots first seen longer ago than the TTL, oldest first, counting them', () => {
    const store = new CandidateStore({ maxSlots: 80, maxCandidates: 80, candidatesPerMemberPerSlot: 4, slotTtlMs: 1_000 });
    const [s0, s1, s2] = [0n, 1n, 2n].map((sequence) => make({ stream: STREAM_A, parent: hex32(100n + sequence), sequence }));
    propose(store, s0!, 0, 0);
    propose(store, s1!, 0, 500);
    // Touching the oldest slot again does not make it younger.
    signedBy(store, s0!, [1], 900);
    propose(store, s2!, 0, 2_000);
    expect(store.expire(1_000)).toBe(0);
    expect(store.expire(1_001)).toBe(1);
    expect(store.candidatesFor(s0!.slot)).toEqual([]);
    expect(store.extending(s0!.candidate.header.streamHash, hex32(100n), 0n)).toEqual([]);
    expect(store.expire(2_600)).toBe(1);
    expect(store.expired).toBe(2);
    expect(store.slotCount).toBe(1);
    expect(store.candidateCount).toBe(1);
  });

  it('settle forgets a slot and its parent-index entries, leaving other slots alone', () => {
    const store = big();
    const parent = hex32(0x99);
    const a = make({ stream: STREAM_A, parent, sequence: 5n });
    const a2 = make({ stream: STREAM_A, parent, sequence: 5n, variant: 1 });
    const b = make({ stream: STREAM_B, parent, sequence: 5n });
    propose(store, a, 0);
    propose(store, a2, 1);
    propose(store, b, 0);
    const [A, B] = [a.candidate.header.streamHash, b.candidate.header.streamHash];
    expect(store.extending(A, parent, 5n).map((s) => s.hash)).toEqual([a.hash, a2.hash]);
    expect(store.extending(B, parent, 5n).map((s) => s.hash)).toEqual([b.hash]);
    store.settle(a.slot);
    expect(store.slotCount).toBe(1);
    expect(store.candidateCount).toBe(1);
    expect(store.candidatesFor(a.slot)).toEqual([]);
    expect(store.extending(A, parent, 5n)).toEqual([]);
    expect(store.extending(B, parent, 5n).map((s) => s.hash)).toEqual([b.hash]);
    store.settle(a.slot); // already gone: nothing happens
    store.settle(b.slot);
    expect(store.extending(B, parent, 5n)).toEqual([]);
    expect(store.slotCount).toBe(0);
    expect(store.expired).toBe(0);
    // A settled slot can come back (a late re-post), as a fresh entry.
    expect(store.addVote(a.candidate, a.hash, a.slot, vote(0), 9, MEMBERS)).toBe('signed');
    expect(store.candidatesFor(a.slot)[0]!.firstSeenMs).toBe(9);
  });

  it('extending keeps to the stream, filters by sequence and orders by epoch start', () => {
    const store = big();
    const parent = hex32(0x77);
    const late = make({ stream: STREAM_A, parent, sequence: 3n, startUnixMs: 2_000_000_000_000 });
    const early = make({ stream: STREAM_A, parent, sequence: 3n, variant: 1, startUnixMs: 1_000_000_000_000 });
    const otherStream = make({ stream: STREAM_B, parent, sequence: 3n });
    const otherSeq = make({ stream: STREAM_A, parent, sequence: 4n });
    for (const c of [late, early, otherStream, otherSeq]) propose(store, c, 0);
    const A = late.candidate.header.streamHash;
    expect(store.extending(A, parent, 3n).map((s) => s.hash)).toEqual([early.hash, late.hash]);
    expect(store.extending(A, parent, 4n).map((s) => s.hash)).toEqual([otherSeq.hash]);
    expect(store.extending(A, parent, 5n)).toEqual([]);
    expect(store.extending(otherStream.candidate.header.streamHash, parent, 3n).map((s) => s.hash)).toEqual([otherStream.hash]);
  });

  it('settling every slot leaves no parent-index keys behind', () => {
    const store = big();
    const slots: Hex[] = [];
    for (let i = 0; i < 50; i++) {
      const c = make({ stream: STREAM_A, parent: hex32(1000 + i), sequence: BigInt(i + 1) });
      propose(store, c, i % MEMBERS);
      slots.push(c.slot);
    }
    for (const slot of slots) store.settle(slot);
    expect(store.slotCount).toBe(0);
    expect((store as unknown as { byParent: Map<Hex, Set<unknown>> }).byParent.size).toBe(0);
  });
});

describe('buildBatch', () => {
  /** Stream A's head at sequence 4, and candidates for sequences 5 and 6 chaining from it. */
  function chainFromHead() {
    const store = big();
    const head = headAt(hex32(0x4ead), 4n, STREAM_A);
    const c5 = make({ stream: STREAM_A, parent: head.hash, sequence: 5n });
    const c6 = make({ stream: STREAM_A, parent: c5.hash, sequence: 6n });
    return { store, head, c5, c6, heads: new Map([[STREAM_A, head]]) };
  }

  it('returns the chain extending the head, in order, each with exactly quorum signatures sorted by index', () => {
    const { store, heads, c5, c6 } = chainFromHead();
    // Insert the later link first, and sign out of index order.
    signedBy(store, c6, [4, 1, 3, 0]);
    signedBy(store, c5, [2, 0, 3]);
    const items = buildBatch(store, heads, everyone, 2, NOW, MARGIN, 10);
    expect(summary(items)).toEqual([
      { hash: c5.hash, signers: [0, 2] },
      { hash: c6.hash, signers: [0, 1] },
    ]);
    expect(items[0]!.signatures).toEqual([sig(0), sig(2)]);
    expect(items[0]!.stored.candidate).toBe(c5.candidate);
    // Quorum 3 takes three of each.
    expect(summary(buildBatch(store, heads, everyone, 3, NOW, MARGIN, 10))).toEqual([
      { hash: c5.hash, signers: [0, 2, 3] },
      { hash: c6.hash, signers: [0, 1, 3] },
    ]);
  });

  it('stops the chain at a candidate lacking quorum', () => {
    const { store, heads, c5, c6 } = chainFromHead();
    signedBy(store, c5, [0, 1]);
    signedBy(store, c6, [0]);
    propose(store, c6, 1); // a proposal is not a vote
    expect(summary(buildBatch(store, heads, everyone, 2, NOW, MARGIN, 10))).toEqual([{ hash: c5.hash, signers: [0, 1] }]);
    // And nothing follows a gap: 6 has quorum, 5 does not.
    const g = chainFromHead();
    signedBy(g.store, g.c5, [0]);
    signedBy(g.store, g.c6, [0, 1]);
    expect(buildBatch(g.store, g.heads, everyone, 2, NOW, MARGIN, 10)).toEqual([]);
  });

  it('counts only current members’ signatures', () => {
    const { store, heads, c5, c6 } = chainFromHead();
    signedBy(store, c5, [0, 1, 7]);
    signedBy(store, c6, [1, 7, 9]);
    const isMember = (i: number) => i < 5;
    expect(summary(buildBatch(store, heads, isMember, 2, NOW, MARGIN, 10))).toEqual([{ hash: c5.hash, signers: [0, 1] }]);
    expect(summary(buildBatch(store, heads, isMember, 3, NOW, MARGIN, 10))).toEqual([]);
    // Members only, but the non-member would have sorted first.
    const m = chainFromHead();
    signedBy(m.store, m.c5, [0, 2, 3]);
    expect(summary(buildBatch(m.store, m.heads, (i) => i !== 0, 2, NOW, MARGIN, 10))).toEqual([{ hash: m.c5.hash, signers: [2, 3] }]);
  });

  it('leaves out a candidate whose deadline is closer than the margin (exactly the margin is fine)', () => {
    const store = big();
    const head = headAt(hex32(0x4ead), 4n, STREAM_A);
    const heads = new Map([[STREAM_A, head]]);
    const edge = make({ stream: STREAM_A, parent: head.hash, sequence: 5n, deadline: NOW + MARGIN });
    signedBy(store, edge, [0, 1]);
    expect(summary(buildBatch(store, heads, everyone, 2, NOW, MARGIN, 10))).toEqual([{ hash: edge.hash, signers: [0, 1] }]);
    expect(buildBatch(store, heads, everyone, 2, NOW, MARGIN, 10)[0]!.deadline).toBe(NOW + MARGIN);
    expect(buildBatch(store, heads, everyone, 2, NOW + 1n, MARGIN, 10)).toEqual([]);

    const soon = big();
    const c = make({ stream: STREAM_A, parent: head.hash, sequence: 5n, deadline: NOW + MARGIN - 1n });
    signedBy(soon, c, [0, 1, 2]);
    expect(buildBatch(soon, heads, everyone, 2, NOW, MARGIN, 10)).toEqual([]);
  });

  it('prefers a ready competitor for the slot over one that is not ready, and the earlier epoch among ready ones', () => {
    const { store, heads, head } = chainFromHead();
    const expired = make({ stream: STREAM_A, parent: head.hash, sequence: 5n, variant: 0, startUnixMs: 1_000, deadline: NOW });
    const ok = make({ stream: STREAM_A, parent: head.hash, sequence: 5n, variant: 1, startUnixMs: 2_000 });
    const okLater = make({ stream: STREAM_A, parent: head.hash, sequence: 5n, variant: 2, startUnixMs: 3_000 });
    signedBy(store, okLater, [0, 1]);
    signedBy(store, expired, [0, 1, 2]);
    signedBy(store, ok, [2, 3]);
    expect(summary(buildBatch(store, heads, everyone, 2, NOW, MARGIN, 10))).toEqual([{ hash: ok.hash, signers: [2, 3] }]);
  });

  it('includes a stream’s first observation (parent zero, sequence 0) when the stream has no head', () => {
    const store = big();
    const first = make({ stream: STREAM_B, parent: ZERO_HASH, sequence: 0n });
    const second = make({ stream: STREAM_B, parent: first.hash, sequence: 1n });
    signedBy(store, first, [1, 2]);
    signedBy(store, second, [0, 2]);
    expect(summary(buildBatch(store, new Map(), everyone, 2, NOW, MARGIN, 10))).toEqual([
      { hash: first.hash, signers: [1, 2] },
      { hash: second.hash, signers: [0, 2] },
    ]);
    // Once the stream has a head, a stale sequence-0 candidate is not offered again.
    const heads = new Map([[STREAM_B, headOf(first)]]);
    expect(summary(buildBatch(store, heads, everyone, 2, NOW, MARGIN, 10))).toEqual([{ hash: second.hash, signers: [0, 2] }]);
  });

  it('progresses two streams in one batch, and maxItems caps the total', () => {
    const { store, heads, c5, c6 } = chainFromHead();
    const b0 = make({ stream: STREAM_B, parent: ZERO_HASH, sequence: 0n });
    const b1 = make({ stream: STREAM_B, parent: b0.hash, sequence: 1n });
    for (const c of [c5, c6, b0, b1]) signedBy(store, c, [0, 1]);
    const all = buildBatch(store, heads, everyone, 2, NOW, MARGIN, 10);
    expect(all).toHaveLength(4);
    // Heads' streams first (map order), then streams that start from zero.
    expect(all.map((x) => x.stored.hash)).toEqual([c5.hash, c6.hash, b0.hash, b1.hash]);

    expect(buildBatch(store, heads, everyone, 2, NOW, MARGIN, 3).map((x) => x.stored.hash)).toEqual([c5.hash, c6.hash, b0.hash]);
    expect(buildBatch(store, heads, everyone, 2, NOW, MARGIN, 1).map((x) => x.stored.hash)).toEqual([c5.hash]);
    expect(buildBatch(store, heads, everyone, 2, NOW, MARGIN, 0)).toEqual([]);

    // Both streams with heads.
    const both = new Map([
      [STREAM_A, heads.get(STREAM_A)!],
      [STREAM_B, headOf(b0)],
    ]);
    expect(buildBatch(store, both, everyone, 2, NOW, MARGIN, 10).map((x) => x.stored.hash)).toEqual([c5.hash, c6.hash, b1.hash]);
  });

  it('does not use a candidate that extends a stream’s head but is for another stream', () => {
    const { store, heads, head, c5 } = chainFromHead();
    const impostor = make({ stream: STREAM_B, parent: head.hash, sequence: 5n });
    signedBy(store, impostor, [0, 1, 2]);
    expect(buildBatch(store, heads, everyone, 2, NOW, MARGIN, 10)).toEqual([]);
    signedBy(store, c5, [1, 2]);
    expect(summary(buildBatch(store, heads, everyone, 2, NOW, MARGIN, 10))).toEqual([{ hash: c5.hash, signers: [1, 2] }]);
  });

  it('does not use a candidate at the wrong sequence for its parent', () => {
    const { store, heads, head } = chainFromHead();
    const skipAhead = make({ stream: STREAM_A, parent: head.hash, sequence: 6n });
    signedBy(store, skipAhead, [0, 1]);
    expect(buildBatch(store, heads, everyone, 2, NOW, MARGIN, 10)).toEqual([]);
  });

  it('groups votes by the deadline each was signed over: one entry per deadline, the completing group last', () => {
    const { store, heads, c5, c6 } = chainFromHead();
    // Two honest proposers derived the same header and signed it under their own deadlines.
    signedBy(store, c5, [0], 0, LIVE + 5n);
    signedBy(store, c5, [3, 1], 0, LIVE);
    signedBy(store, c6, [2, 4], 0, LIVE + 9n);
    const items = buildBatch(store, heads, everyone, 3, NOW, MARGIN, 10);
    expect(items.map((i) => ({ hash: i.stored.hash, deadline: i.deadline, signers: i.signatures.map((s) => s.witnessIndex) }))).toEqual([
      { hash: c5.hash, deadline: LIVE + 5n, signers: [0] },
      { hash: c5.hash, deadline: LIVE, signers: [1, 3] },
    ]);
    // A group too close to its deadline does not count.
    expect(buildBatch(store, heads, everyone, 3, LIVE + 5n - MARGIN + 1n, MARGIN, 10)).toEqual([]);
    // A single group that holds a quorum goes alone; a candidate's entries never split across the cap.
    signedBy(store, c5, [4], 0, LIVE);
    expect(summary(buildBatch(store, heads, everyone, 3, NOW, MARGIN, 10))).toEqual([{ hash: c5.hash, signers: [1, 3, 4] }]);
    const two = chainFromHead();
    signedBy(two.store, two.c5, [0], 0, LIVE + 1n);
    signedBy(two.store, two.c5, [1, 2], 0, LIVE + 2n);
    expect(buildBatch(two.store, two.heads, everyone, 3, NOW, MARGIN, 1)).toEqual([]);
    expect(buildBatch(two.store, two.heads, everyone, 3, NOW, MARGIN, 2)).toHaveLength(2);
    expect(c6.candidate.header.sequence).toBe(6n);
  });

  it('returns nothing for a quorum of 0 (no membership yet)', () => {
    const { store, heads, c5 } = chainFromHead();
    signedBy(store, c5, [0, 1]);
    expect(buildBatch(store, heads, everyone, 0, NOW, MARGIN, 10)).toEqual([]);
  });
});
