import type { Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import type { ObservationHeader } from './observation.js';
import { classifySlots, StatusClassifier, type ObservedSlot } from './status.js';

const h = (n: number): Hex => `0x${n.toString(16).padStart(64, '0')}`;
const STREAM = h(0xa);
const obs = (i: number, dataRoot = h(100 + i)): ObservedSlot => ({ slot: h(i), streamHash: STREAM, stream: 'atsc/K/1', epochId: `e${i}`, dataRoot });
const final = (i: number, dataRoot = h(100 + i)) => [h(i), { hash: h(1000 + i), header: { dataRoot } as ObservationHeader }] as const;

describe('status by content', () => {
  it('finalized, conflicting (lost), skipped (a later epoch is final) and pending, with reasons', () => {
    const observed = [obs(1), obs(2), obs(3), obs(4), obs(5), obs(6)];
    const finals = new Map([final(1), final(2, h(999)), final(4)]);
    const r = classifySlots(observed, finals, new Map([[STREAM, { sequence: 2n }]]), new Map([[h(3), 'no-quorum: not final 10000 ms after its turn came']]));
    expect(r.streams).toEqual([{ stream: 'atsc/K/1', streamHash: STREAM, headSequence: '2', finalized: 2, conflicting: 1, skipped: 1, pending: 2 }]);
    expect(r.skipped).toEqual([{ stream: 'atsc/K/1', epoch: 'e3', slot: h(3), reason: 'no-quorum: not final 10000 ms after its turn came' }]);
    expect(r.lost).toEqual([{ stream: 'atsc/K/1', epoch: 'e2', slot: h(2), finalized: h(1002), finalDataRoot: h(999), ourDataRoot: h(102) }]);
  });

  it('lists at most the limit, counts everything', () => {
    const observed = Array.from({ length: 10 }, (_, i) => obs(i));
    const r = classifySlots(observed, new Map([final(9)]), new Map(), new Map(), 3);
    expect(r.streams[0]!.skipped).toBe(9);
    expect(r.skipped).toHaveLength(3);
    expect(r.skipped[0]!.reason).toMatch(/no witness record/);
    expect(r.streams[0]!.headSequence).toBeNull();
  });
});

describe('status a window at a time', () => {
  it('gives the same report whatever the windows', () => {
    const other = h(0xb);
    const observed = Array.from({ length: 12 }, (_, i) => (i % 3 === 2 ? { ...obs(i), streamHash: other, stream: 'atsc/K/2' } : obs(i)));
    const finals = new Map([final(1), final(2), final(4, h(7)), final(7), final(11)]);
    const whole = classifySlots(observed, finals, new Map(), new Map());
    for (const size of [1, 2, 5, 11]) {
      const c = new StatusClassifier(finals, new Map(), new Map());
      for (let i = 0; i < observed.length; i += size) c.push(observed.slice(i, i + size));
      const r = c.finish();
      expect(r.streams).toEqual(whole.streams);
      expect(new Set(r.skipped.map((x) => x.slot))).toEqual(new Set(whole.skipped.map((x) => x.slot)));
      expect(r.lost).toEqual(whole.lost);
    }
    expect(whole.streams.map((s) => [s.finalized, s.conflicting, s.skipped, s.pending])).toEqual([
      [2, 1, 3, 2],
      [2, 0, 2, 0],
    ]);
  });
});
