// `rail relayer`: a long-running process where witnesses post proposals and EIP-712 sign-offs
// (contracts/docs/Protocol.md). It verifies each sign-off before keeping it (a current member's
// index, the signer at that index, the ledger's domain, a live deadline, a well-formed candidate),
// and sends a batch whenever candidates reach quorum in chain order. Any number of relayers can run
// side by side: the ledger skips a batch item whose slot another relayer finalized first.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram } from 'prom-client';
import { compactSignatureToSignature, decodeEventLog, encodeFunctionData, recoverAddress, serializeSignature, zeroAddress, type Address, type Hex } from 'viem';
import type { ZodError } from 'zod';
import type { PrivateKeyAccount } from 'viem/accounts';
import type { RailConnection } from '../connection.js';
import { observationLedgerAbi } from '../contracts.js';
import { observationHash, observationSlot } from '../observation.js';
import { candidateProblem, candidateToWire, proposalDigest, proposalWire, signOffWire, ZERO_HASH, type Candidate } from '../protocol/candidate.js';
import { initKeccak } from '../archive/merkle.js';
import { ChainView } from '../protocol/chain-view.js';
import { ledgerDomain, signOffDigester } from '../signoff.js';
import { batchGasLimit } from '../submit.js';
import { sendTx, waitForInFlight } from '../tx.js';
import { PollLoop } from '../ops/loop.js';
import { listen, makeRegistry, opsServer } from '../ops/observability.js';
import { buildBatch, CandidateStore, type StoreLimits } from './store.js';

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
  log: Logger;
}

export interface RunningRelayer {
  port: number;
  app: FastifyInstance;
  /** Stops taking requests, lets a batch in flight land, and closes. */
  stop(): Promise<void>;
  done: Promise<void>;
}

/** HTTP body limit: one sign-off with its candidate is under 2 KiB. */
export const BODY_LIMIT = 16 * 1024;

