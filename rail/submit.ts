// Sign-off submission: plan which candidate of each slot the witnesses agree on, read what the
// ledger already has, and submit only what is missing (relayed batches or one transaction per
// witness). Every run starts from the chain's state, so a re-run after a crash submits only what is
// missing and never signs off twice.
import { BaseError, ContractFunctionRevertedError, encodeFunctionData, type Address, type Hex } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { observationLedgerAbi } from './contracts.js';
import { observationHash, observationSlot, type ObservationHeader } from './observation.js';
import { ledgerDomain, signOffDigester, signSignOffDigest, type WitnessSignature } from './signoff.js';
import type { RailConnection } from './connection.js';
import { ChainError } from './errors.js';
import { sendTx, waitForInFlight } from './tx.js';

export interface Derivation {
  witness: PrivateKeyAccount;
  headers: ObservationHeader[];
}

export interface Candidate {
  header: ObservationHeader;
  hash: Hex;
  signers: PrivateKeyAccount[];
}

/** One (stream, epoch) slot: the candidate a quorum of witnesses derived, and the others. */
export interface SlotPlan {
  slot: Hex;
  streamHash: Hex;
  sequence: bigint;
  agreed?: Candidate;
  dissent: Candidate[];
}

/** Groups the witnesses' derivations by slot and candidate, in the order the headers first appear
 *  (so each stream's observations stay in sequence order). */
export function planSlots(derivations: Derivation[], quorum: number): SlotPlan[] {
  const bySlot = new Map<Hex, Map<Hex, Candidate>>();
  const order: Hex[] = [];
  // Witnesses that derived the same header object share its hashes.
  const hashes = new WeakMap<ObservationHeader, { slot: Hex; hash: Hex }>();
  for (const { witness, headers } of derivations) {
    for (const header of headers) {
      let known = hashes.get(header);
      if (!known) {
        known = { slot: observationSlot(header.streamHash, header.epochHash), hash: observationHash(header) };
        hashes.set(header, known);
      }
      const { slot, hash } = known;
      let candidates = bySlot.get(slot);
      if (!candidates) {
        candidates = new Map();
        bySlot.set(slot, candidates);
        order.push(slot);
      }
      const c = candidates.get(hash) ?? { header, hash, signers: [] };
      c.signers.push(witness);
      candidates.set(hash, c);
    }
  }
  return order.map((slot) => {
    const all = [...bySlot.get(slot)!.values()].sort((a, b) => b.signers.length - a.signers.length);
    const agreed = all[0] && all[0].signers.length >= quorum ? all[0] : undefined;
    const first = all[0]!.header;
    return { slot, streamHash: first.streamHash, sequence: first.sequence, agreed, dissent: all.filter((c) => c !== agreed) };
  });
}

/** The gas a bridging ledger requires to be left before it calls the rail (its BRIDGE_GAS of 100,000,
 *  ·64/63, + 5,000); a batch's gas limit carries it once on top of the per-observation budget. */
export const RAIL_CALL_RESERVE = 106_587n;

/** The gas limit for a batch of `n` observations: ~121k per observation at worst (a bridged first
 *  observation of a new stream), plus the gas a bridging ledger must hold before each rail call. */
export function batchGasLimit(n: number): bigint {
  return BigInt(n) * 130_000n + 100_000n + RAIL_CALL_RESERVE;
}

/** Refuses, before anything is sent, a submission whose witnesses cannot reach the ledger's quorum:
 *  it names the quorum, how many of the given witnesses are members, and which are not. */
