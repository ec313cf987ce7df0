// `rail witness`: one witness, one key, its own archive (contracts/docs/Protocol.md). It follows the
// archive as it grows, and for each (stream, epoch) it observed it signs exactly one candidate: the
// best-ranked proposal it can verify against its own line, or its own when its turn comes or when
// its content differs. It gives a slot up after a bounded time so its stream never stalls, and it
// resumes from the chain and its durable record after a crash.
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram } from 'prom-client';
import { encodeFunctionData, type Address, type Hex } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { parseLine } from '../archive/derive.js';
import { followArchive } from '../archive/follow.js';
import { initKeccak } from '../archive/merkle.js';
import type { RailConnection } from '../connection.js';
import { shortError } from '../connection.js';
import { observationLedgerAbi } from '../contracts.js';
import { PollLoop } from '../ops/loop.js';
import { listen, makeRegistry, opsServer } from '../ops/observability.js';
import {
  candidateHash,
  candidateToWire,
  candidateWire,
  ownObservationOf,
  proposeCandidate,
  proposerOrder,
  proposalDigester,
  verifyCandidate,
  voteDeadline,
  ZERO_HASH,
  type Base,
  type Candidate,
  type OwnObservation,
} from '../protocol/candidate.js';
import { bitsOf, ChainView } from '../protocol/chain-view.js';
import { ledgerDomain, signOffDigester, signSignOffDigest, type WitnessSignature } from '../signoff.js';
import { sendTx, waitForInFlight } from '../tx.js';
import { Board, DEFAULT_BOARD_LIMITS, type BoardCandidate } from './board.js';
import { SignatureCheck } from '../protocol/signatures.js';
import { WitnessRecord } from './record.js';

export interface WitnessOptions {
  conn: RailConnection;
  ledger: Address;
  account: PrivateKeyAccount;
  archive: string;
  stateDir: string;
  mode: 'relayed' | 'witness-tx';
  relayers: string[];
  /** How far a candidate's observedUnixMs may lie from ours. */
  toleranceMs: number;
  /** Rank r of a slot's proposing order may propose, and its proposal be signed, r steps after the
   *  witness opened the slot. */
  proposeStepMs: number;
  /** A slot not final this long after it was opened is given up; the stream goes on. */
  giveUpMs: number;
  deadlineWindowSec: bigint;
  minDeadlineSec: bigint;
  pollMs: number;
  /** Slots held open at once (backpressure on the archive). */
  maxOpen: number;
  /** Signed, not yet final candidates per stream (how far a witness runs ahead of the chain). */
  maxPipeline: number;
  fromBlock: bigint;
  host: string;
  port: number;
  log: Logger;
}

interface OpenSlot {
  own: OwnObservation;
  /** When the slot's turn came: the first tick that considered it with everything before it in its
   *  stream decided. Proposal ranks and the give-up bound count from here, not from when the line
   *  was read (a backlog is read long before its turn). */
  turnAt?: number;
  openedAt: number;
  signed?: { candidate: Candidate; hash: Hex; signature: WitnessSignature };
  /** Our own candidate, once built (kept while its base stays the one we accept). */
  ownCandidate?: { candidate: Candidate; hash: Hex; posted: boolean };
  lastPostAt: number;
  dissented: boolean;
  /** When we first saw an unproven candidate further along the stream than ours (see `behind`). */
  behindSince?: number;
}

export interface RunningWitness {
  port: number;
  app: FastifyInstance;
  stop(): Promise<void>;
  done: Promise<void>;
}

