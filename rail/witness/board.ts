// The relayers as a witness sees them: where it posts its sign-offs (a proposal is the first sign-off
// on a candidate) and reads the candidates others proposed. A relayer that is down or slow costs
// nothing but time: posts go to every relayer, reads merge what any of them answers.
import type { Hex } from 'viem';
import { z } from 'zod';
import { candidateToWire, candidateWire, type Candidate } from '../protocol/candidate.js';
import type { WitnessSignature } from '../signoff.js';

export interface BoardCandidate {
  slot: Hex;
  hash: Hex;
  candidate: Candidate;
  proposers: number[];
  signers: number[];
}

const candidatesReply = z.object({
  candidates: z.array(z.object({ slot: z.string(), hash: z.string(), candidate: candidateWire, proposers: z.array(z.number().int().min(0).max(255)), signers: z.array(z.number().int().min(0).max(255)) })),
});

export interface PostResult {
  relayer: string;
  ok: boolean;
  status?: number;
  detail?: string;
}

export class Board {
  constructor(
    readonly relayers: string[],
    readonly timeoutMs = 5_000,
  ) {}

  /** Posts a vote to every relayer. */
  postSignOff(candidate: Candidate, signature: WitnessSignature): Promise<PostResult[]> {
    return this.postAll('/v1/signoffs', JSON.stringify({ candidate: candidateToWire(candidate), signature }));
  }

  /** Posts a proposal (no vote) to every relayer. */
  postProposal(candidate: Candidate, proposer: number, signature: Hex): Promise<PostResult[]> {
    return this.postAll('/v1/proposals', JSON.stringify({ candidate: candidateToWire(candidate), proposer, signature }));
  }

  private postAll(route: string, body: string): Promise<PostResult[]> {
    return Promise.all(
      this.relayers.map(async (relayer): Promise<PostResult> => {
        try {
          const res = await fetch(new URL(route, relayer), {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
            signal: AbortSignal.timeout(this.timeoutMs),
          });
          const text = await res.text();
          // 409: the slot is already final there; nothing to post.
          return { relayer, ok: res.ok || res.status === 409, status: res.status, detail: res.ok ? undefined : text.slice(0, 300) };
        } catch (e) {
          return { relayer, ok: false, detail: (e as Error).message };
        }
      }),
    );
  }

  /** Every candidate any relayer holds for `slots` (merged by hash, signers united). */
  async candidates(slots: Hex[]): Promise<{ candidates: Map<Hex, BoardCandidate[]>; errors: number }> {
    const merged = new Map<Hex, Map<Hex, BoardCandidate>>();
    let errors = 0;
    if (!slots.length) return { candidates: new Map(), errors };
    await Promise.all(
      this.relayers.map(async (relayer) => {
        for (let i = 0; i < slots.length; i += 128) {
          const url = new URL('/v1/candidates', relayer);
          for (const s of slots.slice(i, i + 128)) url.searchParams.append('slot', s);
          try {
            const res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
            if (!res.ok) throw new Error(`HTTP ${res.status}`);
            const parsed = candidatesReply.parse(await res.json());
            for (const c of parsed.candidates) {
              const slot = c.slot as Hex;
              const bySlot = merged.get(slot) ?? new Map<Hex, BoardCandidate>();
              const prev = bySlot.get(c.hash as Hex);
              const union = (a: number[] = [], b: number[]) => [...new Set([...a, ...b])].sort((x, y) => x - y);
              bySlot.set(c.hash as Hex, { slot, hash: c.hash as Hex, candidate: c.candidate, proposers: union(prev?.proposers, c.proposers), signers: union(prev?.signers, c.signers) });
              merged.set(slot, bySlot);
            }
          } catch {
            errors++;
          }
        }
      }),
    );
    return { candidates: new Map([...merged].map(([slot, m]) => [slot, [...m.values()]])), errors };
  }
}
