// `npm run bench`: gas per finalized observation on anvil, and (with the smoke) throughput.
// `npm run bench -- network [--streams N] [--seconds S] [--block-time 1|2]`: live streams sustained by
// the witness network (bench/live.ts).
// `npm run bench -- stream [--gb N]`: streaming derivation of a generated archive of N GB (default 1)
// through the CLI, with its peak memory; and the smoke's peak memory over 3,600 and 36,000 observations.
// Prints a table; `--json` prints one JSON object instead.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { isMain } from '../scripts/is-main.js';
import { ANVIL_DEFAULTS, startAnvil } from '../rail/anvil.js';
import { GAS_TARGETS, measureGas, type GasResult } from './gas.js';
import { measureStreaming, measureWindowedSmoke, type StreamResult, type WindowedSmokeResult } from './stream.js';
import { measureThroughput, type ThroughputResult } from './throughput.js';
import { boundBy, boundingRun, holds, runLiveNetwork, searchStreams, type LiveResult } from './live.js';

function gasTable(g: GasResult): string {
  const rows: [string, string, number, number | undefined][] = [
    ['one transaction per witness', `k=2 (n=${g.witnesses.k2})`, g.witnessTx.k2, undefined],
    ['one transaction per witness', `k=3 (n=${g.witnesses.k3})`, g.witnessTx.k3, GAS_TARGETS.witnessTx.k3],
    ['relayed, single', `k=2 (n=${g.witnesses.k2})`, g.relayed.k2, undefined],
    ['relayed, single', `k=3 (n=${g.witnesses.k3})`, g.relayed.k3, GAS_TARGETS.relayed.k3],
    ['relayed, batch of 10', `k=3 (n=${g.witnesses.k3})`, g.relayedBatch10.k3, GAS_TARGETS.relayedBatch10.k3],
    ['relayed, batch of 100', `k=3 (n=${g.witnesses.k3})`, g.relayedBatch100.k3, GAS_TARGETS.relayedBatch100.k3],
  ];
  const lines = [
    `Gas per finalized observation (whole transactions from anvil receipts, hardfork ${g.hardfork})`,
    '',
    `${'mode'.padEnd(30)}${'quorum'.padEnd(14)}${'gas'.padStart(10)}${'target'.padStart(10)}  ok`,
  ];
  for (const [mode, k, gas, target] of rows) {
    const ok = target === undefined ? '' : gas <= target ? 'yes' : 'NO';
    lines.push(`${mode.padEnd(30)}${k.padEnd(14)}${gas.toLocaleString('en-US').padStart(10)}${(target?.toLocaleString('en-US') ?? '-').padStart(10)}  ${ok}`);
  }
  lines.push('', `new storage words per finalized observation: ${g.storageSlotsPerObservation} (target <= 2)`);
  return lines.join('\n');
}

function throughputTable(t: ThroughputResult): string {
  const ratio = t.relayedBatch / t.witnessTx;
  return [
    'Throughput on the bundled archive (anvil, this machine)',
    '',
    `derivation                       ${t.deriveLinesPerSec.toLocaleString('en-US').padStart(8)} lines/s     (target >= 20,000)`,
    `relayed batches                  ${t.relayedBatch.toLocaleString('en-US').padStart(8)} finalized/s (target >= 500; ${t.observations.relayedBatch} observations)`,
    `one transaction per witness      ${t.witnessTx.toLocaleString('en-US').padStart(8)} finalized/s (${t.observations.witnessTx} observations, a block every ${t.witnessTxBlockMs} ms)`,
    `  first tenth / last tenth       ${String(t.witnessTxTenths.first).padStart(8)} / ${t.witnessTxTenths.last} finalized/s`,
    `relayed / witness-tx             ${ratio.toFixed(1).padStart(8)}x           (target >= 5x)`,
  ].join('\n');
}

function streamTable(s: StreamResult, smokes: WindowedSmokeResult[]): string {
  return [
    'Streaming derivation (the CLI\'s derive, stdout through a pipe, this machine)',
    '',
    `archive                          ${(s.archiveBytes / 1024 ** 3).toFixed(2).padStart(8)} GB (${s.lines.toLocaleString('en-US')} lines)`,
    `time                             ${s.seconds.toFixed(1).padStart(8)} s (${s.linesPerSec.toLocaleString('en-US')} lines/s)`,
    `peak RSS                         ${s.peakRssMiB.toFixed(1).padStart(8)} MiB`,
    `RSS after the first tenth        ${s.rssAfterFirstTenthMiB.toFixed(1).padStart(8)} MiB`,
    `RSS in the last tenth            ${s.rssAfterLastTenthMiB.toFixed(1).padStart(8)} MiB`,
    '',
    'The single-process smoke (relayed, own anvil), archive read a window at a time',
    ...smokes.map((m) => `${m.observations.toLocaleString('en-US').padStart(8)} observations       ${m.seconds.toFixed(1).padStart(8)} s, peak RSS ${m.peakRssMiB.toFixed(1)} MiB`),
  ].join('\n');
}

export const BENCH_USAGE = `usage: npm run -s bench -- [network | stream] [flags]

  (no command)  gas per finalized observation on anvil, and the throughput of the bundled archive
  network       the witness network live: 5 witness processes and 2 relayers on loopback, anvil
                mining a block every --block-time s, N streams of 6-s epochs growing in real time
                (staggered, 0-300 ms jitter per witness). Without --streams: the largest N that holds
                p99 <= 12 s from epoch end to finality with a flat backlog
  stream        streaming derivation of a generated archive through the CLI, and the smoke's peak memory

flags:
  --streams N     network: run N live streams (default: search for the largest N that holds)
  --seconds S     network: how long each run's streams go before the figures are taken (default 90)
  --block-time S  network: anvil's block time, 1 or 2 seconds (default 1; 2 matches the L2)
  --gb N          stream: gigabytes of archive to generate (default 1)
  --json          one JSON object on stdout instead of a table
  --help, -h      this text`;

