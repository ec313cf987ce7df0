// Cross-language test vectors: ObservationHeaders with their ObservationHash, ObservationSlot and
// EIP-712 sign-off digest, computed with viem. The Solidity suite (contracts/test/Vectors.t.sol) and
// the TypeScript suite (rail/vectors.test.ts) both assert this file.
//   npx tsx scripts/gen-vectors.ts          write contracts/test/vectors/observation-vectors.json
//   npx tsx scripts/gen-vectors.ts --check  exit 1 if the committed file differs
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMain } from './is-main.js';
import { getAddress, keccak256, toHex, type Address, type Hex } from 'viem';
import { observationHash, observationSlot, type ObservationHeader } from '../rail/observation.js';
import { ledgerDomain, signOffDigest } from '../rail/signoff.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const VECTORS_PATH = path.join(root, 'contracts/test/vectors/observation-vectors.json');

/** A fixed domain: an OP Stack-sized chain id and an arbitrary ledger address. */
const CHAIN_ID = 16584;
const LEDGER: Address = getAddress('0x5edb5e1f6b2c1d17c1e7c0a8be8f7e5e9a2d4c01');
const MAX_U64 = 2n ** 64n - 1n;
const ZERO: Hex = `0x${'00'.repeat(32)}`;

const h = (label: string): Hex => keccak256(toHex(label));

function headers(): { name: string; header: ObservationHeader; deadline: bigint; witnessIndex: number }[] {
  const first: ObservationHeader = {
    streamHash: h('atsc/KQED/9.1'),
    epochHash: h('epoch 0'),
    parentObservationHash: ZERO,
    dataRoot: h('data 0'),
    locatorHash: h('s3://every-channel-archive/atsc/KQED/9.1/0'),
    observedUnixMs: 1_790_000_006_000n,
    sequence: 0n,
  };
  const second: ObservationHeader = {
    ...first,
    epochHash: h('epoch 1'),
    parentObservationHash: observationHash(first),
    dataRoot: h('data 1'),
    observedUnixMs: 1_790_000_012_000n,
    sequence: 1n,
  };
  return [
    { name: 'first of a stream', header: first, deadline: 1_790_003_600n, witnessIndex: 0 },
    { name: 'second, chained on the first', header: second, deadline: 1_790_003_600n, witnessIndex: 1 },
    { name: 'competing candidate (other dataRoot)', header: { ...second, dataRoot: h('data 1 dissent') }, deadline: 1_790_003_600n, witnessIndex: 4 },
    {
      // Hashes only: the ledger refuses this header as a candidate (zero dataRoot).
      name: 'extreme values',
      header: {
        streamHash: `0x${'ff'.repeat(32)}`,
        epochHash: `0x${'00'.repeat(31)}01`,
        parentObservationHash: `0x${'ab'.repeat(32)}`,
        dataRoot: ZERO,
        locatorHash: ZERO,
        observedUnixMs: MAX_U64,
        sequence: MAX_U64,
      },
      deadline: MAX_U64,
      witnessIndex: 255,
    },
  ];
}

export function renderVectors(): string {
  const domain = ledgerDomain(CHAIN_ID, LEDGER);
  const vectors = headers().map(({ name, header, deadline, witnessIndex }) => ({
    name,
    header: { ...header, observedUnixMs: header.observedUnixMs.toString(), sequence: header.sequence.toString() },
    observationHash: observationHash(header),
    observationSlot: observationSlot(header.streamHash, header.epochHash),
    deadline: deadline.toString(),
    witnessIndex,
    signOffDigest: signOffDigest(domain, observationHash(header), deadline, witnessIndex),
  }));
  return `${JSON.stringify({ domain, count: vectors.length, vectors }, null, 2)}\n`;
}

if (isMain(import.meta.url)) {
  const rendered = renderVectors();
  if (process.argv.includes('--check')) {
    if (readFileSync(VECTORS_PATH, 'utf8') !== rendered) {
      console.error(`${path.relative(root, VECTORS_PATH)} is stale: run \`npx tsx scripts/gen-vectors.ts\` and commit it.`);
      process.exit(1);
    }
  } else {
    writeFileSync(VECTORS_PATH, rendered);
    console.log(`wrote ${path.relative(root, VECTORS_PATH)}`);
  }
}
