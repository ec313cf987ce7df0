// The live bench's arithmetic: stream staggering, the lines it writes, percentiles with slots that
// never finalized, the backlog's trend, CPU from /proc, and the search for the largest N that holds.
import { describe, expect, it } from 'vitest';
import { parseLine } from '../rail/archive/derive.js';
import { backlogTrend, boundBy, boundingRun, cpuMsFromStat, epochStart, liveLine, machineTicks, quantile, searchStreams, type LiveResult } from '../bench/live.js';

describe('live bench', () => {
  it('staggers streams evenly across one epoch', () => {
    expect([0, 1, 2, 3].map((s) => epochStart(1_000_000, s, 0, 4, 6_000))).toEqual([1_000_000, 1_001_500, 1_003_000, 1_004_500]);
    expect(epochStart(1_000_000, 1, 2, 4, 6_000)).toBe(1_013_500);
  });

  it('writes valid archive lines whose content is the same for every witness', () => {
    const a = parseLine(liveLine(7, 3, 1_795_000_000_000, 6_000, 0, 1_795_000_006_100), 'w0', 1);
    const b = parseLine(liveLine(7, 3, 1_795_000_000_000, 6_000, 4, 1_795_000_006_250), 'w4', 1);
    if (!('entry' in a) || !('entry' in b)) throw new Error('expected valid lines');
    expect(a.entry.chunks).toEqual(b.entry.chunks);
    expect(a.entry.locator).not.toBe(b.entry.locator);
  });

  it('counts slots that never finalized as slower than any', () => {
    expect(quantile([1, 2, 3, 4], 0, 0.5)).toBe(2);
    expect(quantile(Array.from({ length: 99 }, (_, i) => i), 1, 0.99)).toBe(98);
    expect(quantile(Array.from({ length: 98 }, (_, i) => i), 2, 0.99)).toBeNull();
  });

  it('calls a backlog flat unless it grows by more than half an epoch of slots', () => {
    expect(backlogTrend([10, 12, 11, 10, 12, 11, 13, 12], 30).flat).toBe(true);
    expect(backlogTrend([34, 60, 100, 150, 190, 220, 250, 274], 60)).toMatchObject({ first: 47, last: 262, flat: false });
  });

  it('reads utime + stime from /proc/<pid>/stat, whatever the command name holds', () => {
    const stat = '4242 (node (tsx) x) S 1 2 3 4 5 6 7 8 9 10 250 70 0 0 20 0 12 0 100 0 0';
    expect(cpuMsFromStat(stat)).toBe(3_200);
  });

  it('reads how busy the machine was from /proc/stat, and names CPU as the bound when it was saturated', () => {
    expect(machineTicks('cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3')).toEqual({ busy: 150, total: 1000 });
    const r = { streams: 200, seconds: 90, blockTimeS: 1, slots: 1, finalized: 1, within12s: 1, p50Ms: 1, p99Ms: null, cpuMsPerSlot: { witness: 20, relayer: 10, anvil: 1, total: 31 }, gasPerObservation: 57_000, backlog: { first: 0, last: 9, flat: false } };
    expect(boundBy({ ...r, machineBusy: 0.97 }, 2)).toMatch(/^bound by CPU: this network used 52% of 2 cores .* the machine was 97% busy/);
    expect(boundBy({ ...r, machineBusy: 0.4 }, 2)).toMatch(/^neither CPU nor gas/);
  });

  it('finds the largest N that holds by doubling, then bisecting', async () => {
    const result = (n: number, ok: boolean): LiveResult => ({ streams: n, seconds: 60, blockTimeS: 1, slots: 1, finalized: 1, within12s: 1, p50Ms: 1, p99Ms: ok ? 5_000 : 20_000, cpuMsPerSlot: { witness: 1, relayer: 1, anvil: 1, total: 3 }, gasPerObservation: 1, backlog: { first: 0, last: 0, flat: true }, machineBusy: 0.5 });
    const tried: number[] = [];
    const { best } = await searchStreams(async (n) => (tried.push(n), result(n, n <= 330)), 50, 25, 2_000);
    expect(best?.streams).toBeGreaterThan(300);
    expect(best!.streams).toBeLessThanOrEqual(330);
    expect(tried.slice(0, 4)).toEqual([50, 100, 200, 400]);
  });

  it('says what bounds the answer from the smallest load past it that failed, not from a collapse far above', () => {
    const result = (n: number, ok: boolean, total: number): LiveResult => ({ streams: n, seconds: 60, blockTimeS: 1, slots: 1, finalized: 1, within12s: 1, p50Ms: 1, p99Ms: ok ? 5_000 : null, cpuMsPerSlot: { witness: 1, relayer: 1, anvil: 1, total }, gasPerObservation: 1, backlog: { first: 0, last: 0, flat: ok }, machineBusy: 0.99 });
    const best = result(825, true, 13);
    const probes = [result(800, true, 13), result(1600, false, 114), result(1200, false, 24), best, result(850, false, 15)];
    expect(boundingRun(best, probes).streams).toBe(850);
    expect(boundingRun(best, [best]).streams).toBe(825);
  });
});