export async function checkQuorumReachable(conn: RailConnection, ledger: Address, witnesses: Address[]): Promise<void> {
  const [, quorum] = await conn.publicClient.readContract({ address: ledger, abi: observationLedgerAbi, functionName: 'membership' });
  const indexOf = await memberIndices(conn, ledger, witnesses);
  const members = witnesses.filter((w) => indexOf.has(w));
  if (BigInt(members.length) >= quorum) return;
  const outsiders = witnesses.filter((w) => !indexOf.has(w));
  throw new ChainError(
    `the ledger ${ledger} needs ${quorum} sign-offs, but only ${members.length} of the ${witnesses.length} witness keys given are its members` +
      `${outsiders.length ? ` (not members: ${outsiders.join(', ')})` : ''}. Nothing was sent. Give the members' keys (ECP_WITNESS_KEYS, --witnesses), or have the owner add these witnesses.`,
  );
}

export interface LedgerView {
  /** Slot → finalized ObservationHash (absent when not finalized). */
  finalized: Map<Hex, Hex>;
}

/** Reads the finalized hash of every planned slot (batched JSON-RPC). */
export async function readLedger(conn: RailConnection, ledger: Address, plans: SlotPlan[]): Promise<LedgerView> {
  const values = await Promise.all(
    plans.map((p) =>
      conn.publicClient.readContract({ address: ledger, abi: observationLedgerAbi, functionName: 'finalizedObservation', args: [p.slot] }),
    ),
  );
  const finalized = new Map<Hex, Hex>();
  values.forEach((v, i) => {
    if (BigInt(v) !== 0n) finalized.set(plans[i]!.slot, v);
  });
  return { finalized };
}

export interface Progress {
  done: number;
  total: number;
  phase: string;
}

export interface SubmitOptions {
  ledger: Address;
  /** Relayed mode: observations per transaction. */
  batchSize?: number;
  /** Relayed mode: seconds the signatures stay valid, from the chain's latest block time. */
  signatureWindowSeconds?: number;
  /** Relayed mode: batches sent ahead of their receipts. */
  maxInFlight?: number;
  onProgress?: (p: Progress) => void;
  /** Called once when an account still has `pending` transactions in flight from an earlier run. */
  onInFlight?: (pending: number) => void;
}

export interface SubmitReport {
  mode: 'relayed' | 'witness-tx';
  submitted: number;
  transactions: number;
  gasUsed: bigint;
  /** Planned slots already finalized with the agreed observation before this run. */
  alreadyFinal: number;
  /** How many planned slots finalized with another observation than this run's. */
  lostCount: number;
  /** The first LISTED_LOST of them: lost to that observation. */
  lost: LostSlot[];
}

/** At most this many lost slots are listed in a report; `lostCount` has them all. */
export const LISTED_LOST = 100;

export function emptyReport(mode: SubmitReport['mode']): SubmitReport {
  return { mode, submitted: 0, transactions: 0, gasUsed: 0n, alreadyFinal: 0, lostCount: 0, lost: [] };
}

/** Two reports as one (a run over an archive is a run per window). */
export function addReports(a: SubmitReport, b: SubmitReport): SubmitReport {
  return {
    mode: b.mode,
    submitted: a.submitted + b.submitted,
    transactions: a.transactions + b.transactions,
    gasUsed: a.gasUsed + b.gasUsed,
    alreadyFinal: a.alreadyFinal + b.alreadyFinal,
    lostCount: a.lostCount + b.lostCount,
    lost: a.lost.length >= LISTED_LOST ? a.lost : [...a.lost, ...b.lost].slice(0, LISTED_LOST),
  };
}

export interface LostSlot {
  slot: Hex;
  streamHash: Hex;
  sequence: bigint;
  /** This run's ObservationHash for the slot. */
  ours: Hex;
  /** What the ledger finalized instead. */
  finalized: Hex;
}

/** The slots this run still has to finalize: agreed, and not finalized yet. */
function pendingPlans(plans: SlotPlan[], view: LedgerView): SlotPlan[] {
  return plans.filter((p) => p.agreed && !view.finalized.has(p.slot));
}

/** Agreed slots the ledger finalized with this run's observation, and those it finalized with
 *  another one. */
