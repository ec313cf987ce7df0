// The witness set as infrastructure: the ledger's members and quorum brought to a wanted set by its
// owner, in place, so the ledger (and every observation it finalized) keeps its address when a witness
// joins or leaves. The registry applies adds, removes and the quorum in one call (`updateWitnesses`),
// checking the final state, so there is no intermediate membership whose quorum could be out of reach.
// A re-run reads the chain first and sends only what is still missing; a run killed after its send
// waits for that transaction instead of sending another.
import { encodeFunctionData, getAddress, isAddress, isAddressEqual, zeroAddress, type Address, type Hex } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import type { RailConnection } from './connection.js';
import { observationLedgerAbi } from './contracts.js';
import { ChainError, InputError } from './errors.js';
import { sendTx, waitForInFlight } from './tx.js';

export interface Membership {
  witnesses: Address[];
  quorum: number;
}

export interface MembershipPlan {
  toAdd: Address[];
  toRemove: Address[];
  quorum: number;
  /** Whether anything differs from the chain. */
  changed: boolean;
}

/** The registry's index space: indices are never reused, so at most this many members ever. */
const MAX_INDICES = 192;

/** What to send to bring `now` to `want`; refuses, naming the input and the fix, a wanted set that
 *  could not be a membership: a repeated or zero address, no witness, or a quorum that is not a strict
 *  majority (so out of reach, or two disjoint quorums could each finalize). */
export function planMembership(now: Membership, want: Membership): MembershipPlan {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const w of want.witnesses) {
    if (!isAddress(w, { strict: false })) problems.push(`${JSON.stringify(w)} is not an address`);
    else if (isAddressEqual(w, zeroAddress)) problems.push('the zero address cannot be a witness');
    else if (seen.has(w.toLowerCase())) problems.push(`${getAddress(w)} is listed twice`);
    seen.add(w.toLowerCase());
  }
  const n = want.witnesses.length;
  if (n === 0) problems.push('the set is empty; list at least one witness');
  if (!Number.isInteger(want.quorum) || want.quorum < 1 || want.quorum > n) {
    problems.push(`a quorum of ${want.quorum} is out of reach with ${n} witness(es); choose from ${Math.floor(n / 2) + 1} to ${n}`);
  } else if (2 * want.quorum <= n) {
    problems.push(`a quorum of ${want.quorum} is not a strict majority of ${n} witnesses (two disjoint groups could each finalize); choose from ${Math.floor(n / 2) + 1} to ${n}`);
  }
  if (problems.length) throw new InputError(`the wanted witness set cannot be a membership:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  const have = new Set(now.witnesses.map((w) => w.toLowerCase()));
  const wanted = new Set(want.witnesses.map((w) => w.toLowerCase()));
  const toAdd = want.witnesses.filter((w) => !have.has(w.toLowerCase())).map((w) => getAddress(w));
  const toRemove = now.witnesses.filter((w) => !wanted.has(w.toLowerCase())).map((w) => getAddress(w));
  return { toAdd, toRemove, quorum: want.quorum, changed: toAdd.length > 0 || toRemove.length > 0 || want.quorum !== now.quorum };
}

/** The ledger's owner, members and quorum, as the chain has them now. */
export async function readMembership(conn: RailConnection, ledger: Address): Promise<Membership & { owner: Address }> {
  const pc = conn.publicClient;
  const [owner, witnesses, quorum] = await Promise.all([
    pc.readContract({ address: ledger, abi: observationLedgerAbi, functionName: 'owner' }),
    pc.readContract({ address: ledger, abi: observationLedgerAbi, functionName: 'witnesses' }),
    pc.readContract({ address: ledger, abi: observationLedgerAbi, functionName: 'quorum' }),
  ]);
  return { owner, witnesses: [...witnesses], quorum: Number(quorum) };
}

export interface ReconcileResult {
  before: Membership;
  after: Membership;
  plan: MembershipPlan;
  /** The transaction that changed it; absent when the chain already had the wanted set. */
  tx?: Hex;
}

/** Brings the ledger's members and quorum to `want` with one owner call, then reads the result back.
 *  Refuses before anything is sent: a wanted set that cannot be a membership, a key that is not the
 *  ledger's owner, and more members than the registry's indices allow. */
export async function reconcileMembership(conn: RailConnection, owner: PrivateKeyAccount, ledger: Address, want: Membership, log: (line: string) => void = () => {}): Promise<ReconcileResult> {
  // A run killed after its send left that transaction in flight: let it land, then read.
  await waitForInFlight(conn, owner.address, { onWait: (n) => log(`waiting for ${n} transaction(s) of ${owner.address} still in flight`) });
  const before = await readMembership(conn, ledger);
  const plan = planMembership(before, want);
  if (!plan.changed) return { before, after: before, plan };
  if (!isAddressEqual(before.owner, owner.address)) {
    throw new InputError(
      `ledger ${ledger} is owned by ${before.owner}, not by ${owner.address}: only its owner can change the witness set. Nothing was sent. Use the owner's key (ECP_DEPLOYER_KEY), or have the owner transfer ownership.`,
    );
  }
  if (before.witnesses.length + plan.toAdd.length - plan.toRemove.length > MAX_INDICES) throw new InputError(`at most ${MAX_INDICES} witnesses; nothing was sent.`);
  log(`witness set: +${plan.toAdd.length} (${plan.toAdd.join(', ') || 'none'}), -${plan.toRemove.length} (${plan.toRemove.join(', ') || 'none'}), quorum ${before.quorum} -> ${plan.quorum}`);
  const receipt = await sendTx(
    conn,
    owner,
    { to: ledger, data: encodeFunctionData({ abi: observationLedgerAbi, functionName: 'updateWitnesses', args: [plan.toAdd, plan.toRemove, BigInt(plan.quorum)] }), abi: observationLedgerAbi },
    'updateWitnesses',
  );
  const after = await readMembership(conn, ledger);
  const again = planMembership(after, want);
  if (again.changed) {
    throw new ChainError(`after ${receipt.transactionHash} the ledger holds ${after.witnesses.join(', ')} with quorum ${after.quorum}, not the wanted set; run again to finish.`);
  }
  return { before, after, plan, tx: receipt.transactionHash };
}
