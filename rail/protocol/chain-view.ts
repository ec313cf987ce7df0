// What witnesses and relayers read from the ledger, kept current by polling: the membership, each
// stream's finalized head (from ObservationFinalized logs, scanned once from a start block and then
// incrementally), and whether given slots are final. Reads only.
import { getAbiItem, type Address, type Hex } from 'viem';
import { observationLedgerAbi } from '../contracts.js';
import type { RailConnection } from '../connection.js';
import type { ObservationHeader } from '../observation.js';

export interface Membership {
  mask: bigint;
  quorum: number;
  /** index → address for current members. */
  addressOf: Map<number, Address>;
  indexOf: Map<Address, number>;
}

export interface Head {
  hash: Hex;
  sequence: bigint;
  header: ObservationHeader;
}

const finalizedEvent = getAbiItem({ abi: observationLedgerAbi, name: 'ObservationFinalized' });

/** Logs are read in ranges of at most this many blocks (public RPCs cap eth_getLogs ranges). */
const LOG_RANGE = 5_000n;
const RECENT_FINAL = 50_000;

export class ChainView {
  membership: Membership = { mask: 0n, quorum: 0, addressOf: new Map(), indexOf: new Map() };
  readonly heads = new Map<Hex, Head>();
  /** The headers of recently finalized slots (the last RECENT_FINAL), for witnesses comparing
   *  their own content with what finalized. */
  readonly recentFinal = new Map<Hex, { hash: Hex; header: ObservationHeader }>();
  /** The block up to which ObservationFinalized logs have been read. */
  scannedTo: bigint;
  /** When the last refresh succeeded (ms since epoch), for health. */
  lastRefreshAt = 0;

  constructor(
    readonly conn: RailConnection,
    readonly ledger: Address,
    fromBlock: bigint,
    /** How many finalized slots' headers to keep (the oldest go first). */
    readonly keepFinal = RECENT_FINAL,
  ) {
    this.scannedTo = fromBlock - 1n;
  }

  /** Reads the membership (addresses again only when the member set changed) and the finalized
   *  heads since the last refresh. Returns the slots finalized since the last refresh, from the
   *  ledger's logs (so callers learn finality without one read per slot). */
  async refresh(): Promise<{ slot: Hex; hash: Hex }[]> {
    const fresh: { slot: Hex; hash: Hex }[] = [];
    const pc = this.conn.publicClient;
    const latest = await pc.getBlockNumber({ cacheTime: 0 });
    // Nothing on chain changes between blocks: with no new block, the one read is all (a poll
    // faster than the block time costs one call, not a membership call and a log scan).
    if (latest <= this.scannedTo && this.lastRefreshAt > 0) {
      this.lastRefreshAt = Date.now();
      return fresh;
    }
    const [mask, quorum] = await pc.readContract({ address: this.ledger, abi: observationLedgerAbi, functionName: 'membership', blockNumber: latest });
    if (mask !== this.membership.mask) {
      const indices = bitsOf(mask);
      const addrs = await Promise.all(indices.map((i) => pc.readContract({ address: this.ledger, abi: observationLedgerAbi, functionName: 'witnessAt', args: [BigInt(i)] })));
      const addressOf = new Map(indices.map((i, k) => [i, addrs[k]!] as const));
      this.membership = { mask, quorum: Number(quorum), addressOf, indexOf: new Map(indices.map((i, k) => [addrs[k]!, i] as const)) };
    } else this.membership.quorum = Number(quorum);
    while (this.scannedTo < latest) {
      const from = this.scannedTo + 1n;
      const to = from + LOG_RANGE - 1n < latest ? from + LOG_RANGE - 1n : latest;
      const logs = await pc.getLogs({ address: this.ledger, event: finalizedEvent, fromBlock: from, toBlock: to, strict: true });
      for (const log of logs) {
        const { slot, streamHash, observationHash, header } = log.args;
        this.recentFinal.set(slot, { hash: observationHash, header: { ...header } });
        fresh.push({ slot, hash: observationHash });
        if (this.recentFinal.size > this.keepFinal) this.recentFinal.delete(this.recentFinal.keys().next().value!);
        const prev = this.heads.get(streamHash);
        if (!prev || header.sequence > prev.sequence) this.heads.set(streamHash, { hash: observationHash, sequence: header.sequence, header: { ...header } });
      }
      this.scannedTo = to;
    }
    this.lastRefreshAt = Date.now();
    return fresh;
  }

  /** The membership's f: how many members may be dishonest while a quorum of honest ones remains
   *  (members − quorum). */
  get tolerated(): number {
    return Math.max(0, this.membership.addressOf.size - this.membership.quorum);
  }

  /** The finalized ObservationHash of each slot (zero: not final), read in one JSON-RPC batch at the
   *  block the heads were read to, so slots and heads never disagree (a slot seen final while its
   *  stream's head is still the one before would make a witness build on a stale head); or at the
   *  latest block, for a last look before sending. */
  async finalizedOf(slots: Hex[], at: 'scanned' | 'latest' = 'scanned'): Promise<Map<Hex, Hex>> {
    const pc = this.conn.publicClient;
    const blockNumber = at === 'scanned' ? this.scannedTo : undefined;
    const hashes = await Promise.all(slots.map((slot) => pc.readContract({ address: this.ledger, abi: observationLedgerAbi, functionName: 'finalizedObservation', args: [slot], blockNumber })));
    return new Map(slots.map((s, i) => [s, hashes[i]!] as const));
  }

  isMember(index: number): boolean {
    return index < 256 && ((this.membership.mask >> BigInt(index)) & 1n) === 1n;
  }
}

/** The set bit positions of `x`, ascending. */
export function bitsOf(x: bigint): number[] {
  const out: number[] = [];
  for (let i = 0; x; i++, x >>= 1n) if (x & 1n) out.push(i);
  return out;
}
