// The relayer's memory: candidates, the members' proposals of them, and the members' verified votes,
// each vote with the exact deadline it was signed over. Bounded per member (nobody can take another
// member's places), and slots expire. Losing it is harmless: witnesses re-post whatever is not final.
import type { Hex } from 'viem';
import type { Candidate } from '../protocol/candidate.js';
import { ZERO_HASH } from '../protocol/candidate.js';
import type { WitnessSignature } from '../signoff.js';
import type { Head } from '../protocol/chain-view.js';

/** One member's vote: its EIP-712 sign-off on the candidate's hash under this deadline. */
export interface Vote extends WitnessSignature {
  deadline: bigint;
}

export interface StoredCandidate {
  /** As first seen (its deadline is only the deadline its first poster suggested; votes carry their
   *  own). */
  candidate: Candidate;
  hash: Hex;
  slot: Hex;
  /** The member whose post brought it in: it takes one of that member's places. */
  introducedBy: number;
  /** Proposer index → its proposal signature (65 bytes). */
  proposals: Map<number, Hex>;
  /** Member index → its vote: the first valid one (a member votes once per candidate). */
  votes: Map<number, Vote>;
  firstSeenMs: number;
}

export interface StoreLimits {
  /** Slots held at once, all members together. Each member may open at most its share of them. */
  maxSlots: number;
  /** Candidates held at once, all members together; each member brings in at most its share. */
  maxCandidates: number;
  /** Candidates one member may bring into one slot. */
  candidatesPerMemberPerSlot: number;
  /** A slot is forgotten this long after it was first seen, final or not. */
  slotTtlMs: number;
}

export const DEFAULT_STORE_LIMITS: StoreLimits = { maxSlots: 20_000, maxCandidates: 20_000, candidatesPerMemberPerSlot: 4, slotTtlMs: 15 * 60_000 };

export type AddResult = 'proposed' | 'signed' | 'duplicate';
/** Why a post cannot be taken now: the member has used its share of places. */
export type Full = 'member-slots-full' | 'member-slot-full' | 'member-candidates-full';

interface SlotEntry {
  candidates: Map<Hex, StoredCandidate>;
  firstSeenMs: number;
  openedBy: number;
}

export class CandidateStore {
  private readonly slots = new Map<Hex, SlotEntry>();
  /** Candidates by stream and parent (every stream's first observation has the zero parent, so the
   *  stream is part of the key: finding one stream's next candidate never scans the others'). */
  private readonly byParent = new Map<string, Set<StoredCandidate>>();
  /** Streams with a candidate at sequence 0 (a first observation). */
  private readonly genesis = new Map<Hex, number>();
  /** Per member: slots it opened, candidates it brought in. */
  private readonly slotsOf = new Map<number, number>();
  private readonly candidatesOf = new Map<number, number>();
  private candidates = 0;
  expired = 0;

  constructor(readonly limits: StoreLimits) {}

  get slotCount(): number {
    return this.slots.size;
  }

  get candidateCount(): number {
    return this.candidates;
  }

  /** A member's share of a limit, with `members` current members. */
  private share(limit: number, members: number): number {
    return Math.max(1, Math.floor(limit / Math.max(1, members)));
  }

  /** Whether `member` may bring `hash` into `slot` now (null), or which of its shares is used up.
   *  Cheap: callers ask before they verify a signature. */
  room(slot: Hex, hash: Hex, member: number, members: number): Full | null {
    const entry = this.slots.get(slot);
    if (entry?.candidates.has(hash)) return null;
    if (!entry && (this.slotsOf.get(member) ?? 0) >= this.share(this.limits.maxSlots, members)) return 'member-slots-full';
    if ((this.candidatesOf.get(member) ?? 0) >= this.share(this.limits.maxCandidates, members)) return 'member-candidates-full';
    if (entry && [...entry.candidates.values()].filter((c) => c.introducedBy === member).length >= this.limits.candidatesPerMemberPerSlot) return 'member-slot-full';
    return null;
  }

