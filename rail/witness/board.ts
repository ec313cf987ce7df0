// The relayers as a witness sees them: where it posts its proposals and votes, and where it reads the
// candidates others put up, each with the signatures that prove who proposed and who voted (the
// witness checks them itself; a relayer's word alone counts for nothing). Every relayer is its own
// link: posts go out as one batch per relayer per poll, all relayers at once, never waited for by the
// witness's decisions; reads go out at once, with their own timeout, a cap on the reply's size, and a
// backoff after a failure, so a relayer that hangs, floods or lies costs the witness a bounded wait
// and nothing else.
import type { Hex } from 'viem';
import { z } from 'zod';
import { candidateHash, candidateToWire, candidateWire, type Candidate } from '../protocol/candidate.js';
import type { SignedVote } from '../protocol/signatures.js';
import type { WitnessSignature } from '../signoff.js';

export interface BoardCandidate {
  slot: Hex;
  /** Computed here from the candidate, never taken from the relayer. */
  hash: Hex;
  candidate: Candidate;
  /** As relayers claim them: to be checked before they count. */
  proposals: { proposer: number; signature: Hex }[];
  votes: SignedVote[];
}

export interface BoardLimits {
  /** A read or a post that takes longer is abandoned. */
  timeoutMs: number;
  /** The most bytes read from one reply. */
  replyLimit: number;
  /** After a failure, a relayer is left alone for this long, doubling per failure up to maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
  /** Items waiting for one relayer (the oldest go first: the witness re-posts what is not final). */
  maxQueued: number;
}

/** The reply limit is twice what an honest relayer ever sends (REPLY_LIMIT, 1 MiB). */
export const DEFAULT_BOARD_LIMITS: BoardLimits = { timeoutMs: 5_000, replyLimit: 2 * 1024 * 1024, backoffMs: 500, maxBackoffMs: 30_000, maxQueued: 4_096 };
/** Slots per read (the relayer answers at most this many). */
const READ_SLOTS = 128;
/** Items per batched post (the relayer takes at most this many). */
const POST_ITEMS = 256;

const hex32 = z.string().regex(/^0x[0-9a-f]{64}$/).transform((s) => s as Hex);
const hexN = (n: number) => z.string().regex(new RegExp(`^0x[0-9a-fA-F]{${n * 2}}$`)).transform((s) => s as Hex);
const candidatesReply = z.object({
  candidates: z
    .array(
      z.object({
        slot: hex32,
        candidate: candidateWire,
        proposals: z.array(z.object({ proposer: z.number().int().min(0).max(255), signature: hexN(65) })).max(256),
        votes: z
          .array(z.object({ witnessIndex: z.number().int().min(0).max(255), deadline: z.string().regex(/^\d{1,20}$/).transform((s) => BigInt(s)), r: hexN(32), vs: hexN(32) }))
          .max(256),
      }),
    )
    .max(16_384),
});
const postReply = z.object({ results: z.array(z.object({ accepted: z.boolean(), reason: z.string().optional(), detail: z.string().optional() })) });

type Item = { signoff: unknown } | { proposal: unknown };

export interface Refusal {
  relayer: string;
  reason: string;
  detail?: string;
}

/** One way of talking to a relayer (reads, or posts), with its own backoff: a relayer that takes
 *  posts but answers reads with junk is still backed off for reads. */
class Backoff {
  failures = 0;
  until = 0;
  lastError: string | undefined;

  get active(): boolean {
    return Date.now() < this.until;
  }

  failed(e: unknown, limits: BoardLimits): void {
    this.failures++;
    this.lastError = e instanceof Error ? e.message : String(e);
    this.until = Date.now() + Math.min(limits.maxBackoffMs, limits.backoffMs * 2 ** (this.failures - 1));
  }

  succeeded(): void {
    this.failures = 0;
    this.until = 0;
    this.lastError = undefined;
  }
}

