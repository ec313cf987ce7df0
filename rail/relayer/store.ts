// The relayer's memory: candidates and the verified sign-offs on them, bounded in slots and in
// candidates per slot. Losing it is harmless (witnesses re-post whatever is not final), so the
// oldest slot is dropped when the store is full.
import type { Hex } from 'viem';
import type { Candidate } from '../protocol/candidate.js';
import { ZERO_HASH } from '../protocol/candidate.js';
import type { WitnessSignature } from '../signoff.js';
import type { Head } from '../protocol/chain-view.js';

export interface StoredCandidate {
  candidate: Candidate;
  hash: Hex;
  slot: Hex;
  signatures: Map<number, WitnessSignature>;
  /** Registry indices of the witnesses that proposed it. */
  proposers: Set<number>;
  firstSeenMs: number;
}

export interface StoreLimits {
  maxSlots: number;
  maxCandidatesPerSlot: number;
}

export type AddResult = 'proposed' | 'signed' | 'duplicate' | 'slot-full';

export class CandidateStore {
  private readonly slots = new Map<Hex, Map<Hex, StoredCandidate>>();
  private readonly byParent = new Map<Hex, Set<StoredCandidate>>();
  evicted = 0;

  constructor(readonly limits: StoreLimits) {}

  get slotCount(): number {
    return this.slots.size;
  }

  get candidateCount(): number {
    let n = 0;
    for (const m of this.slots.values()) n += m.size;
    return n;
  }

  /** Records `signature` (a vote) on the candidate. */
  addSignature(candidate: Candidate, hash: Hex, slot: Hex, signature: WitnessSignature, nowMs: number): AddResult {
    const stored = this.entry(candidate, hash, slot, nowMs);
    if (stored === undefined) return 'slot-full';
    if (stored.signatures.has(signature.witnessIndex)) return 'duplicate';
    stored.signatures.set(signature.witnessIndex, signature);
    return 'signed';
  }

  /** Records that witness `proposer` proposed the candidate. */
  addProposal(candidate: Candidate, hash: Hex, slot: Hex, proposer: number, nowMs: number): AddResult {
    const stored = this.entry(candidate, hash, slot, nowMs);
    if (stored === undefined) return 'slot-full';
    if (stored.proposers.has(proposer)) return 'duplicate';
    stored.proposers.add(proposer);
    return 'proposed';
  }

  private entry(candidate: Candidate, hash: Hex, slot: Hex, nowMs: number): StoredCandidate | undefined {
    let bySlot = this.slots.get(slot);
    if (!bySlot) {
      if (this.slots.size >= this.limits.maxSlots) this.evictOldest();
      bySlot = new Map();
      this.slots.set(slot, bySlot);
    }
    let stored = bySlot.get(hash);
    if (!stored) {
      if (bySlot.size >= this.limits.maxCandidatesPerSlot) return undefined;
      stored = { candidate, hash, slot, signatures: new Map(), proposers: new Set(), firstSeenMs: nowMs };
      bySlot.set(hash, stored);
      const parent = candidate.header.parentObservationHash;
      this.byParent.set(parent, (this.byParent.get(parent) ?? new Set()).add(stored));
    }
    return stored;
  }

  candidatesFor(slot: Hex): StoredCandidate[] {
    return [...(this.slots.get(slot)?.values() ?? [])];
  }

  allSlots(): Hex[] {
    return [...this.slots.keys()];
  }

  /** Forgets a slot that is final on chain. */
  settle(slot: Hex): void {
    const bySlot = this.slots.get(slot);
    if (!bySlot) return;
    for (const c of bySlot.values()) {
      const parent = c.candidate.header.parentObservationHash;
      const siblings = this.byParent.get(parent);
      siblings?.delete(c);
      if (siblings?.size === 0) this.byParent.delete(parent);
    }
    this.slots.delete(slot);
  }

  /** Candidates extending `parent` at `sequence`, earliest epoch first. */
  extending(parent: Hex, sequence: bigint): StoredCandidate[] {
    return [...(this.byParent.get(parent) ?? [])]
      .filter((c) => c.candidate.header.sequence === sequence)
      .sort((a, b) => a.candidate.epoch.startUnixMs - b.candidate.epoch.startUnixMs);
  }

  private evictOldest(): void {
    const oldest = this.slots.keys().next();
    if (!oldest.done) {
      this.settle(oldest.value);
      this.evicted++;
    }
  }
}

export interface BatchItem {
  stored: StoredCandidate;
  signatures: WitnessSignature[];
}

/** The observations a batch can finalize now, per stream in chain order: starting at each stream's
 *  head (or at sequence 0), the earliest candidate extending it with a quorum of current members'
 *  signatures and a deadline at least `deadlineMarginSec` away, then the one extending that, and so
 *  on. Each item carries exactly `quorum` signatures. */
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
  const ready = (c: StoredCandidate) => {
    if (c.candidate.deadline < nowSec + deadlineMarginSec) return undefined;
    const sigs = [...c.signatures.values()].filter((s) => isMember(s.witnessIndex)).sort((a, b) => a.witnessIndex - b.witnessIndex);
    return sigs.length >= quorum ? sigs.slice(0, quorum) : undefined;
  };
  const streams = new Set<Hex>(heads.keys());
  for (const c of store.extending(ZERO_HASH, 0n)) streams.add(c.candidate.header.streamHash);
  for (const stream of streams) {
    const head = heads.get(stream);
    let parent = head?.hash ?? ZERO_HASH;
    let sequence = head ? head.sequence + 1n : 0n;
    for (;;) {
      if (items.length >= maxItems) return items;
      const next = store
        .extending(parent, sequence)
        .filter((c) => c.candidate.header.streamHash === stream)
        .map((c) => ({ c, sigs: ready(c) }))
        .find((x) => x.sigs !== undefined);
      if (!next) break;
      items.push({ stored: next.c, signatures: next.sigs! });
      parent = next.c.hash;
      sequence++;
    }
  }
  return items;
}