export async function startWitness(o: WitnessOptions): Promise<RunningWitness> {
  await initKeccak();
  const registry = makeRegistry('ecp_witness');
  const m = {
    lines: new Counter({ name: 'ecp_witness_archive_lines_total', help: 'Archive lines read, by result', labelNames: ['result'], registers: [registry] }),
    proposed: new Counter({ name: 'ecp_witness_proposed_total', help: 'Candidates this witness proposed, by why (turn, dissent)', labelNames: ['why'], registers: [registry] }),
    signed: new Counter({ name: 'ecp_witness_signed_total', help: 'Candidates this witness signed', registers: [registry] }),
    finalized: new Counter({ name: 'ecp_witness_finalized_total', help: 'Open slots that finalized, by outcome (ours, lost, unsigned)', labelNames: ['outcome'], registers: [registry] }),
    skipped: new Counter({ name: 'ecp_witness_skipped_total', help: 'Slots given up, by reason', labelNames: ['reason'], registers: [registry] }),
    dissent: new Counter({ name: 'ecp_witness_dissent_total', help: 'Slots where a candidate differed from our own content', registers: [registry] }),
    refused: new Counter({ name: 'ecp_witness_refused_candidates_total', help: 'Candidates refused, by reason', labelNames: ['reason'], registers: [registry] }),
    pending: new Gauge({ name: 'ecp_witness_pending_slots', help: 'Slots open (observed, not final, not given up)', registers: [registry] }),
    latency: new Histogram({ name: 'ecp_witness_finality_latency_seconds', help: 'From a slot\'s turn (everything before it in its stream decided) to its finality on chain', buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300], registers: [registry] }),
    rpcErrors: new Counter({ name: 'ecp_witness_rpc_errors_total', help: 'Failed chain reads or sends', registers: [registry] }),
    postErrors: new Counter({ name: 'ecp_witness_relayer_errors_total', help: 'Failed posts to or reads from relayers', registers: [registry] }),
    member: new Gauge({ name: 'ecp_witness_member', help: '1 while this key is a current member of the ledger', registers: [registry] }),
    unproven: new Counter({ name: 'ecp_witness_unproven_claims_total', help: 'Claims read from relayers that their signatures do not prove, by kind (vote, proposal)', labelNames: ['kind'], registers: [registry] }),
    syncs: new Counter({ name: 'ecp_witness_record_syncs_total', help: 'Disk syncs of the witness record (one per pass that signed, and one per slot given up)', registers: [registry] }),
    unreachable: new Gauge({ name: 'ecp_witness_relayers_unreachable', help: 'Relayers this witness cannot reach now (backing off after a failed post or read)', registers: [registry] }),
  };

  const view = new ChainView(o.conn, o.ledger, o.fromBlock);
  await view.refresh();
  const record = await WitnessRecord.open(path.join(o.stateDir, `witness-${o.conn.chain.id}-${o.ledger.toLowerCase()}-${o.account.address.toLowerCase()}.jsonl`));
  const board = new Board(o.relayers, DEFAULT_BOARD_LIMITS, (p) => {
    m.postErrors.inc();
    o.log.warn({ relayer: p.relayer, reason: p.reason, detail: p.detail }, 'a relayer refused or failed a post or read');
  });
  const domain = ledgerDomain(o.conn.chain.id, o.ledger);
  const signatures = new SignatureCheck(domain);
  /** How long an unproven "further along" candidate holds our own vote back: long enough for a read
   *  of the chain that is behind by one poll to catch up, no longer. */
  const behindGraceMs = Math.max(500, 3 * o.pollMs);
  const digestOf = signOffDigester(domain);
  const proposalDigestOf = proposalDigester(domain);
  const streams = new Map<Hex, OpenSlot[]>();
  /** Every open slot by its id (the same objects as in `streams`). */
  const openSlots = new Map<Hex, OpenSlot>();
  /** Open slots whose finality was read once from the ledger (after that, its logs tell). */
  const finalityRead = new Set<Hex>();
  /** Per stream, the end of the latest epoch we saw final (a line for an earlier epoch is too late). */
  const finalEpochEnd = new Map<Hex, number>();
  const loop = new PollLoop(o.pollMs, (err) => {
    m.rpcErrors.inc();
    o.log.warn({ err }, 'witness tick failed; retrying');
  });
  /** Why the archive intake stopped, if it did. */
  let intakeError: string | null = null;
  const abort = new AbortController();

  const myIndex = () => view.membership.indexOf.get(o.account.address);
  const app = opsServer(registry, {
    problem: () => {
      if (intakeError) return `the archive intake stopped: ${intakeError}`;
      if (myIndex() === undefined) return `${o.account.address} is not a current member of ledger ${o.ledger}`;
      if (Date.now() - view.lastRefreshAt > Math.max(30_000, o.pollMs * 20)) return `no successful chain read for ${Math.round((Date.now() - view.lastRefreshAt) / 1000)} s (${loop.lastError ?? 'unknown'})`;
      return null;
    },
  });
  const port = await listen(app, o.host, o.port);
  o.log.info({ port, witness: o.account.address, ledger: o.ledger, chainId: o.conn.chain.id, mode: o.mode, relayers: o.relayers, record: record.file, recorded: record.size }, 'witness started');

  // -- Archive intake (runs beside the loop; pauses while maxOpen slots are open) --
  let room: (() => void) | undefined;
  const intake = (async () => {
    for await (const item of followArchive(o.archive, { signal: abort.signal, pollMs: Math.max(50, Math.min(o.pollMs, 500)) })) {
      if ('tooLong' in item) {
        m.lines.inc({ result: 'invalid' });
        o.log.warn({ file: item.file, line: item.line }, 'archive line over 4 MiB skipped');
        continue;
      }
      if (item.raw.trim() === '') continue;
      const parsed = parseLine(item.raw, item.file, item.line);
      if ('error' in parsed) {
        m.lines.inc({ result: 'invalid' });
        o.log.warn({ file: item.file, line: item.line, reason: parsed.error.reason }, 'archive line refused');
        continue;
      }
      m.lines.inc({ result: 'valid' });
      open(ownObservationOf(parsed.entry));
      while (openSlots.size >= o.maxOpen && !loop.stopped) await new Promise<void>((r) => (room = r));
      if (loop.stopped) break;
    }
  })().catch((e: unknown) => {
    intakeError = shortError(e);
    o.log.error({ err: intakeError }, 'archive intake stopped');
  });

  function open(own: OwnObservation): void {
    if (openSlots.has(own.slot)) return;
    const decided = record.get(own.slot);
    if (decided?.kind === 'skipped') return;
    const end = finalEpochEnd.get(own.streamHash);
    if (end !== undefined && own.epoch.startUnixMs < end && !decided) {
      m.skipped.inc({ reason: 'late' });
      o.log.info({ slot: own.slot, stream: own.epoch.stream, epoch: own.epoch.id }, 'line arrived after a later epoch of its stream finalized; not proposed');
      return;
    }
    const slot: OpenSlot = { own, openedAt: Date.now(), lastPostAt: 0, dissented: false };
    if (decided?.kind === 'signed') {
      const wire = candidateWire.safeParse(decided.candidate);
      if (wire.success) slot.signed = { candidate: wire.data, hash: decided.hash, signature: { witnessIndex: -1, r: '0x', vs: '0x' } };
      else slot.signed = undefined;
      if (!slot.signed) {
        // Signed before, but the candidate is not in the record: nothing can be re-posted, and
        // nothing else may be signed. Treat it as given up.
        void record.skip(own.slot, 'record holds a signature without its candidate');
        return;
      }
    }
    const list = streams.get(own.streamHash) ?? [];
    let i = list.length;
    while (i > 0 && list[i - 1]!.own.epoch.startUnixMs > own.epoch.startUnixMs) i--;
    list.splice(i, 0, slot);
    streams.set(own.streamHash, list);
    openSlots.set(own.slot, slot);
  }

  function close(slot: OpenSlot): void {
    openSlots.delete(slot.own.slot);
    finalityRead.delete(slot.own.slot);
    const list = streams.get(slot.own.streamHash)!;
    list.splice(list.indexOf(slot), 1);
    if (!list.length) streams.delete(slot.own.streamHash);
    if (openSlots.size < o.maxOpen && room) {
      const r = room;
      room = undefined;
      r();
    }
  }

  /** The members whose votes on `bc` its signatures prove (a relayer's claim alone counts for
   *  nothing). */
  async function provenVoters(bc: BoardCandidate): Promise<Set<number>> {
    const out = new Set<number>();
    for (const v of bc.votes) {
      if (out.has(v.witnessIndex) || !view.isMember(v.witnessIndex)) continue;
      if (await signatures.isVoteBy(bc.hash, v, view.membership.addressOf.get(v.witnessIndex))) out.add(v.witnessIndex);
      else m.unproven.inc({ kind: 'vote' });
    }
    return out;
  }

  /** The members whose proposals of `bc` their signatures prove. */
  async function provenProposers(bc: BoardCandidate): Promise<Set<number>> {
    const out = new Set<number>();
    for (const p of bc.proposals) {
      if (out.has(p.proposer) || !view.isMember(p.proposer)) continue;
      if (await signatures.isProposalBy(bc.hash, p.proposer, p.signature, view.membership.addressOf.get(p.proposer))) out.add(p.proposer);
      else m.unproven.inc({ kind: 'proposal' });
    }
    return out;
  }

  /** Signs `candidate` for `slot` in this pass: the signature is held back until the pass's
   *  signatures are all on disk (`recordPass`), and only then leaves this process. */
  async function sign(slot: OpenSlot, candidate: Candidate, hash: Hex, index: number, due: OpenSlot[]): Promise<void> {
    const signature = await signSignOffDigest(o.account, digestOf(hash, candidate.deadline, index), index);
    slot.signed = { candidate, hash, signature };
    due.push(slot);
  }

  /** Writes the pass's signatures to the record with one disk sync, then sends them. When the write
   *  fails, none of them is kept: nothing was sent, and the slots are decided again next pass. */
  async function recordPass(due: OpenSlot[]): Promise<void> {
    if (!due.length) return;
    try {
      await record.signMany(due.map((slot) => ({ slot: slot.own.slot, hash: slot.signed!.hash, candidate: candidateToWire(slot.signed!.candidate) })));
    } catch (e) {
      for (const slot of due) slot.signed = undefined;
      throw e;
    }
    m.signed.inc(due.length);
    m.syncs.inc();
    for (const slot of due) await publish(slot);
  }

  /** Sends our vote: to every relayer (relayed), or as our own signOff transaction (witness-tx). */
  async function publish(slot: OpenSlot): Promise<void> {
    const s = slot.signed!;
    slot.lastPostAt = Date.now();
    if (o.mode === 'relayed') {
      board.queueVote(s.candidate, s.signature);
      return;
    }
    // witness-tx: the vote is a transaction, and other witnesses count it only for a candidate they
    // can read from a relayer, so our proposal goes out first (bounded, like a read).
    await board.send(Math.max(250, 5 * o.pollMs));
    const recorded = await o.conn.publicClient.readContract({ address: o.ledger, abi: observationLedgerAbi, functionName: 'signOffsOf', args: [s.hash] });
    if ((recorded >> BigInt(s.signature.witnessIndex)) & 1n) return;
    await sendTx(
      o.conn,
      o.account,
      { to: o.ledger, data: encodeFunctionData({ abi: observationLedgerAbi, functionName: 'signOff', args: [s.candidate.header] }), gas: 300_000n, abi: observationLedgerAbi },
      `signOff on slot ${slot.own.slot}`,
    ).catch((e: unknown) => {
      // Final already (another witness completed the quorum first) is not a failure.
      if (!/SlotAlreadyFinalized/.test(String((e as Error).message))) throw e;
    });
  }

  /** Puts our own candidate up for a vote (no vote of ours in it). */
  async function propose(slot: OpenSlot, index: number, why: 'turn' | 'dissent', again = false): Promise<void> {
    const mine = slot.ownCandidate!;
    if (mine.posted && !again) return;
    const signature = await o.account.sign({ hash: proposalDigestOf(mine.hash, index) });
    if (!mine.posted) m.proposed.inc({ why });
    mine.posted = true;
    slot.lastPostAt = Date.now();
    board.queueProposal(mine.candidate, index, signature);
  }

  function giveUp(slot: OpenSlot, reason: string, detail: string): Promise<void> {
    m.skipped.inc({ reason });
    o.log.warn({ slot: slot.own.slot, stream: slot.own.epoch.stream, epoch: slot.own.epoch.id, reason, detail, signed: slot.signed?.hash }, 'slot given up');
    close(slot);
    m.syncs.inc();
    return record.skip(slot.own.slot, `${reason}: ${detail}`);
  }

  async function tick(): Promise<void> {
    await view.refresh();
    const index = myIndex();
    m.member.set(index === undefined ? 0 : 1);
    m.pending.set(openSlots.size);
    if (index === undefined || openSlots.size === 0) return;
    // Re-signed on restart: the record keeps candidates, signatures are deterministic (RFC 6979).
    for (const list of streams.values()) for (const s of list) if (s.signed && s.signed.signature.witnessIndex < 0) {
      s.signed.signature = await signSignOffDigest(o.account, digestOf(s.signed.hash, s.signed.candidate.deadline, index), index);
    }
    const slots = [...openSlots.keys()];
    // Finality comes from the ledger's logs (the view follows them); a slot is read once, when it
    // is first seen here, for what finalized before the logs this process has read.
    const unread = slots.filter((s) => !finalityRead.has(s));
    const once = unread.length ? await view.finalizedOf(unread) : new Map<Hex, Hex>();
    for (const s of unread) finalityRead.add(s);
    const finals = new Map(slots.map((s) => [s, view.recentFinal.get(s)?.hash ?? once.get(s) ?? ZERO_HASH] as const));
    const undecided = slots.filter((s) => finals.get(s) === `0x${'00'.repeat(32)}`);
    /** witness-tx: the votes the ledger itself records, per candidate hash. */
    const onChainVoters = new Map<Hex, number[]>();
    const read = dueForDecision(undecided);
    const fromBoard = { ...(await board.candidates(read, Math.max(1_000, 5 * o.pollMs))), read: new Set(read) };
    m.unreachable.set(board.unreachable().length);
    if (o.mode === 'witness-tx') {
      // Votes are transactions here: who voted for what is on chain, not at the relayers.
      const all = [...fromBoard.candidates.values()].flat();
      const bits = await Promise.all(all.map((bc) => o.conn.publicClient.readContract({ address: o.ledger, abi: observationLedgerAbi, functionName: 'signOffsOf', args: [bc.hash] })));
      all.forEach((bc, i) => onChainVoters.set(bc.hash, bitsOf(bits[i]!)));
    }
    const members = bitsOf(view.membership.mask);
    const now = Date.now();
    const nowSec = BigInt(Math.floor(now / 1000));
    /** The votes signed in this pass, to be recorded together. */
    const due: OpenSlot[] = [];
    try {
      await decide(index, finals, fromBoard, onChainVoters, members, now, nowSec, due);
    } catch (e) {
      // Not one of this pass's signatures is on disk: none of them may stay.
      for (const slot of due) slot.signed = undefined;
      throw e;
    }
    await recordPass(due);
    m.pending.set(openSlots.size);
    board.flush();
  }

  /** The unsigned slots this pass may decide: per stream, after its signed ones, as many as the
   *  pipeline has room for (a later slot waits for them, so reading its candidates would be wasted:
   *  under a backlog that is most of the open slots, on every poll). */
  function dueForDecision(undecided: Hex[]): Hex[] {
    const open = new Set(undecided);
    const out: Hex[] = [];
    for (const list of streams.values()) {
      let room = o.maxPipeline;
      for (const slot of list) {
        if (!open.has(slot.own.slot)) continue;
        if (room <= 0) break;
        room--;
        if (!slot.signed) out.push(slot.own.slot);
      }
    }
    return out;
  }

  async function decide(
    index: number,
    finals: Map<Hex, Hex>,
    fromBoard: { candidates: Map<Hex, BoardCandidate[]>; read: Set<Hex> },
    onChainVoters: Map<Hex, number[]>,
    members: number[],
    now: number,
    nowSec: bigint,
    due: OpenSlot[],
  ): Promise<void> {
    for (const [streamHash, list] of [...streams]) {
      const head = view.heads.get(streamHash);
      const dead = new Set<Hex>();
      let prevLive: OpenSlot | undefined;
      let pipeline = 0;
      for (const slot of [...list]) {
        const final = finals.get(slot.own.slot);
        // Opened while this pass read the chain and the relayers: its finality was not read, so it
        // (and what follows it in its stream) waits for the next pass, never taken for final.
        if (final === undefined) break;
        if (final !== `0x${'00'.repeat(32)}`) {
          const outcome = !slot.signed ? 'unsigned' : slot.signed.hash === final ? 'ours' : 'lost';
          const finalHeader = view.recentFinal.get(slot.own.slot)?.header;
          if (finalHeader && finalHeader.dataRoot !== slot.own.dataRoot && !slot.dissented) {
            // It finalized before we saw a candidate to refuse: our content still differs.
            slot.dissented = true;
            m.dissent.inc();
            o.log.warn({ slot: slot.own.slot, stream: slot.own.epoch.stream, epoch: slot.own.epoch.id, final, finalDataRoot: finalHeader.dataRoot, ours: slot.own.dataRoot }, 'the finalized observation differs from our archive');
          }
          m.finalized.inc({ outcome });
          o.log.debug({ slot: slot.own.slot, stream: slot.own.epoch.stream, epoch: slot.own.epoch.id, outcome, final }, 'slot final');
          m.latency.observe((now - (slot.turnAt ?? slot.openedAt)) / 1000);
          if (outcome === 'lost') o.log.warn({ slot: slot.own.slot, ours: slot.signed!.hash, final }, `slot final: ours ${slot.signed!.hash} lost to ${final}`);
          finalEpochEnd.set(streamHash, Math.max(finalEpochEnd.get(streamHash) ?? 0, slot.own.epoch.startUnixMs + slot.own.epoch.durationMs));
          close(slot);
          continue;
        }
        if (slot.signed) {
          const h = slot.signed.candidate.header;
          const overtaken = head && head.sequence >= h.sequence && head.hash !== slot.signed.hash;
          if (dead.has(h.parentObservationHash) || overtaken) {
            dead.add(slot.signed.hash);
            await giveUp(slot, 'superseded', overtaken ? `the stream's head moved to sequence ${head!.sequence} without it` : 'its parent was given up');
            continue;
          }
          slot.turnAt ??= now;
          if (now - slot.turnAt > o.giveUpMs) {
            dead.add(slot.signed.hash);
            await giveUp(slot, 'no-quorum', `not final ${o.giveUpMs} ms after its turn came`);
            continue;
          }
          // Re-posted now and then: a relayer that restarted has lost it.
          if (now - slot.lastPostAt > Math.max(5_000, o.proposeStepMs)) {
            if (slot.ownCandidate?.posted) await propose(slot, index, slot.dissented ? 'dissent' : 'turn', true);
            if (o.mode === 'relayed') await publish(slot);
            else slot.lastPostAt = now;
          }
          if (o.mode === 'witness-tx' && !prevLive && head?.hash === h.parentObservationHash) await finalizeIfReady(slot);
          prevLive = slot;
          if (++pipeline >= o.maxPipeline) break;
          continue;
        }
        // Undecided, and its candidates not read this pass (a slot before it was given up during the
        // pass): it waits for the next pass rather than decide blind.
        if (!fromBoard.read.has(slot.own.slot)) break;
        // Undecided: the base it may extend is our latest live signature before it, else the head.
        const base: Base | null = prevLive
          ? { hash: prevLive.signed!.hash, sequence: prevLive.signed!.candidate.header.sequence, epochEndUnixMs: prevLive.own.epoch.startUnixMs + prevLive.own.epoch.durationMs }
          : head
            ? { hash: head.hash, sequence: head.sequence, epochEndUnixMs: finalEpochEnd.get(streamHash) }
            : null;
        slot.turnAt ??= now;
        const order = proposerOrder(slot.own.slot, members);
        const myRank = order.indexOf(index);
        const eligible = Math.floor((now - slot.turnAt) / o.proposeStepMs);
        const ctx = { own: slot.own, bases: base ? [base] : [], toleranceMs: o.toleranceMs, nowSec, minDeadlineSec: o.minDeadlineSec, maxDeadlineSec: o.deadlineWindowSec * 2n };
        // Our own candidate extends the base we accept now; a new base means a new candidate.
        if (!slot.ownCandidate || slot.ownCandidate.candidate.header.parentObservationHash !== (base?.hash ?? ZERO_HASH)) {
          const c = proposeCandidate(slot.own, base, nowSec + o.deadlineWindowSec);
          slot.ownCandidate = { candidate: c, hash: candidateHash(c), posted: false };
        }
        // The candidates we may vote for: our own, and those that match our own line, each with the
        // votes and proposals their signatures prove. A candidate further along the stream than ours
        // extends an observation we have not seen final (we missed its epoch, or our read of the chain
        // is behind): we wait for the chain rather than vote on a parent about to be left behind,
        // but only while that is proven (votes from more members than may be dishonest) or for one
        // short grace, long enough for a lagging read to catch up. An unproven claim never stops us.
        const own = slot.ownCandidate;
        const options = new Map<Hex, { c: Candidate; hash: Hex; rank: number; voters: Set<number> }>([[own.hash, { c: own.candidate, hash: own.hash, rank: myRank >= 0 ? myRank : Infinity, voters: new Set() }]]);
        let further = false;
        let furtherProven = false;
        for (const bc of fromBoard.candidates.get(slot.own.slot) ?? []) {
          if (bc.candidate.header.sequence > own.candidate.header.sequence) {
            // Only one that matches our own line but for its parent says anything about our base.
            if (verifyCandidate(bc.candidate, ctx)?.reason !== 'parent') continue;
            further = true;
            if (!furtherProven) furtherProven = (await provenVoters(bc)).size > view.tolerated;
            continue;
          }
          if (bc.hash !== own.hash) {
            const refusal = verifyCandidate(bc.candidate, ctx);
            if (refusal) {
              m.refused.inc({ reason: refusal.reason });
              if (refusal.dissent && !slot.dissented) {
                slot.dissented = true;
                m.dissent.inc();
                o.log.warn({ slot: slot.own.slot, stream: slot.own.epoch.stream, epoch: slot.own.epoch.id, detail: refusal.detail }, 'a candidate differs from our archive; our own goes on record');
              }
              continue;
            }
          }
          const opt = options.get(bc.hash) ?? { c: bc.candidate, hash: bc.hash, rank: Infinity, voters: new Set<number>() };
          for (const v of await provenVoters(bc)) opt.voters.add(v);
          for (const p of await provenProposers(bc)) if (order.indexOf(p) >= 0) opt.rank = Math.min(opt.rank, order.indexOf(p));
          options.set(bc.hash, opt);
        }
        for (const opt of options.values()) for (const v of onChainVoters.get(opt.hash) ?? []) if (view.isMember(v)) opt.voters.add(v);
        if (further && !furtherProven) slot.behindSince ??= now;
        if (!further) slot.behindSince = undefined;
        const behind = furtherProven || (further && now - slot.behindSince! < behindGraceMs);
        // The candidate to vote for: the one with the most proven votes already (late witnesses join
        // the majority instead of splitting it); with no votes anywhere, the best-ranked proposal whose
        // turn has come, ours included. Ties go to the better rank, then to the lower hash.
        let best: { c: Candidate; hash: Hex; rank: number; votes: number; voters: Set<number> } | undefined;
        const better = (x: { rank: number; votes: number; hash: Hex }, y: typeof best) =>
          !y || x.votes > y.votes || (x.votes === y.votes && (x.rank < y.rank || (x.rank === y.rank && x.hash < y.hash)));
        if (!behind) {
          for (const opt of options.values()) {
            const x = { ...opt, votes: opt.voters.size };
            if ((x.votes > 0 || x.rank <= eligible) && better(x, best)) best = x;
          }
        }
        if (slot.dissented) await propose(slot, index, 'dissent');
        if (best) {
          o.log.debug({ slot: slot.own.slot, epoch: slot.own.epoch.id, vote: best.hash, rank: best.rank, votes: [...best.voters], myRank, eligible }, 'vote');
          // Our own candidate goes up as a proposal when its rank is what chose it (no votes yet), or
          // in witness-tx mode, where votes are transactions and other witnesses read candidates only
          // from proposals. A candidate that already has proven votes is on every relayer's board
          // with them (a vote carries its candidate): another proposal would only cost each relayer
          // and each witness one more signature to check.
          if (best.hash === own.hash && (best.votes === 0 || o.mode === 'witness-tx')) await propose(slot, index, 'turn');
          // The deadline others' votes already carry (most common first), else the candidate's own:
          // any is valid, and one shared deadline lets the votes travel as one batch item.
          const deadlines = [...(fromBoard.candidates.get(slot.own.slot) ?? []).filter((b) => b.hash === best!.hash).flatMap((b) => b.votes.filter((v) => best!.voters.has(v.witnessIndex)).map((v) => v.deadline))];
          const common = [...new Set(deadlines)].sort((a, b) => deadlines.filter((d) => d === b).length - deadlines.filter((d) => d === a).length);
          const deadline = voteDeadline([...common, best.c.deadline], ctx, nowSec + o.deadlineWindowSec);
          await sign(slot, { ...best.c, deadline }, best.hash, index, due);
        } else if (now - slot.turnAt > o.giveUpMs) {
          await giveUp(slot, 'no-candidate', `no candidate we could sign ${o.giveUpMs} ms after its turn came`);
          continue;
        } else break; // wait: later slots of this stream build on this one
        prevLive = slot;
        if (++pipeline >= o.maxPipeline) break;
      }
    }
  }

  async function finalizeIfReady(slot: OpenSlot): Promise<void> {
    const s = slot.signed!;
    const [counted, quorum] = await o.conn.publicClient.readContract({ address: o.ledger, abi: observationLedgerAbi, functionName: 'countSignOffs', args: [s.hash] });
    if (counted < quorum) return;
    await waitForInFlight(o.conn, o.account.address);
    await sendTx(
      o.conn,
      o.account,
      { to: o.ledger, data: encodeFunctionData({ abi: observationLedgerAbi, functionName: 'finalize', args: [s.candidate.header] }), gas: 300_000n, abi: observationLedgerAbi },
      `finalize slot ${slot.own.slot}`,
    ).catch((e: unknown) => {
      if (!/SlotAlreadyFinalized/.test(String((e as Error).message))) throw e;
    });
  }

  const done = loop.run(tick);

  return {
    port,
    app,
    done,
    async stop() {
      const stopped = loop.stop();
      abort.abort();
      room?.();
      await stopped;
      await board.close();
      await intake;
      await app.close();
      await record.close();
      o.log.info({ open: openSlots.size }, 'witness stopped');
    },
  };
}
