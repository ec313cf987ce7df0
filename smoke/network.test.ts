// The network smoke as CI runs it: separate witness and relayer processes on loopback, with the
// faults it injects, and its verdict read from its JSON. One run is made to fail on purpose (a
// tolerance tighter than the witnesses' real jitter), so the gate is seen failing too.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { NetworkSummary } from './network.js';

const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'smoke/network.ts', '--json', ...args], { encoding: 'utf8', timeout: 300_000 });
  let summary: NetworkSummary | undefined;
  try {
    summary = JSON.parse(r.stdout) as NetworkSummary;
  } catch {
    throw new Error(`no JSON summary (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return { status: r.status, summary, stderr: r.stderr };
};

describe('network smoke', () => {
  it('relayed: 5 witness processes with their own archives and 2 relayers reach consensus through kill -9s', () => {
    const { status, summary } = run('--epochs', '15');
    expect(summary.problems).toEqual([]);
    expect(status).toBe(0);
    expect(summary.slots).toBe(45);
    expect(summary.finalized).toBe(45);
    expect(summary.wrongContent).toBe(0);
    expect(summary.chainBreaks).toBe(0);
    // Witness 2's corrupted epochs (every 5th of 15, in 3 streams): `rail status` over its archive
    // finds exactly those 9 lost (checked inside the smoke, a problem otherwise), and its metric
    // counts the dissent it saw before it closed each slot (a slot it gave up first is not counted).
    expect(summary.dissent).toBeGreaterThanOrEqual(1);
    expect(summary.dissent).toBeLessThanOrEqual(9);
    expect(summary.faults.filter((f) => f.startsWith('kill -9'))).toHaveLength(2);
    expect(summary.revertedBatches).toBe(0);
    // About one proposal per slot: the designated proposer's, more while it is down and for dissent.
    expect(summary.proposals).toBeLessThanOrEqual(2 * summary.slots);
  }, 320_000);

  it('identical archives, as a new user tries it first: every witness a copy of one file, every slot final, no batch reverted', () => {
    // Honest witnesses then derive byte-identical headers, each signed under its own deadline.
    const { status, summary } = run('--epochs', '8', '--archives', 'identical');
    expect(summary.problems).toEqual([]);
    expect(status).toBe(0);
    expect(summary.finalized).toBe(24);
    expect(summary.unreachable).toBe(0);
    expect(summary.revertedBatches).toBe(0);
    // Here every honest witness's own candidate is the proposer's, byte for byte. A witness proposes
    // only when its rank chose its candidate, not when votes did: 21 proposals for 24 slots in one run,
    // against 77 when every witness also proposed what it voted for.
    expect(summary.proposals).toBeLessThanOrEqual(1.5 * summary.slots);
  }, 320_000);

  it('witness-tx: the same network with every vote a witness transaction', () => {
    const { status, summary } = run('--epochs', '8', '--mode', 'witness-tx');
    expect(summary.problems).toEqual([]);
    expect(status).toBe(0);
    expect(summary.finalized).toBe(24);
  }, 320_000);

  it('fails, and says why, when witnesses cannot agree (tolerance below the jitter)', () => {
    const { status, summary } = run('--epochs', '4', '--no-faults', '--tolerance-ms', '0', '--timeout-s', '20');
    expect(status).toBe(1);
    expect(summary.ok).toBe(false);
    expect(summary.finalized).toBeLessThan(summary.slots);
    expect(summary.problems.join('\n')).toMatch(/not final/);
  }, 320_000);
});