class Link {
  reading = false;
  posting: Promise<void> | undefined;
  readonly outbox = new Map<string, Item>();
  readonly reads = new Backoff();
  /** The last reply per slot (and when it came), for the polls this relayer is slower than. */
  readonly latest = new Map<Hex, { at: number; candidates: BoardCandidate[] }>();
  readonly posts = new Backoff();

  constructor(readonly url: string) {}

  get backingOff(): boolean {
    return this.reads.active || this.posts.active;
  }
}

/** Reads a response's body up to `limit` bytes; a longer one is cut off and refused. */
async function readCapped(res: Response, limit: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > limit) {
    await res.body?.cancel();
    throw new Error(`reply of ${declared} bytes is over the ${limit}-byte limit`);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new Error(`reply over the ${limit}-byte limit`);
    }
    parts.push(value);
  }
  return Buffer.concat(parts).toString('utf8');
}

export class Board {
  private readonly links: Link[];

  constructor(
    relayers: string[],
    readonly limits: BoardLimits = DEFAULT_BOARD_LIMITS,
    /** Told of every item a relayer refused, and of every post or read that failed. */
    private readonly onProblem: (p: Refusal) => void = () => {},
  ) {
    this.links = relayers.map((r) => new Link(r));
  }

  /** Relayers this witness cannot reach now (backing off after a failure). */
  unreachable(): string[] {
    return this.links.filter((l) => l.backingOff).map((l) => l.url);
  }

  /** Queues a vote (the candidate carries the deadline it was signed over) for every relayer. */
  queueVote(candidate: Candidate, signature: WitnessSignature): void {
    this.queue(`v ${candidateHash(candidate)} ${signature.witnessIndex}`, { signoff: { candidate: candidateToWire(candidate), signature } });
  }

  /** Queues a proposal (no vote) for every relayer. */
  queueProposal(candidate: Candidate, proposer: number, signature: Hex): void {
    this.queue(`p ${candidateHash(candidate)} ${proposer}`, { proposal: { candidate: candidateToWire(candidate), proposer, signature } });
  }

  private queue(key: string, item: Item): void {
    for (const l of this.links) {
      l.outbox.delete(key);
      l.outbox.set(key, item);
      if (l.outbox.size > this.limits.maxQueued) l.outbox.delete(l.outbox.keys().next().value!);
    }
  }

  /** Sends each relayer what is queued for it, as one POST /v1/batch per relayer, all at once. Does
   *  not wait: a relayer still busy with the last batch, or backing off, gets it at a later flush. */
  flush(): void {
    for (const l of this.links) {
      if (l.posting || l.posts.active || l.outbox.size === 0) continue;
      const items = [...l.outbox.entries()].slice(0, POST_ITEMS);
      for (const [k] of items) l.outbox.delete(k);
      l.posting = this.post(l, items.map(([, v]) => v)).finally(() => (l.posting = undefined));
    }
  }

