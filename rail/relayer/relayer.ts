// `rail relayer`: a long-running process where witnesses post proposals and EIP-712 sign-offs
// (contracts/docs/Protocol.md). It has no authority and trusts nobody: each post is checked cheapest
// first (membership, finality, the candidate's face, the deadline, a repeat, the member's share of
// places, the client's budget for bad signatures) and only then is its signature recovered. A vote
// is kept with the exact deadline it was signed over, and batches group votes by deadline, so no
// vote can make a batch revert. Any number of relayers can run side by side: the ledger skips a batch
// item whose slot another relayer finalized first.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram } from 'prom-client';
import { decodeEventLog, encodeFunctionData, type Address, type Hex } from 'viem';
import { z, type ZodError } from 'zod';
import type { PrivateKeyAccount } from 'viem/accounts';
import type { RailConnection } from '../connection.js';
import { shortError } from '../connection.js';
import { observationLedgerAbi } from '../contracts.js';
import { observationHash, observationSlot } from '../observation.js';
import { candidateProblem, candidateToWire, proposalWire, signOffWire, type Candidate } from '../protocol/candidate.js';
import { initKeccak } from '../archive/merkle.js';
import { ChainView } from '../protocol/chain-view.js';
import { SignatureCheck } from '../protocol/signatures.js';
import { ledgerDomain } from '../signoff.js';
import { batchGasLimit } from '../submit.js';
import { submitTx, waitForInFlight } from '../tx.js';
import { PollLoop } from '../ops/loop.js';
import { listen, makeRegistry, opsServer } from '../ops/observability.js';
import { buildBatch, CandidateStore, type BatchItem, type StoreLimits } from './store.js';
import { ClientBudget, DEFAULT_MEMBER_RATE, memberBudget } from './budget.js';
import { itemsForGas, leaderOf, notInFlight, Readiness, type Lead } from './lead.js';

export interface RelayerOptions {
  conn: RailConnection;
  ledger: Address;
  account: PrivateKeyAccount;
  host: string;
  port: number;
  fromBlock: bigint;
  pollMs: number;
  maxBatch: number;
  /** A sign-off's deadline must be at least this far away when it is accepted and when it is sent. */
  deadlineMarginSec: bigint;
  /** …and at most this far away. */
  maxDeadlineSec: bigint;
  limits: StoreLimits;
  /** New candidates one member may bring in per second (default DEFAULT_MEMBER_RATE). */
  memberRate?: number;
  /** This relayer's place among relayers that split the streams (each leads uint(streamHash) mod
   *  count, the others take a stream's ready observations over after `takeoverMs`). Without it the
   *  relayer batches every stream and, to let a peer's batch land first, pauses up to one poll and
   *  looks at the chain again before it sends. */
  lead?: Lead;
  /** Batches in flight at once (each for other streams, with its own nonce; default 4). */
  maxInFlight?: number;
  log: Logger;
}

export interface RunningRelayer {
  port: number;
  app: FastifyInstance;
  /** Stops taking requests, lets a batch in flight land, and closes. */
  stop(): Promise<void>;
  done: Promise<void>;
}

/** HTTP body limit of one proposal or sign-off (with its candidate, under 4 KiB at the wire's
 *  largest locator and names). */
export const BODY_LIMIT = 16 * 1024;
/** Items in one POST /v1/batch, and its body limit. */
export const MAX_BATCH_ITEMS = 256;
export const BATCH_BODY_LIMIT = MAX_BATCH_ITEMS * 4 * 1024;
/** Slots one GET /v1/candidates may name, and the most bytes its reply holds (the rest of the slots
 *  are left out and named in `truncated`; the witness asks again at its next poll). */
export const MAX_READ_SLOTS = 128;
export const REPLY_LIMIT = 1024 * 1024;

const batchWire = z.strictObject({
  items: z
    .array(z.union([z.strictObject({ signoff: signOffWire }), z.strictObject({ proposal: proposalWire })]))
    .max(MAX_BATCH_ITEMS),
});

