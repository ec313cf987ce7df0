// `npm run bench`: gas per finalized observation on anvil, and (with the smoke) throughput.
// `npm run bench -- network [--epochs N]`: consensus throughput of the network smoke's processes.
// `npm run bench -- stream [--gb N]`: streaming derivation of a generated archive of N GB (default 1)
// through the CLI, with its peak memory; and the smoke's peak memory over 3,600 and 36,000 observations.
// Prints a table; `--json` prints one JSON object instead.
import { parseArgs } from 'node:util';
import { isMain } from '../scripts/is-main.js';
import { ANVIL_DEFAULTS, startAnvil } from '../rail/anvil.js';
import { GAS_TARGETS, measureGas, type GasResult } from './gas.js';
import { measureStreaming, measureWindowedSmoke, type StreamResult, type WindowedSmokeResult } from './stream.js';
import { measureThroughput, type ThroughputResult } from './throughput.js';
import { runNetworkSmoke } from '../smoke/network.js';

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
  network       consensus among 5 witness processes and 2 relayers on loopback (relayed and witness-tx)
  stream        streaming derivation of a generated archive through the CLI, and the smoke's peak memory

flags:
  --epochs N    network: epochs per stream (default 60, at least 2)
  --gb N        stream: gigabytes of archive to generate (default 1)
  --json        one JSON object on stdout instead of a table
  --help, -h    this text`;

/** The bench's command line, checked: an unknown flag or command is an error that shows the usage. */
export function benchArgs(argv: string[]): { command: 'gas' | 'network' | 'stream' | 'help'; json: boolean; epochs: number; gb: number } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' }, epochs: { type: 'string' }, gb: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    throw new Error(`${(e as Error).message}\n\n${BENCH_USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1 || (positionals[0] !== undefined && positionals[0] !== 'network' && positionals[0] !== 'stream')) {
    throw new Error(`unknown bench command "${positionals.join(' ')}"; expected network or stream, or none.\n\n${BENCH_USAGE}`);
  }
  const command = values.help ? 'help' : ((positionals[0] as 'network' | 'stream' | undefined) ?? 'gas');
  const epochs = values.epochs === undefined ? 60 : Number(values.epochs);
  if (!Number.isInteger(epochs) || epochs < 2) throw new Error(`--epochs ${values.epochs}: expected a whole number ≥ 2.`);
  const gb = values.gb === undefined ? 1 : Number(values.gb);
  if (!(gb > 0)) throw new Error(`--gb ${values.gb}: expected a positive number of gigabytes.`);
  return { command, json: Boolean(values.json), epochs, gb };
}

async function main() {
  const { command, json, epochs, gb } = benchArgs(process.argv.slice(2));
  if (command === 'help') {
    console.log(BENCH_USAGE);
    return;
  }
  if (command === 'network') {
    const network = [];
    for (const mode of ['relayed', 'witness-tx'] as const) {
      const s = await runNetworkSmoke({ epochs, mode, faults: false });
      if (!s.ok) throw new Error(`network run (${mode}) failed: ${s.problems.join('; ')}`);
      network.push({ mode, slots: s.slots, finalizeSeconds: s.finalizeSeconds, slotsPerSecond: Math.round((s.finalized / s.finalizeSeconds) * 10) / 10, meanLatencySeconds: s.meanLatencySeconds, gasPerObservation: s.gasPerObservation });
    }
    console.log(
      json
        ? JSON.stringify({ network })
        : [
            'Consensus among 5 witness processes and 2 relayers on loopback (anvil, no faults, this machine)',
            '',
            ...network.map(
              (r) =>
                `${r.mode.padEnd(12)} ${String(r.slots).padStart(5)} slots in ${r.finalizeSeconds.toFixed(1).padStart(6)} s = ${r.slotsPerSecond.toFixed(1).padStart(6)} slots/s; ` +
                `mean latency ${r.meanLatencySeconds.toFixed(2)} s; relayer gas/observation ${r.gasPerObservation?.toLocaleString('en-US') ?? '-'}`,
            ),
            '(3 streams, one vote in flight per stream; latency: from a slot\'s turn at a witness to its finality)',
          ].join('\n'),
    );
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
