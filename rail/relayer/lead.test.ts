// One relayer leads each stream and the others take over after a delay; batches fill by gas and
// leave out streams with a batch in flight.
import { keccak256, toHex, type Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import { batchGasLimit } from '../submit.js';
import { checkLead, itemsForGas, leaderOf, notInFlight, Readiness } from './lead.js';
import type { BatchItem } from './store.js';

const streamOf = (i: number): Hex => keccak256(toHex(`stream ${i}`));
const item = (stream: Hex, seq: number): BatchItem =>
  ({ stored: { slot: keccak256(toHex(`${stream} ${seq}`)), hash: keccak256(toHex(`h ${stream} ${seq}`)), candidate: { header: { streamHash: stream, sequence: BigInt(seq) } } }, deadline: 0n, signatures: [] }) as unknown as BatchItem;

describe('stream leadership', () => {
  it('gives every stream one leader, spread over the relayers', () => {
    const counts = [0, 0, 0];
    for (let i = 0; i < 300; i++) counts[leaderOf(streamOf(i), 3)]!++;
    for (const c of counts) expect(c).toBeGreaterThan(70);
    expect(leaderOf(streamOf(1), 1)).toBe(0);
    expect(leaderOf(('0x' + '00'.repeat(31) + '05') as Hex, 2)).toBe(1);
  });

  it('sends the streams it leads at once, and another\'s only after the takeover delay, in chain order', () => {
    const mine = [...Array(20).keys()].map(streamOf).find((s) => leaderOf(s, 2) === 0)!;
    const theirs = [...Array(20).keys()].map(streamOf).find((s) => leaderOf(s, 2) === 1)!;
    const r = new Readiness();
    const lead = { index: 0, count: 2, takeoverMs: 3_000 };
    const batch = [item(mine, 0), item(mine, 1), item(theirs, 4), item(theirs, 5)];
    expect(r.select(batch, lead, 1_000).map((i) => i.stored.slot)).toEqual([batch[0]!.stored.slot, batch[1]!.stored.slot]);
    expect(r.select(batch, lead, 3_999)).toHaveLength(2);
    // theirs 4 has waited 3 s: taken over; theirs 6 (ready later) still waits, and so does nothing after it.
    const later = [item(theirs, 4), item(theirs, 5), item(theirs, 6)];
    expect(r.select(later, lead, 4_000).map((i) => i.stored.candidate.header.sequence)).toEqual([4n, 5n]);
    // Final (forgotten): its clock starts again if it is ever ready again.
    r.forget(later[0]!.stored.slot);
    expect(r.select([later[0]!], lead, 4_100)).toHaveLength(0);
    r.prune(() => false);
    expect(r.size).toBe(0);
  });

  it('refuses a relayer index outside the relayers, naming the flags', () => {
    expect(checkLead(0, 2)).toBeNull();
    expect(checkLead(2, 2)).toBe('--relayer-index 2: expected this relayer\'s place among the 2 relayers, 0 to 1');
    expect(checkLead(0, 0)).toMatch(/^--relayers 0/);
  });
});

describe('batches', () => {
  it('fill up to half a block\'s gas', () => {
    const n = itemsForGas(60_000_000n, batchGasLimit);
    expect(batchGasLimit(n)).toBeLessThanOrEqual(30_000_000n);
    expect(batchGasLimit(n + 1)).toBeGreaterThan(30_000_000n);
    expect(itemsForGas(30_000_000n, batchGasLimit, 0.5, 50)).toBe(50);
    expect(itemsForGas(100_000n, batchGasLimit)).toBe(1);
  });

  it('leave out the streams with a batch in flight', () => {
    const [a, b] = [streamOf(1), streamOf(2)];
    expect(notInFlight([item(a, 0), item(b, 0), item(a, 1)], new Set([a])).map((i) => i.stored.candidate.header.streamHash)).toEqual([b]);
  });
});