export interface BenchArgs {
  command: 'gas' | 'network' | 'stream' | 'help';
  json: boolean;
  /** network: a fixed stream count, or undefined to search. */
  streams: number | undefined;
  seconds: number;
  blockTimeS: number;
  gb: number;
}

/** The bench's command line, checked: an unknown flag or command is an error that shows the usage. */
export function benchArgs(argv: string[]): BenchArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, streams: { type: 'string' }, seconds: { type: 'string' }, 'block-time': { type: 'string' }, gb: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    throw new Error(`${(e as Error).message}\n\n${BENCH_USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1 || (positionals[0] !== undefined && positionals[0] !== 'network' && positionals[0] !== 'stream')) {
    throw new Error(`unknown bench command "${positionals.join(' ')}"; expected network or stream, or none.\n\n${BENCH_USAGE}`);
  }
  const command = values.help ? 'help' : ((positionals[0] as 'network' | 'stream' | undefined) ?? 'gas');
  const streams = values.streams === undefined ? undefined : Number(values.streams);
  if (streams !== undefined && (!Number.isInteger(streams) || streams < 1 || streams > 5_000)) throw new Error(`--streams ${values.streams}: expected a whole number of live streams from 1 to 5000.`);
  const seconds = values.seconds === undefined ? 90 : Number(values.seconds);
  if (!Number.isInteger(seconds) || seconds < 20) throw new Error(`--seconds ${values.seconds}: expected a whole number of seconds ≥ 20 (the first quarter, up to 30 s, is warm-up).`);
  const blockTimeS = values['block-time'] === undefined ? 1 : Number(values['block-time']);
  if (blockTimeS !== 1 && blockTimeS !== 2) throw new Error(`--block-time ${values['block-time']}: expected 1 or 2 (seconds between anvil's blocks; the L2 makes one every 2 s).`);
  const gb = values.gb === undefined ? 1 : Number(values.gb);
  if (!(gb > 0)) throw new Error(`--gb ${values.gb}: expected a positive number of gigabytes.`);
  return { command, json: Boolean(values.json), streams, seconds, blockTimeS, gb };
}

function liveRow(r: LiveResult): string {
  const ms = (x: number | null) => (x === null ? 'never' : `${(x / 1000).toFixed(1)} s`);
  const c = r.cpuMsPerSlot;
  return (
    `${String(r.streams).padStart(5)} streams: p50 ${ms(r.p50Ms).padStart(6)}, p99 ${ms(r.p99Ms).padStart(6)}; ${r.finalized}/${r.slots} final (${r.within12s} within 12 s); ` +
    `CPU ms/slot witness ${c.witness} + relayer ${c.relayer} + anvil ${c.anvil} = ${c.total}; gas/observation ${r.gasPerObservation?.toLocaleString('en-US') ?? '-'}; ` +
    `backlog ${r.backlog.first} -> ${r.backlog.last} (${r.backlog.flat ? 'flat' : 'GROWING'})`
  );
}

async function main() {
  const { command, json, streams, seconds, blockTimeS, gb } = benchArgs(process.argv.slice(2));
  if (command === 'help') {
    console.log(BENCH_USAGE);
    return;
  }
  if (command === 'network') {
    const cores = os.availableParallelism();
    const log = json ? undefined : (l: string) => console.error(l);
    const run = (n: number) => runLiveNetwork({ streams: n, seconds, blockTimeS, log: (l) => log?.(`[${n}] ${l}`) }).then((r) => {
      console.error(liveRow(r));
      return r;
    });
    if (streams !== undefined) {
      const r = await run(streams);
      const out = { ...r, holds: holds(r), boundBy: boundBy(r, cores) };
      console.log(json ? JSON.stringify({ network: out }) : [liveRow(r), `holds p99 <= 12 s with a flat backlog: ${out.holds ? 'yes' : 'no'}; ${out.boundBy}`].join('\n'));
      return;
    }
    const { best, probes } = await searchStreams(run);
    const summary = best
      ? { streams: best.streams, p50Ms: best.p50Ms, p99Ms: best.p99Ms, cpuMsPerSlot: best.cpuMsPerSlot, gasPerObservation: best.gasPerObservation, backlog: best.backlog, boundBy: boundBy(boundingRun(best, probes), cores) }
      : { streams: 0, p50Ms: null, p99Ms: null, cpuMsPerSlot: null, gasPerObservation: null, boundBy: probes[0] ? boundBy(probes[0], cores) : 'no run' };
    console.log(json ? JSON.stringify({ network: summary, probes }) : ['Live streams sustained (p99 <= 12 s from epoch end to finality, flat backlog)', '', ...probes.map(liveRow), '', `largest that holds: ${summary.streams}; ${summary.boundBy}`].join('\n'));
    return;
  }
  if (command === 'stream') {
    const stream = await measureStreaming(gb);
    const smokes = [await measureWindowedSmoke(3_600), await measureWindowedSmoke(36_000)];
    console.log(json ? JSON.stringify({ stream, smokes }) : streamTable(stream, smokes));
    return;
  }
  const anvil = await startAnvil();
  let gas: GasResult;
  try {
    gas = await measureGas(anvil.rpcUrl, ANVIL_DEFAULTS.hardfork);
  } finally {
    await anvil.stop();
  }
  const throughput = await measureThroughput();
  if (json) {
    console.log(JSON.stringify({ gas, throughput }));
  } else {
    console.log(`${gasTable(gas)}\n\n${throughputTable(throughput)}`);
  }
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