export async function startRelayer(o: RelayerOptions): Promise<RunningRelayer> {
  await initKeccak();
  const registry = makeRegistry('ecp_relayer');
  const m = {
    signatures: new Counter({ name: 'ecp_relayer_signatures_total', help: 'Sign-offs posted, by result (accepted, duplicate, refused) and reason', labelNames: ['result', 'reason'], registers: [registry] }),
    pending: new Gauge({ name: 'ecp_relayer_pending_candidates', help: 'Candidates held, not final on chain', registers: [registry] }),
    slots: new Gauge({ name: 'ecp_relayer_pending_slots', help: 'Slots held, not final on chain', registers: [registry] }),
    batches: new Counter({ name: 'ecp_relayer_batches_total', help: 'Batches sent, by outcome', labelNames: ['outcome'], registers: [registry] }),
    finalized: new Counter({ name: 'ecp_relayer_finalized_total', help: 'Observations this relayer finalized', registers: [registry] }),
    skipped: new Counter({ name: 'ecp_relayer_skipped_total', help: 'Batch items the ledger skipped (finalized first by someone else)', registers: [registry] }),
    evicted: new Gauge({ name: 'ecp_relayer_evicted_slots', help: 'Slots dropped because the store was full', registers: [registry] }),
    rpcErrors: new Counter({ name: 'ecp_relayer_rpc_errors_total', help: 'Failed chain reads or sends', registers: [registry] }),
    latency: new Histogram({ name: 'ecp_relayer_finality_latency_seconds', help: 'From the first sign-off seen to finality on chain', buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300], registers: [registry] }),
    gas: new Counter({ name: 'ecp_relayer_gas_used_total', help: 'Gas used by this relayer\'s batches', registers: [registry] }),
    head: new Gauge({ name: 'ecp_relayer_chain_scanned_block', help: 'Ledger logs read up to this block', registers: [registry] }),
  };
  const view = new ChainView(o.conn, o.ledger, o.fromBlock);
  await view.refresh();
  const store = new CandidateStore(o.limits);
  const domain = ledgerDomain(o.conn.chain.id, o.ledger);
  const digestOf = signOffDigester(domain);
  const finalizedSeen = new Map<Hex, Hex>();

  const loop = new PollLoop(o.pollMs, (err) => {
    m.rpcErrors.inc();
    o.log.warn({ err }, 'relayer tick failed; retrying');
  });
  const app = opsServer(registry, { problem: () => (Date.now() - view.lastRefreshAt > Math.max(30_000, o.pollMs * 20) ? `no successful chain read for ${Math.round((Date.now() - view.lastRefreshAt) / 1000)} s (${loop.lastError ?? 'unknown'})` : null) }, { bodyLimit: BODY_LIMIT });

  const refuse = (reply: { code(n: number): { send(b: unknown): unknown } }, status: number, reason: string, detail: string) => {
    m.signatures.inc({ result: 'refused', reason });
    return reply.code(status).send({ accepted: false, reason, detail });
  };

  /** The checks every post shares, cheapest first: membership, finality, the candidate's face, its
   *  deadline. Returns the slot and hash, or sends the refusal. */
  const admit = (reply: Parameters<typeof refuse>[0], candidate: Candidate, index: number): { slot: Hex; hash: Hex } | undefined => {
    // Non-members are refused before any hashing or signature recovery.
    if (!view.isMember(index)) return void refuse(reply, 403, 'not-a-member', `index ${index} is not a current member's`);
    const h = candidate.header;
    const slot = observationSlot(h.streamHash, h.epochHash);
    const final = finalizedSeen.get(slot);
    if (final) return void refuse(reply, 409, 'final', `slot ${slot} is final with ${final}`);
    const problem = candidateProblem(candidate);
    if (problem) return void refuse(reply, 422, 'invalid-candidate', problem);
    const nowSec = BigInt(Math.floor(Date.now() / 1000));
    if (candidate.deadline < nowSec + o.deadlineMarginSec || candidate.deadline > nowSec + o.maxDeadlineSec) {
      return void refuse(reply, 422, 'deadline', `deadline ${candidate.deadline} is outside [now+${o.deadlineMarginSec}, now+${o.maxDeadlineSec}] s`);
    }
    return { slot, hash: observationHash(h) };
  };

  const signerIs = async (digest: Hex, signature: Hex, index: number): Promise<Address | null> => {
    try {
      const signer = await recoverAddress({ hash: digest, signature });
      return signer === view.membership.addressOf.get(index) ? null : signer;
    } catch {
      return zeroAddress;
    }
  };

  const answer = (reply: Parameters<typeof refuse>[0], slot: Hex, hash: Hex, result: string) => {
    if (result === 'slot-full') return refuse(reply, 429, 'slot-full', `slot ${slot} already holds ${o.limits.maxCandidatesPerSlot} candidates`);
    m.signatures.inc({ result: result === 'duplicate' ? 'duplicate' : 'accepted', reason: result });
    m.pending.set(store.candidateCount);
    m.slots.set(store.slotCount);
    const c = store.candidatesFor(slot).find((x) => x.hash === hash);
    return reply.code(202).send({ accepted: true, result, hash, signers: [...(c?.signatures.keys() ?? [])], proposers: [...(c?.proposers ?? [])] });
  };

  // A vote: one witness's EIP-712 sign-off on a candidate.
  app.post('/v1/signoffs', async (req, reply) => {
    const parsed = signOffWire.safeParse(req.body);
    if (!parsed.success) return refuse(reply, 400, 'malformed', issues(parsed.error));
    const { signature } = parsed.data;
    const candidate: Candidate = parsed.data.candidate;
    const ok = admit(reply, candidate, signature.witnessIndex);
    if (!ok) return reply;
    const wrong = await signerIs(
      digestOf(ok.hash, candidate.deadline, signature.witnessIndex),
      serializeSignature(compactSignatureToSignature({ r: signature.r, yParityAndS: signature.vs })),
      signature.witnessIndex,
    );
    if (wrong) return refuse(reply, 403, 'bad-signature', `the sign-off recovers to ${wrong}, not the witness at index ${signature.witnessIndex} (wrong ledger, chain, deadline or candidate?)`);
    return answer(reply, ok.slot, ok.hash, store.addSignature(candidate, ok.hash, ok.slot, signature, Date.now()));
  });

  // A proposal: a candidate put up for a vote by a member, without its vote.
  app.post('/v1/proposals', async (req, reply) => {
    const parsed = proposalWire.safeParse(req.body);
    if (!parsed.success) return refuse(reply, 400, 'malformed', issues(parsed.error));
    const { proposer, signature } = parsed.data;
    const candidate: Candidate = parsed.data.candidate;
    const ok = admit(reply, candidate, proposer);
    if (!ok) return reply;
    const wrong = await signerIs(proposalDigest(domain, ok.hash, proposer), signature, proposer);
    if (wrong) return refuse(reply, 403, 'bad-signature', `the proposal recovers to ${wrong}, not the witness at index ${proposer}`);
    return answer(reply, ok.slot, ok.hash, store.addProposal(candidate, ok.hash, ok.slot, proposer, Date.now()));
  });

  // Candidates for up to 256 slots: what witnesses verify and sign. Each lists its signers' indices.
  app.get('/v1/candidates', async (req, reply) => {
    const q = (req.query as { slot?: string | string[] }).slot;
    const slots = (Array.isArray(q) ? q : q ? [q] : []).filter((s) => /^0x[0-9a-f]{64}$/.test(s)).slice(0, 256) as Hex[];
    const out = slots.flatMap((slot) =>
      store.candidatesFor(slot).map((c) => ({ slot, hash: c.hash, candidate: candidateToWire(c.candidate), proposers: [...c.proposers].sort((a, b) => a - b), signers: [...c.signatures.keys()].sort((a, b) => a - b) })),
    );
    return reply.send({ candidates: out, final: slots.filter((s) => finalizedSeen.has(s)).map((s) => ({ slot: s, hash: finalizedSeen.get(s) })) });
  });

  const port = await listen(app, o.host, o.port);
  o.log.info({ port, ledger: o.ledger, relayer: o.account.address, chainId: o.conn.chain.id }, 'relayer listening');


  const tick = async () => {
    await view.refresh();
    m.head.set(Number(view.scannedTo));
    const slots = store.allSlots();
    if (slots.length) {
      const finals = await view.finalizedOf(slots);
      for (const [slot, hash] of finals) {
        if (hash === ZERO_HASH) continue;
        const ours = store.candidatesFor(slot).find((c) => c.hash === hash);
        if (ours) m.latency.observe((Date.now() - ours.firstSeenMs) / 1000);
        finalizedSeen.set(slot, hash);
        if (finalizedSeen.size > o.limits.maxSlots) finalizedSeen.delete(finalizedSeen.keys().next().value!);
        store.settle(slot);
      }
    }
    m.pending.set(store.candidateCount);
    m.slots.set(store.slotCount);
    m.evicted.set(store.evicted);
    const nowSec = BigInt(Math.floor(Date.now() / 1000));
    let items = buildBatch(store, view.heads, (i) => view.isMember(i), view.membership.quorum, nowSec, o.deadlineMarginSec, o.maxBatch);
    if (!items.length) return;
    // Relayers side by side see the same quorums at about the same moment. A random pause of up to
    // one poll interval, then a last look at the chain, lets the first one's batch land and the
    // others drop what it finalized instead of paying for items the ledger would skip.
    await loop.sleep(Math.random() * o.pollMs);
    if (loop.stopped) return;
    const latest = await view.finalizedOf(items.map((i) => i.stored.slot), 'latest');
    items = items.filter((i) => latest.get(i.stored.slot) === ZERO_HASH);
    if (!items.length) return;
    await waitForInFlight(o.conn, o.account.address);
    const args = items.map((i) => ({ header: i.stored.candidate.header, deadline: i.stored.candidate.deadline, signatures: i.signatures }));
    try {
      const receipt = await sendTx(
        o.conn,
        o.account,
        { to: o.ledger, data: encodeFunctionData({ abi: observationLedgerAbi, functionName: 'submitSignOffBatch', args: [args] }), gas: batchGasLimit(items.length), abi: observationLedgerAbi },
        `relayer batch of ${items.length}`,
      );
      const finalized = countFinalized(receipt.logs, o.ledger);
      m.batches.inc({ outcome: 'mined' });
      m.finalized.inc(finalized);
      m.gas.inc(Number(receipt.gasUsed));
      m.skipped.inc(items.length - finalized);
      o.log.info({ items: items.length, finalized, skipped: items.length - finalized, gasUsed: receipt.gasUsed.toString(), tx: receipt.transactionHash }, 'batch');
    } catch (e) {
      m.batches.inc({ outcome: 'failed' });
      throw e;
    }
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
      o.log.info('relayer stopped');
    },
  };
}

function issues(e: ZodError): string {
  return e.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
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
