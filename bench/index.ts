// `npm run bench`: gas per finalized observation on anvil, and (with the smoke) throughput.
// Prints a table; `--json` prints one JSON object instead.
import { ANVIL_DEFAULTS, startAnvil } from '../components/rail/anvil.js';
import { GAS_TARGETS, measureGas, type GasResult } from './gas.js';

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

async function main() {
  const json = process.argv.includes('--json');
  const anvil = await startAnvil();
  try {
    const gas = await measureGas(anvil.rpcUrl, ANVIL_DEFAULTS.hardfork);
    if (json) {
      console.log(JSON.stringify({ gas }));
    } else {
      console.log(gasTable(gas));
    }
  } finally {
    await anvil.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