export function compareWithChain(plans: SlotPlan[], view: LedgerView): { alreadyFinal: number; lostCount: number; lost: LostSlot[] } {
  let alreadyFinal = 0;
  const lost: LostSlot[] = [];
  for (const p of plans) {
    const onChain = view.finalized.get(p.slot);
    if (!p.agreed || onChain === undefined) continue;
    if (onChain === p.agreed.hash) alreadyFinal++;
    else lost.push({ slot: p.slot, streamHash: p.streamHash, sequence: p.sequence, ours: p.agreed.hash, finalized: onChain });
  }
  return { alreadyFinal, lostCount: lost.length, lost: lost.slice(0, LISTED_LOST) };
}

/** Relayed mode: every witness signs each observation it derived; a relayer submits the agreed
 *  candidates in batches. */
export async function submitRelayed(
  conn: RailConnection,
  relayer: PrivateKeyAccount,
  plans: SlotPlan[],
  opts: SubmitOptions,
): Promise<SubmitReport> {
  // Whatever an interrupted run left in the mempool lands first; only then is the ledger read.
  await waitForInFlight(conn, relayer.address, { onWait: opts.onInFlight });
  const view = await readLedger(conn, opts.ledger, plans);
  const todo = pendingPlans(plans, view);
  const batchSize = opts.batchSize ?? 100;
  const block = await conn.publicClient.getBlock();
  const deadline = block.timestamp + BigInt(opts.signatureWindowSeconds ?? 86_400);
  const digestOf = signOffDigester(ledgerDomain(conn.chain.id, opts.ledger));
  const [, quorumOnChain] = await conn.publicClient.readContract({ address: opts.ledger, abi: observationLedgerAbi, functionName: 'membership' });
  const quorum = Number(quorumOnChain);
  // Each signer signs under its registry index, read once per run; a non-member has none and cannot
  // sign off.
  const indexOf = await memberIndices(conn, opts.ledger, todo.flatMap((p) => p.agreed!.signers.map((s) => s.address)));
  let gasUsed = 0n;
  let transactions = 0;
  let done = 0;
  let failure: unknown;
  // Batches go out back to back with consecutive nonces, so signing the next batch overlaps the
  // chain executing the previous ones; at most `maxInFlight` wait for their receipts at a time.
  // Nonce order is chain order, so each batch still lands after the one it builds on.
  let nonce = await conn.publicClient.getTransactionCount({ address: relayer.address, blockTag: 'pending' });
  const inFlight: Promise<void>[] = [];
  const maxInFlight = opts.maxInFlight ?? 8;
  for (let i = 0; i < todo.length; i += batchSize) {
    const chunk = todo.slice(i, i + batchSize);
    const items = await Promise.all(
      chunk.map(async (p) => {
        const c = p.agreed!;
        // A quorum of signatures is all the ledger needs; more would only cost gas.
        const signers = c.signers.filter((s) => indexOf.has(s.address)).slice(0, quorum);
        const signatures: WitnessSignature[] = await Promise.all(
          signers.map((s) => {
            const index = indexOf.get(s.address)!;
            return signSignOffDigest(s, digestOf(c.hash, deadline, index), index);
          }),
        );
        return { header: c.header, deadline, signatures };
      }),
    );
    const what = `relayed batch ${i / batchSize + 1} (${chunk.length} observations from slot ${chunk[0]!.slot})`;
    const txNonce = nonce++;
    const sent = sendTx(
      conn,
      relayer,
      {
        to: opts.ledger,
        data: encodeFunctionData({ abi: observationLedgerAbi, functionName: 'submitSignOffBatch', args: [items] }),
        nonce: txNonce,
        gas: batchGasLimit(chunk.length),
        abi: observationLedgerAbi,
      },
      what,
    ).then((receipt) => {
      gasUsed += receipt.gasUsed;
      transactions++;
      done += chunk.length;
      opts.onProgress?.({ done, total: todo.length, phase: 'relayed' });
    });
    inFlight.push(
      sent.catch((e: unknown) => {
        failure ??= e;
      }),
    );
    if (inFlight.length >= maxInFlight) await inFlight.shift();
    if (failure) break;
  }
  await Promise.all(inFlight);
  // Later batches may have gone out after a failed one; the next run picks up whatever is missing.
  if (failure) throw failure;
  return { mode: 'relayed', submitted: todo.length, transactions, gasUsed, ...compareWithChain(plans, view) };
}

