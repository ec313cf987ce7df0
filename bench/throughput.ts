// Throughput on the bundled archive: derivation speed, and finalized observations per second from
// archive to on-chain finality on anvil, relayed batches vs one transaction per witness (the latter on
// interval-mined blocks, with its rate per tenth of the run).
import { readFileSync } from 'node:fs';
import { deriveArchive } from '../rail/archive/derive.js';
import { DEFAULT_ARCHIVE, runSmoke } from '../rail/smoke.js';

/** Witness-tx runs on an anvil that mines a block every this many ms, as a real chain does: with one
 *  block per transaction (automine) anvil's own per-block work, which grows with its state, is what
 *  the run measures (see README). */
export const WITNESS_TX_BLOCK_MS = 100;

export interface ThroughputResult {
  witnessTx: number;
  witnessTxBlockMs: number;
  /** Witness-tx finalized observations/s over the first and the last tenth of the run: flat when the
   *  client does not slow down as the chain grows. */
  witnessTxTenths: { first: number; last: number };
  relayedBatch: number;
  deriveLinesPerSec: number;
  observations: { witnessTx: number; relayedBatch: number };
}

export async function measureThroughput(opts: { witnessTxObservations?: number } = {}): Promise<ThroughputResult> {
  const text = readFileSync(DEFAULT_ARCHIVE, 'utf8');
  // Derivation: the best of five passes over the whole archive (the first warms the JIT).
  let best = Infinity;
  let lines = 0;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const d = await deriveArchive(text, 'archive.jsonl');
    best = Math.min(best, performance.now() - t);
    lines = d.lines;
  }
  const rate = (s: Awaited<ReturnType<typeof runSmoke>>) => {
    if (!s.ok) throw new Error(`benchmark smoke (${s.mode}) did not finalize everything: ${s.notFinalized.length} missing`);
    return s.observations / (s.seconds.derive + s.seconds.submit);
  };
  const relayed = await runSmoke({ mode: 'relayed' });
  // One transaction per witness over the whole archive, timed per tenth from the progress reports.
  const marks: { done: number; at: number }[] = [];
  const witnessTx = await runSmoke({
    mode: 'witness-tx',
    limit: opts.witnessTxObservations,
    blockTimeMs: WITNESS_TX_BLOCK_MS,
    onProgress: (p) => {
      if (p.phase === 'witness-tx') marks.push({ done: p.done, at: performance.now() });
    },
  });
  const tenth = (from: number, to: number) => {
    const a = marks[Math.floor(from * (marks.length - 1))]!;
    const b = marks[Math.floor(to * (marks.length - 1))]!;
    return Math.round(((b.done - a.done) / (b.at - a.at)) * 1000);
  };
  return {
    witnessTx: Math.round(rate(witnessTx)),
    witnessTxBlockMs: WITNESS_TX_BLOCK_MS,
    witnessTxTenths: { first: tenth(0, 0.1), last: tenth(0.9, 1) },
    relayedBatch: Math.round(rate(relayed)),
    deriveLinesPerSec: Math.round(lines / (best / 1000)),
    observations: { witnessTx: witnessTx.observations, relayedBatch: relayed.observations },
  };
}