  /** Whether the member already voted for (or proposed) the candidate: a repeat needs no check. */
  has(slot: Hex, hash: Hex, member: number, kind: 'vote' | 'proposal'): boolean {
    const c = this.slots.get(slot)?.candidates.get(hash);
    return kind === 'vote' ? Boolean(c?.votes.has(member)) : Boolean(c?.proposals.has(member));
  }

  /** Records a verified vote; a candidate the member has no place for is not taken (the share that
   *  is used up comes back). */
  addVote(candidate: Candidate, hash: Hex, slot: Hex, vote: Vote, nowMs: number, members: number): AddResult | Full {
    const stored = this.entry(candidate, hash, slot, vote.witnessIndex, nowMs, members);
    if (typeof stored === 'string') return stored;
    if (stored.votes.has(vote.witnessIndex)) return 'duplicate';
    stored.votes.set(vote.witnessIndex, vote);
    return 'signed';
  }

  /** Records a verified proposal by `proposer`. */
  addProposal(candidate: Candidate, hash: Hex, slot: Hex, proposer: number, signature: Hex, nowMs: number, members: number): AddResult | Full {
    const stored = this.entry(candidate, hash, slot, proposer, nowMs, members);
    if (typeof stored === 'string') return stored;
    if (stored.proposals.has(proposer)) return 'duplicate';
    stored.proposals.set(proposer, signature);
    return 'proposed';
  }

  private entry(candidate: Candidate, hash: Hex, slot: Hex, member: number, nowMs: number, members: number): StoredCandidate | Full {
    const full = this.room(slot, hash, member, members);
    if (full) return full;
    let entry = this.slots.get(slot);
    if (!entry) {
      entry = { candidates: new Map(), firstSeenMs: nowMs, openedBy: member };
      this.slots.set(slot, entry);
      this.slotsOf.set(member, (this.slotsOf.get(member) ?? 0) + 1);
    }
    let stored = entry.candidates.get(hash);
    if (!stored) {
      stored = { candidate, hash, slot, introducedBy: member, proposals: new Map(), votes: new Map(), firstSeenMs: nowMs };
      entry.candidates.set(hash, stored);
      this.candidates++;
      this.candidatesOf.set(member, (this.candidatesOf.get(member) ?? 0) + 1);
      const key = parentKey(candidate);
      this.byParent.set(key, (this.byParent.get(key) ?? new Set()).add(stored));
      if (candidate.header.parentObservationHash === ZERO_HASH) this.genesis.set(candidate.header.streamHash, (this.genesis.get(candidate.header.streamHash) ?? 0) + 1);
    }
    return stored;
  }

  candidatesFor(slot: Hex): StoredCandidate[] {
    return [...(this.slots.get(slot)?.candidates.values() ?? [])];
  }

  hasSlot(slot: Hex): boolean {
    return this.slots.has(slot);
  }

  /** Forgets a slot (final on chain, or expired), giving its places back to their members. */
  settle(slot: Hex): void {
    const entry = this.slots.get(slot);
    if (!entry) return;
    for (const c of entry.candidates.values()) {
      const key = parentKey(c.candidate);
      const siblings = this.byParent.get(key);
      siblings?.delete(c);
      if (siblings?.size === 0) this.byParent.delete(key);
      if (c.candidate.header.parentObservationHash === ZERO_HASH) decrementHex(this.genesis, c.candidate.header.streamHash);
      this.candidates--;
      decrement(this.candidatesOf, c.introducedBy);
    }
    decrement(this.slotsOf, entry.openedBy);
    this.slots.delete(slot);
  }

  /** Forgets slots first seen more than the TTL ago (slots are kept in the order first seen, so this
   *  stops at the first young one). Returns how many went. */
  expire(nowMs: number): number {
    let n = 0;
    for (const [slot, entry] of this.slots) {
      if (nowMs - entry.firstSeenMs <= this.limits.slotTtlMs) break;
      this.settle(slot);
      n++;
    }
    this.expired += n;
    return n;
  }

  /** Streams that have a candidate for their first observation. */
  genesisStreams(): Hex[] {
    return [...this.genesis.keys()];
  }