/** Witness-transaction mode: each witness that derived the agreed candidate sends `signOff` until
 *  the slot finalizes; streams run side by side, each in sequence order. Witnesses skip candidates
 *  they already signed off on (read from the ledger), so a re-run never signs off twice. */
export async function submitWitnessTx(conn: RailConnection, plans: SlotPlan[], opts: SubmitOptions): Promise<SubmitReport> {
  const witnesses = [...new Map(plans.flatMap((p) => p.agreed?.signers ?? []).map((s) => [s.address, s])).keys()];
  await Promise.all(witnesses.map((w) => waitForInFlight(conn, w, { onWait: opts.onInFlight })));
  const view = await readLedger(conn, opts.ledger, plans);
  const todo = pendingPlans(plans, view);
  const byStream = new Map<Hex, SlotPlan[]>();
  for (const p of todo) byStream.set(p.streamHash, [...(byStream.get(p.streamHash) ?? []), p]);
  const [memberMask, quorum] = await conn.publicClient.readContract({ address: opts.ledger, abi: observationLedgerAbi, functionName: 'membership' });
  // Each witness's registry bit, read once per run (0 for a non-member).
  const indexOf = await memberIndices(conn, opts.ledger, witnesses);
  const bit = (who: Address) => (indexOf.has(who) ? 1n << BigInt(indexOf.get(who)!) : 0n);
  let gasUsed = 0n;
  let transactions = 0;
  let done = 0;
  // A witness takes part in every stream. Its transactions take consecutive nonces from one counter,
  // so its sign-offs for different streams are in flight together and can land in the same block;
  // each stream still waits for its slot to finalize before its next one.
  const nonces = new Map<Address, number>();
  await Promise.all(
    witnesses.map(async (w) => nonces.set(w, await conn.publicClient.getTransactionCount({ address: w, blockTag: 'pending' }))),
  );
  const nextNonce = (who: Address) => {
    const n = nonces.get(who)!;
    nonces.set(who, n + 1);
    return n;
  };
  await Promise.all(
    [...byStream.values()].map(async (streamPlans) => {
      for (const p of streamPlans) {
        const c = p.agreed!;
        const recorded = await conn.publicClient.readContract({ address: opts.ledger, abi: observationLedgerAbi, functionName: 'signOffsOf', args: [c.hash] });
        const bits = c.signers.map((s) => bit(s.address));
        const missing = Number(quorum) - popcount(recorded & memberMask);
        const senders = c.signers.filter((_, i) => (recorded & bits[i]!) === 0n).slice(0, Math.max(0, missing));
        const receipts = await Promise.all(
          senders.map((s) =>
            sendTx(
              conn,
              s,
              {
                to: opts.ledger,
                data: encodeFunctionData({ abi: observationLedgerAbi, functionName: 'signOff', args: [c.header] }),
                gas: 300_000n,
                nonce: nextNonce(s.address),
                abi: observationLedgerAbi,
              },
              `signOff by ${s.address} on slot ${p.slot}`,
            ),
          ),
        );
        for (const r of receipts) gasUsed += r.gasUsed;
        transactions += receipts.length;
        opts.onProgress?.({ done: ++done, total: todo.length, phase: 'witness-tx' });
      }
    }),
  );
  return { mode: 'witness-tx', submitted: todo.length, transactions, gasUsed, ...compareWithChain(plans, view) };
}

/** Calls `finalize` for agreed candidates that have quorum on chain but are not final yet (their
 *  parent finalized after their last sign-off), in sequence order. */