  private async post(l: Link, items: Item[]): Promise<void> {
    try {
      const res = await fetch(new URL('/v1/batch', l.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items }), signal: AbortSignal.timeout(this.limits.timeoutMs) });
      const text = await readCapped(res, 1024 * 1024);
      if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
      l.posts.succeeded();
      const parsed = postReply.safeParse(JSON.parse(text));
      if (!parsed.success) throw new Error('the relayer answered the batch with something else than per-item results');
      for (const r of parsed.data.results) if (!r.accepted && r.reason !== 'final') this.onProblem({ relayer: l.url, reason: r.reason ?? 'refused', detail: r.detail?.slice(0, 300) });
    } catch (e) {
      l.posts.failed(e, this.limits);
      this.onProblem({ relayer: l.url, reason: 'post-failed', detail: l.posts.lastError });
    }
  }

  /** What the relayers hold for `slots`, merged by hash (claims united, to be checked by the caller).
   *  Every relayer is read at once; the answer waits at most `budgetMs` (a relayer that has not
   *  answered by then, is still busy with an earlier read, or is backing off, is left out). */
  async candidates(slots: Hex[], budgetMs = this.limits.timeoutMs): Promise<{ candidates: Map<Hex, BoardCandidate[]>; errors: number }> {
    let errors = 0;
    if (!slots.length) return { candidates: new Map(), errors };
    const reads = this.links
      .filter((l) => !l.reading && !l.reads.active)
      .map(async (l) => {
        l.reading = true;
        try {
          for (let i = 0; i < slots.length; i += READ_SLOTS) {
            const url = new URL('/v1/candidates', l.url);
            for (const s of slots.slice(i, i + READ_SLOTS)) url.searchParams.append('slot', s);
            const res = await fetch(url, { signal: AbortSignal.timeout(this.limits.timeoutMs) });
            if (!res.ok) {
              await res.body?.cancel();
              throw new Error(`HTTP ${res.status}`);
            }
            const parsed = candidatesReply.parse(JSON.parse(await readCapped(res, this.limits.replyLimit)));
            // Kept per slot even when it comes after the answer was given: a relayer's claims only
            // grow until the slot is final, so a slow relayer's last reply is still worth reading.
            const at = Date.now();
            const fresh = new Map<Hex, BoardCandidate[]>();
            for (const c of parsed.candidates) fresh.set(c.slot, [...(fresh.get(c.slot) ?? []), { slot: c.slot, hash: candidateHash(c.candidate), candidate: c.candidate, proposals: c.proposals, votes: c.votes }]);
            for (const s of slots.slice(i, i + READ_SLOTS)) l.latest.set(s, { at, candidates: fresh.get(s) ?? [] });
          }
          l.reads.succeeded();
        } catch (e) {
          errors++;
          l.reads.failed(e, this.limits);
          this.onProblem({ relayer: l.url, reason: 'read-failed', detail: l.reads.lastError });
        } finally {
          l.reading = false;
        }
      });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(reads), new Promise<void>((r) => (timer = setTimeout(r, budgetMs)))]);
    clearTimeout(timer);
    // Every relayer's latest reply for these slots (this poll's, or a slower one's last), merged by hash.
    const merged = new Map<Hex, Map<Hex, BoardCandidate>>();
    const oldest = Date.now() - this.limits.maxBackoffMs;
    for (const l of this.links) {
      for (const [slot, entry] of [...l.latest]) if (entry.at < oldest) l.latest.delete(slot);
      for (const slot of slots) {
        for (const c of l.latest.get(slot)?.candidates ?? []) {
          const bySlot = merged.get(slot) ?? new Map<Hex, BoardCandidate>();
          const prev = bySlot.get(c.hash);
          bySlot.set(c.hash, { ...c, candidate: prev?.candidate ?? c.candidate, proposals: [...(prev?.proposals ?? []), ...c.proposals], votes: [...(prev?.votes ?? []), ...c.votes] });
          merged.set(slot, bySlot);
        }
      }
    }
    return { candidates: new Map([...merged].map(([slot, m]) => [slot, [...m.values()]])), errors };
  }

  /** Sends what is queued now and waits, at most `budgetMs`, until it is out: a relayer still busy
   *  with an earlier post gets it as soon as that post ends. A relayer that hangs costs the budget. */
  async send(budgetMs: number): Promise<void> {
    const deadline = Date.now() + budgetMs;
    for (let round = 0; round < 2; round++) {
      this.flush();
      const busy = this.links.map((l) => l.posting).filter((p) => p !== undefined);
      const left = deadline - Date.now();
      if (!busy.length || left <= 0) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(busy), new Promise<void>((r) => (timer = setTimeout(r, left)))]);
      clearTimeout(timer);
    }
  }

  /** Sends what is queued and waits (at most the timeout) for posts in flight. */
  async close(): Promise<void> {
    await this.send(this.limits.timeoutMs);
  }
}