  /** Candidates of `stream` extending `parent` at `sequence`, earliest epoch first. */
  extending(stream: Hex, parent: Hex, sequence: bigint): StoredCandidate[] {
    return [...(this.byParent.get(`${stream}${parent}`) ?? [])]
      .filter((c) => c.candidate.header.sequence === sequence)
      .sort((a, b) => a.candidate.epoch.startUnixMs - b.candidate.epoch.startUnixMs);
  }
}

const parentKey = (c: Candidate): string => `${c.header.streamHash}${c.header.parentObservationHash}`;

function decrementHex(m: Map<Hex, number>, k: Hex): void {
  const v = (m.get(k) ?? 0) - 1;
  if (v > 0) m.set(k, v);
  else m.delete(k);
}

function decrement(m: Map<number, number>, k: number): void {
  const v = (m.get(k) ?? 0) - 1;
  if (v > 0) m.set(k, v);
  else m.delete(k);
}

/** One entry of `submitSignOffBatch`: a candidate, one deadline, the votes signed over it. */
export interface BatchItem {
  stored: StoredCandidate;
  deadline: bigint;
  signatures: WitnessSignature[];
}

/** The votes that finalize `c` now: current members' votes whose deadline is at least the margin
 *  away, grouped by deadline (the ledger checks each signature against its item's deadline). Groups
 *  are taken largest first until they hold `quorum` votes; exactly `quorum` are sent. The ledger
 *  records a group below quorum as pending sign-offs and finalizes on the group that completes it, in
 *  the same transaction. Undefined when the live votes are short of quorum. */
export function quorumGroups(c: StoredCandidate, isMember: (index: number) => boolean, quorum: number, nowSec: bigint, deadlineMarginSec: bigint): { deadline: bigint; signatures: WitnessSignature[] }[] | undefined {
  const groups = new Map<bigint, WitnessSignature[]>();
  for (const v of c.votes.values()) {
    if (!isMember(v.witnessIndex) || v.deadline < nowSec + deadlineMarginSec) continue;
    groups.set(v.deadline, [...(groups.get(v.deadline) ?? []), { witnessIndex: v.witnessIndex, r: v.r, vs: v.vs }]);
  }
  const live = [...groups].reduce((n, [, g]) => n + g.length, 0);
  if (quorum <= 0 || live < quorum) return undefined;
  const out: { deadline: bigint; signatures: WitnessSignature[] }[] = [];
  let need = quorum;
  for (const [deadline, sigs] of [...groups].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? 1 : -1))) {
    if (need <= 0) break;
    const take = sigs.sort((a, b) => a.witnessIndex - b.witnessIndex).slice(0, need);
    out.push({ deadline, signatures: take });
    need -= take.length;
  }
  // The group that completes the quorum goes last (each earlier one is recorded as pending first).
  return out.reverse();
}

/** The observations a batch can finalize now, per stream in chain order: starting at each stream's
 *  head (or at sequence 0), the earliest candidate extending it with a quorum of live votes, then the
 *  one extending that, and so on. `maxItems` bounds the entries (a candidate whose votes carry
 *  several deadlines takes one entry per deadline). */
export function buildBatch(
  store: CandidateStore,
  heads: ReadonlyMap<Hex, Head>,
  isMember: (index: number) => boolean,
  quorum: number,
  nowSec: bigint,
  deadlineMarginSec: bigint,
  maxItems: number,
): BatchItem[] {
  if (quorum <= 0) return [];
  const items: BatchItem[] = [];
  const streams = new Set<Hex>(heads.keys());
  for (const s of store.genesisStreams()) streams.add(s);
  for (const stream of streams) {
    const head = heads.get(stream);
    let parent = head?.hash ?? ZERO_HASH;
    let sequence = head ? head.sequence + 1n : 0n;
    for (;;) {
      const next = store
        .extending(stream, parent, sequence)
        .map((c) => ({ c, groups: quorumGroups(c, isMember, quorum, nowSec, deadlineMarginSec) }))
        .find((x) => x.groups !== undefined);
      if (!next || items.length + next.groups!.length > maxItems) break;
      for (const g of next.groups!) items.push({ stored: next.c, deadline: g.deadline, signatures: g.signatures });
      parent = next.c.hash;
      sequence++;
    }
    if (items.length >= maxItems) break;
  }
  return items;
}