export async function finalizeReady(conn: RailConnection, relayer: PrivateKeyAccount, plans: SlotPlan[], ledger: Address): Promise<number> {
  await waitForInFlight(conn, relayer.address);
  const view = await readLedger(conn, ledger, plans);
  let count = 0;
  for (const p of pendingPlans(plans, view)) {
    const c = p.agreed!;
    const [counted, quorum] = await conn.publicClient.readContract({ address: ledger, abi: observationLedgerAbi, functionName: 'countSignOffs', args: [c.hash] });
    const extends_ = await conn.publicClient.readContract({ address: ledger, abi: observationLedgerAbi, functionName: 'extendsStream', args: [c.header] });
    if (counted < quorum || !extends_) continue;
    await sendTx(
      conn,
      relayer,
      { to: ledger, data: encodeFunctionData({ abi: observationLedgerAbi, functionName: 'finalize', args: [c.header] }), gas: 300_000n, abi: observationLedgerAbi },
      `finalize slot ${p.slot}`,
    );
    count++;
  }
  return count;
}

// -- Status --

export interface StreamStatus {
  streamHash: Hex;
  /** Highest sequence finalized with the agreed chain, or null. */
  headSequence: bigint | null;
  finalized: number;
  pending: number;
  /** Slots finalized with an observation other than the agreed one. */
  conflicting: number;
  /** Slots where no candidate had a quorum of witnesses. */
  unagreed: number;
}

export async function streamStatus(
  conn: RailConnection,
  ledger: Address,
  plans: SlotPlan[],
  view?: LedgerView,
): Promise<StreamStatus[]> {
  view ??= await readLedger(conn, ledger, plans);
  const out = new Map<Hex, StreamStatus>();
  for (const p of plans) {
    const s = out.get(p.streamHash) ?? { streamHash: p.streamHash, headSequence: null, finalized: 0, pending: 0, conflicting: 0, unagreed: 0 };
    const onChain = view.finalized.get(p.slot);
    if (!p.agreed) s.unagreed++;
    else if (onChain === p.agreed.hash) {
      s.finalized++;
      if (s.headSequence === null || p.sequence > s.headSequence) s.headSequence = p.sequence;
    } else if (onChain) s.conflicting++;
    else s.pending++;
    out.set(p.streamHash, s);
  }
  return [...out.values()];
}

/** Adds one window's stream statuses into the running totals (by stream, in first-seen order). */
export function addStreamStatus(into: Map<Hex, StreamStatus>, window: StreamStatus[]): void {
  for (const w of window) {
    const t = into.get(w.streamHash);
    if (!t) {
      into.set(w.streamHash, { ...w });
      continue;
    }
    t.finalized += w.finalized;
    t.pending += w.pending;
    t.conflicting += w.conflicting;
    t.unagreed += w.unagreed;
    if (w.headSequence !== null && (t.headSequence === null || w.headSequence > t.headSequence)) t.headSequence = w.headSequence;
  }
}

// -- Helpers --

/** The registry index of each distinct account that is a member now. */
async function memberIndices(conn: RailConnection, ledger: Address, accounts: Address[]): Promise<Map<Address, number>> {
  const distinct = [...new Set(accounts)];
  const reads = await Promise.all(
    distinct.map((who) =>
      conn.publicClient
        .readContract({ address: ledger, abi: observationLedgerAbi, functionName: 'witnessIndex', args: [who] })
        // NotAWitness: never registered. Any other failure (the RPC) is the caller's to see.
        .catch((e: unknown) => {
          if (e instanceof BaseError && e.walk((x) => x instanceof ContractFunctionRevertedError)) return undefined;
          throw e;
        }),
    ),
  );
  const out = new Map<Address, number>();
  reads.forEach((r, i) => {
    if (r && r[1]) out.set(distinct[i]!, Number(r[0]));
  });
  return out;
}

/** Set bits of `x`: how many witnesses an index bitmap names. */
export function popcount(x: bigint): number {
  let n = 0;
  for (; x; x &= x - 1n) n++;
  return n;
}
