// Writes the bundled rail client, rail.mjs (components/ledger/bundle.ts: the same file the stack runs
// on ecp-forge), for a witness host that runs it outside the stack (the NixOS module's
// services.every-channel.rail-witness.bundle; docs/joining-as-a-witness.md).
//   npx tsx scripts/bundle-rail.ts --out rail.mjs     → prints "<sha256>  <file>"
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { bundleRailCli } from '../components/ledger/bundle.js';
import { isMain } from './is-main.js';

export async function writeRailBundle(out: string): Promise<string> {
  const bundle = await bundleRailCli();
  writeFileSync(out, bundle.code, { mode: 0o644 });
  return bundle.sha256;
}

if (isMain(import.meta.url)) {
  let out: string | undefined;
  try {
    out = parseArgs({ options: { out: { type: 'string' } } }).values.out;
  } catch (e) {
    console.error(`error: ${(e as Error).message}\nusage: npx tsx scripts/bundle-rail.ts --out FILE`);
    process.exit(2);
  }
  if (out === undefined) {
    console.error('error: --out FILE is required: where to write rail.mjs.\nusage: npx tsx scripts/bundle-rail.ts --out FILE');
    process.exit(2);
  }
  try {
    console.log(`${await writeRailBundle(out)}  ${out}`);
  } catch (e) {
    console.error(`error: --out ${out}: cannot write it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
    process.exit(1);
  }
}