/** What a post came to: the HTTP status, and the reason or result. */
interface Outcome {
  status: number;
  accepted: boolean;
  reason?: string;
  result?: string;
  detail?: string;
  hash?: Hex;
}

export async function startRelayer(o: RelayerOptions): Promise<RunningRelayer> {
  await initKeccak();
  const registry = makeRegistry('ecp_relayer');
  const m = {
    signatures: new Counter({ name: 'ecp_relayer_signatures_total', help: 'Proposals and sign-offs taken, by result (accepted, duplicate)', labelNames: ['result', 'reason'], registers: [registry] }),
    refused: new Counter({ name: 'ecp_relayer_refused_total', help: 'Proposals and sign-offs refused, by reason and by the member index they named', labelNames: ['reason', 'member'], registers: [registry] }),
    pending: new Gauge({ name: 'ecp_relayer_pending_candidates', help: 'Candidates held, not final on chain', registers: [registry] }),
    slots: new Gauge({ name: 'ecp_relayer_pending_slots', help: 'Slots held, not final on chain', registers: [registry] }),
    batches: new Counter({ name: 'ecp_relayer_batches_total', help: 'Batches sent, by outcome (mined, reverted: mined and paid for but undone, failed: not mined)', labelNames: ['outcome'], registers: [registry] }),
    dropped: new Counter({ name: 'ecp_relayer_batch_items_dropped_total', help: 'Batch items left out because the ledger would refuse them (checked by a call before sending)', registers: [registry] }),
    finalized: new Counter({ name: 'ecp_relayer_finalized_total', help: 'Observations this relayer finalized', registers: [registry] }),
    skipped: new Counter({ name: 'ecp_relayer_skipped_total', help: 'Batch items the ledger skipped (finalized first by someone else)', registers: [registry] }),
    expired: new Counter({ name: 'ecp_relayer_expired_slots_total', help: 'Slots forgotten unfinalized after the slot TTL', registers: [registry] }),
    rpcErrors: new Counter({ name: 'ecp_relayer_rpc_errors_total', help: 'Failed chain reads or sends', registers: [registry] }),
    latency: new Histogram({ name: 'ecp_relayer_finality_latency_seconds', help: 'From the first sign-off seen to finality on chain', buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300], registers: [registry] }),
    gas: new Counter({ name: 'ecp_relayer_gas_used_total', help: 'Gas used by this relayer\'s batches', registers: [registry] }),
    head: new Gauge({ name: 'ecp_relayer_chain_scanned_block', help: 'Ledger logs read up to this block', registers: [registry] }),
    items: new Histogram({ name: 'ecp_relayer_batch_items', help: 'Items per batch sent', buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500], registers: [registry] }),
    inFlight: new Gauge({ name: 'ecp_relayer_batches_in_flight', help: 'Batches sent and not yet mined', registers: [registry] }),
    takenOver: new Counter({ name: 'ecp_relayer_takeover_items_total', help: 'Batch items for streams another relayer leads, sent after the takeover delay', registers: [registry] }),
  };
  const view = new ChainView(o.conn, o.ledger, o.fromBlock);
  await view.refresh();
  const store = new CandidateStore(o.limits);
  const signatures = new SignatureCheck(ledgerDomain(o.conn.chain.id, o.ledger));
  const budget = new ClientBudget();
  const memberLimits = memberBudget(o.memberRate ?? DEFAULT_MEMBER_RATE);
  const members_ = new ClientBudget(memberLimits);

  const loop = new PollLoop(o.pollMs, (err) => {
    m.rpcErrors.inc();
    o.log.warn({ err }, 'relayer tick failed; retrying');
  });
  const app = opsServer(registry, { problem: () => (Date.now() - view.lastRefreshAt > Math.max(30_000, o.pollMs * 20) ? `no successful chain read for ${Math.round((Date.now() - view.lastRefreshAt) / 1000)} s (${loop.lastError ?? 'unknown'})` : null) }, { bodyLimit: BATCH_BODY_LIMIT });
  const members = () => view.membership.addressOf.size;

  const refuse = (status: number, reason: string, member: number, detail: string): Outcome => {
    m.refused.inc({ reason, member: String(member) });
    return { status, accepted: false, reason, detail };
  };

  /** The checks every post shares, cheapest first, up to (not including) the signature. */
  const admit = (candidate: Candidate, member: number, kind: 'vote' | 'proposal'): Outcome | { slot: Hex; hash: Hex; isNew: boolean } => {
    // Non-members are refused before any hashing or signature recovery.
    if (!view.isMember(member)) return refuse(403, 'not-a-member', member, `index ${member} is not a current member's`);
    const h = candidate.header;
    const slot = observationSlot(h.streamHash, h.epochHash);
    const final = view.recentFinal.get(slot);
    if (final) return refuse(409, 'final', member, `slot ${slot} is final with ${final.hash}`);
    const problem = candidateProblem(candidate);
    if (problem) return refuse(422, 'invalid-candidate', member, problem);
    const nowSec = BigInt(Math.floor(Date.now() / 1000));
    if (candidate.deadline < nowSec + o.deadlineMarginSec || candidate.deadline > nowSec + o.maxDeadlineSec) {
      return refuse(422, 'deadline', member, `deadline ${candidate.deadline} is outside [now+${o.deadlineMarginSec}, now+${o.maxDeadlineSec}] s`);
    }
    const hash = observationHash(h);
    // A repeat is answered without recovering its signature again.
    if (store.has(slot, hash, member, kind)) return { status: 202, accepted: true, result: 'duplicate', hash };
    const full = store.room(slot, hash, member, members());
    if (full) return refuse(429, full, member, `member ${member} has used its share of this relayer's places (${full}); slots free as they finalize or expire`);
    const isNew = !store.candidatesFor(slot).some((c) => c.hash === hash);
    if (isNew && !members_.allows(String(member))) return refuse(429, 'member-rate-limited', member, `member ${member} brings in new candidates faster than ${memberLimits.perSecond}/s; try again later`);
    return { slot, hash, isNew };
  };

  const taken = (result: string, hash: Hex): Outcome => {
    m.signatures.inc({ result: result === 'duplicate' ? 'duplicate' : 'accepted', reason: result });
    m.pending.set(store.candidateCount);
    m.slots.set(store.slotCount);
    return { status: 202, accepted: true, result, hash };
  };

  const badSignature = (client: string, member: number, detail: string): Outcome => {
    budget.charge(client);
    return refuse(403, 'bad-signature', member, detail);
  };

  // A vote: one member's EIP-712 sign-off on a candidate, kept with the deadline it signed.
  const vote = async (msg: z.infer<typeof signOffWire>, client: string): Promise<Outcome> => {
    const candidate: Candidate = msg.candidate;
    const s = msg.signature;
    const ok = admit(candidate, s.witnessIndex, 'vote');
    if ('status' in ok) return ok.result === 'duplicate' ? taken('duplicate', ok.hash!) : ok;
    if (!budget.allows(client)) return refuse(429, 'rate-limited', s.witnessIndex, `too many bad signatures from ${client}; try again later`);
    const member = view.membership.addressOf.get(s.witnessIndex);
    if (!(await signatures.isVoteBy(ok.hash, { witnessIndex: s.witnessIndex, deadline: candidate.deadline, r: s.r, vs: s.vs }, member))) {
      return badSignature(client, s.witnessIndex, `the sign-off is not signed by the witness at index ${s.witnessIndex} (${member}) (wrong ledger, chain, deadline or candidate?)`);
    }
    if (ok.isNew) members_.charge(String(s.witnessIndex));
    const result = store.addVote(candidate, ok.hash, ok.slot, { ...s, deadline: candidate.deadline }, Date.now(), members());
    return result.endsWith('full') ? refuse(429, result, s.witnessIndex, `member ${s.witnessIndex} has used its share of places`) : taken(result, ok.hash);
  };

  // A proposal: a candidate put up for a vote by a member, without its vote.
  const proposal = async (msg: z.infer<typeof proposalWire>, client: string): Promise<Outcome> => {
    const candidate: Candidate = msg.candidate;
    const ok = admit(candidate, msg.proposer, 'proposal');
    if ('status' in ok) return ok.result === 'duplicate' ? taken('duplicate', ok.hash!) : ok;
    if (!budget.allows(client)) return refuse(429, 'rate-limited', msg.proposer, `too many bad signatures from ${client}; try again later`);
    const member = view.membership.addressOf.get(msg.proposer);
    if (!(await signatures.isProposalBy(ok.hash, msg.proposer, msg.signature, member))) return badSignature(client, msg.proposer, `the proposal is not signed by the witness at index ${msg.proposer} (${member})`);
    if (ok.isNew) members_.charge(String(msg.proposer));
    const result = store.addProposal(candidate, ok.hash, ok.slot, msg.proposer, msg.signature, Date.now(), members());
    return result.endsWith('full') ? refuse(429, result, msg.proposer, `member ${msg.proposer} has used its share of places`) : taken(result, ok.hash);
  };

  const answer = (reply: FastifyReply, out: Outcome) => reply.code(out.status).send(out.accepted ? { accepted: true, result: out.result, hash: out.hash } : { accepted: false, reason: out.reason, detail: out.detail });
  const malformed = (reply: FastifyReply, e: ZodError) => {
    m.refused.inc({ reason: 'malformed', member: 'none' });
    return reply.code(400).send({ accepted: false, reason: 'malformed', detail: issues(e) });
  };
  const clientOf = (req: FastifyRequest) => req.socket.remoteAddress ?? '?';

  app.post('/v1/signoffs', { bodyLimit: BODY_LIMIT }, async (req, reply) => {
    const parsed = signOffWire.safeParse(req.body);
    return parsed.success ? answer(reply, await vote(parsed.data, clientOf(req))) : malformed(reply, parsed.error);
  });

  app.post('/v1/proposals', { bodyLimit: BODY_LIMIT }, async (req, reply) => {
    const parsed = proposalWire.safeParse(req.body);
    return parsed.success ? answer(reply, await proposal(parsed.data, clientOf(req))) : malformed(reply, parsed.error);
  });

  // A witness's poll's worth of proposals and votes in one request; one result per item, in order.
  app.post('/v1/batch', async (req, reply) => {
    const parsed = batchWire.safeParse(req.body);
    if (!parsed.success) return malformed(reply, parsed.error);
    const client = clientOf(req);
    const results: Omit<Outcome, 'status'>[] = [];
    for (const item of parsed.data.items) {
      const { status, ...rest } = 'signoff' in item ? await vote(item.signoff, client) : await proposal(item.proposal, client);
      results.push({ ...rest, ...(status === 409 ? { accepted: true } : {}) });
    }
    return reply.code(200).send({ results });
  });

  // Candidates for up to MAX_READ_SLOTS slots, each with the signatures that prove who proposed and
  // who voted (a witness believes nothing else), in at most REPLY_LIMIT bytes.
  app.get('/v1/candidates', async (req, reply) => {
    const q = (req.query as { slot?: string | string[] }).slot;
    const slots = [...new Set((Array.isArray(q) ? q : q ? [q] : []).filter((s) => /^0x[0-9a-f]{64}$/.test(s)))].slice(0, MAX_READ_SLOTS) as Hex[];
    const parts: string[] = [];
    let bytes = 0;
    const truncated: Hex[] = [];
    for (const slot of slots) {
      const entries = store.candidatesFor(slot).map((c) =>
        JSON.stringify({
          slot,
          hash: c.hash,
          candidate: candidateToWire(c.candidate),
          proposals: [...c.proposals].map(([proposer, signature]) => ({ proposer, signature })),
          votes: [...c.votes.values()].map((v) => ({ witnessIndex: v.witnessIndex, deadline: v.deadline.toString(), r: v.r, vs: v.vs })),
        }),
      );
      const size = entries.reduce((n, e) => n + e.length + 1, 0);
      if (bytes + size > REPLY_LIMIT) {
        truncated.push(slot);
        continue;
      }
      bytes += size;
      parts.push(...entries);
    }
    const final = slots.flatMap((s) => {
      const f = view.recentFinal.get(s);
      return f ? [{ slot: s, hash: f.hash }] : [];
    });
    return reply.type('application/json').send(`{"candidates":[${parts.join(',')}],"final":${JSON.stringify(final)},"truncated":${JSON.stringify(truncated)}}`);
  });

  const port = await listen(app, o.host, o.port);
  o.log.info({ port, ledger: o.ledger, relayer: o.account.address, chainId: o.conn.chain.id }, 'relayer listening');

  /** The items the ledger would take now: a call with the whole batch first, and only when that
   *  reverts, one call per item, leaving out those that revert. Nothing is paid for a refusal. */
  const acceptable = async (items: BatchItem[]): Promise<BatchItem[]> => {
    const simulate = (xs: BatchItem[]) =>
      o.conn.publicClient
        .call({ account: o.account.address, to: o.ledger, data: batchData(xs), gas: batchGasLimit(xs.length) })
        .then(() => null)
        .catch((e: unknown) => shortError(e));
    if ((await simulate(items)) === null) return items;
    const kept: BatchItem[] = [];
    for (const item of items) {
      const why = await simulate([item]);
      if (why === null) kept.push(item);
      else {
        m.dropped.inc();
        o.log.warn({ slot: item.stored.slot, hash: item.stored.hash, deadline: item.deadline.toString(), signers: item.signatures.map((s) => s.witnessIndex), why }, 'batch item left out: the ledger would refuse it');
      }
    }
    return kept;
  };

  // Batches fill up to half a block's gas (the rest is left to others); a full one is followed by
  // more in flight at once, each for streams the others do not touch, with nonces kept here.
  const blockGas = (await o.conn.publicClient.getBlock({ blockTag: 'latest' })).gasLimit;
  const maxItems = Math.min(o.maxBatch, itemsForGas(blockGas, batchGasLimit));
  const maxInFlight = o.maxInFlight ?? 4;
  const readiness = new Readiness();
  /** Streams with a batch of ours in flight, and the batches themselves. */
  const busyStreams = new Set<Hex>();
  const inFlight = new Set<Promise<void>>();
  // What an earlier run of this key sent lands first (its nonces are not ours to reuse).
  await waitForInFlight(o.conn, o.account.address);
  let nonce = await o.conn.publicClient.getTransactionCount({ address: o.account.address, blockTag: 'pending' });

  const tick = async () => {
    for (const { slot, hash } of await view.refresh()) {
      const ours = store.candidatesFor(slot).find((c) => c.hash === hash);
      if (ours) m.latency.observe((Date.now() - ours.firstSeenMs) / 1000);
      store.settle(slot);
      readiness.forget(slot);
    }
    m.head.set(Number(view.scannedTo));
    const expired = store.expire(Date.now());
    if (expired) {
      m.expired.inc(expired);
      readiness.prune((slot) => store.hasSlot(slot));
      o.log.info({ expired }, 'slots expired unfinalized');
    }
    m.pending.set(store.candidateCount);
    m.slots.set(store.slotCount);
    if (inFlight.size >= maxInFlight) return;
    const nowSec = BigInt(Math.floor(Date.now() / 1000));
    let items = notInFlight(buildBatch(store, view.heads, (i) => view.isMember(i), view.membership.quorum, nowSec, o.deadlineMarginSec, maxItems), busyStreams);
    if (o.lead) {
      const all = items.length;
      items = readiness.select(items, o.lead, Date.now());
      if (!items.length && all) return;
    } else if (items.length) {
      // Relayers side by side that do not split the streams see the same quorums at about the same
      // moment. A random pause of up to one poll interval, then a last look at the chain, lets the
      // first one's batch land and the others drop what it finalized instead of paying for items the
      // ledger would skip.
      await loop.sleep(Math.random() * o.pollMs);
      if (loop.stopped) return;
      const latest = await view.finalizedOf([...new Set(items.map((i) => i.stored.slot))], 'latest');
      items = items.filter((i) => /^0x0+$/.test(latest.get(i.stored.slot) ?? '0x0'));
    }
    if (!items.length) return;
    // A batch is filled, not hurried: while one of ours is in flight, the next goes only when it is
    // full (the items would not fit in the one in flight anyway); otherwise it waits for that one to
    // land, gathering the observations that become ready meanwhile (about a block's worth).
    if (inFlight.size > 0 && items.length < maxItems) return;
    items = await acceptable(items);
    if (!items.length) return;
    const streams = [...new Set(items.map((i) => i.stored.candidate.header.streamHash))];
    for (const st of streams) busyStreams.add(st);
    const taken = o.lead ? items.filter((i) => leaderOfItem(i, o.lead!) !== o.lead!.index).length : 0;
    let sent: Awaited<ReturnType<typeof submitTx>>;
    try {
      sent = await submitTx(o.conn, o.account, { to: o.ledger, data: batchData(items), gas: batchGasLimit(items.length), nonce, abi: observationLedgerAbi }, `relayer batch of ${items.length}`);
      nonce++;
    } catch (e) {
      for (const st of streams) busyStreams.delete(st);
      m.batches.inc({ outcome: 'failed' });
      // The node refused it: the next nonce is whatever the chain says now.
      nonce = await o.conn.publicClient.getTransactionCount({ address: o.account.address, blockTag: 'pending' });
      throw e;
    }
    m.items.observe(items.length);
    if (taken) m.takenOver.inc(taken);
    const landing: Promise<void> = sent
      .landed()
      .then((receipt) => {
        const finalized = countFinalized(receipt.logs, o.ledger);
        const observations = new Set(items.map((i) => i.stored.slot)).size;
        m.batches.inc({ outcome: 'mined' });
        m.finalized.inc(finalized);
        m.gas.inc(Number(receipt.gasUsed));
        m.skipped.inc(observations - finalized);
        o.log.info({ items: items.length, observations, finalized, skipped: observations - finalized, takenOver: taken, gasUsed: receipt.gasUsed.toString(), tx: receipt.transactionHash }, 'batch');
      })
      .catch(async (e: unknown) => {
        m.batches.inc({ outcome: /reverted/.test(String((e as Error).message)) ? 'reverted' : 'failed' });
        m.rpcErrors.inc();
        o.log.warn({ err: shortError(e), tx: sent.hash }, 'relayer batch failed');
        nonce = Math.max(nonce, await o.conn.publicClient.getTransactionCount({ address: o.account.address, blockTag: 'pending' }).catch(() => nonce));
      })
      .finally(() => {
        for (const st of streams) busyStreams.delete(st);
        inFlight.delete(landing);
        m.inFlight.set(inFlight.size);
      });
    inFlight.add(landing);
    m.inFlight.set(inFlight.size);
  };

  const done = loop.run(tick);

  return {
    port,
    app,
    done,
    async stop() {
      const stopped = loop.stop();
      await app.close();
      await stopped;
      // Batches in flight are given a while to land (their receipts are counted), not forever.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(inFlight), new Promise<void>((r) => (timer = setTimeout(r, 10_000)))]);
      clearTimeout(timer);
      o.log.info({ inFlight: inFlight.size }, 'relayer stopped');
    },
  };
}

const leaderOfItem = (i: BatchItem, lead: Lead) => leaderOf(i.stored.candidate.header.streamHash, lead.count);

function batchData(items: BatchItem[]): Hex {
  const args = items.map((i) => ({ header: i.stored.candidate.header, deadline: i.deadline, signatures: i.signatures }));
  return encodeFunctionData({ abi: observationLedgerAbi, functionName: 'submitSignOffBatch', args: [args] });
}

function issues(e: ZodError): string {
  return e.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
    .join('; ');
}

function countFinalized(logs: readonly { address: Address; topics: readonly Hex[]; data: Hex }[], ledger: Address): number {
  let n = 0;
  for (const log of logs) {
    if (log.address.toLowerCase() !== ledger.toLowerCase()) continue;
    try {
      const ev = decodeEventLog({ abi: observationLedgerAbi, data: log.data, topics: log.topics as [Hex, ...Hex[]] });
      if (ev.eventName === 'ObservationFinalized') n++;
    } catch {
      // another event of another contract
    }
  }
  return n;
}
