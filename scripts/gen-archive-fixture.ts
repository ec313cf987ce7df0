// Makes the bundled archive smoke/fixtures/archive.jsonl (3 ATSC streams × 2 hours of 6-second
// epochs, three 2-second HLS-like chunks each) and the small broken files in smoke/fixtures/bad/.
// A fixed seed makes every run byte-identical.
//   npx tsx scripts/gen-archive-fixture.ts [--check]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMain } from './is-main.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const FIXTURE_DIR = path.join(root, 'smoke/fixtures');

/** xorshift32: small, seedable, and the same on every platform. */
export function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

function hex32(rand: () => number): string {
  let s = '0x';
  for (let i = 0; i < 8; i++) s += Math.floor(rand() * 2 ** 32).toString(16).padStart(8, '0');
  return s;
}

const START = Date.UTC(2026, 10, 20, 18, 0, 0); // 2026-11-20T18:00:00Z
const EPOCH_MS = 6000;
const CHUNK_MS = 2000;
const STREAMS = [
  { id: 'atsc/KQED/9.1', psip: true, kbps: 3200 },
  { id: 'atsc/KTVU/2.1', psip: true, kbps: 5800 },
  { id: 'atsc/KPIX/5.1', psip: false, kbps: 4400 },
];

interface Line {
  at: number;
  text: string;
}

function epochLine(rand: () => number, stream: (typeof STREAMS)[number], index: number): Line & { obj: Record<string, unknown> } {
  const start = START + index * EPOCH_MS;
  const chunks = Array.from({ length: EPOCH_MS / CHUNK_MS }, (_, sequence) => ({
    sequence,
    contentHash: hex32(rand),
    byteLength: Math.round((stream.kbps * 1000 * (CHUNK_MS / 1000)) / 8 * (0.85 + rand() * 0.3)),
    durationMs: CHUNK_MS,
  }));
  const observedUnixMs = start + EPOCH_MS + 150 + Math.floor(rand() * 1200);
  const day = new Date(start).toISOString().slice(0, 10);
  const obj: Record<string, unknown> = {
    version: 1,
    stream: stream.id,
    epoch: { id: new Date(start).toISOString(), startUnixMs: start, durationMs: EPOCH_MS },
    observedUnixMs,
    chunks,
    manifestHash: hex32(rand),
    ...(stream.psip ? { psipDigest: hex32(rand) } : {}),
    locator: `s3://every-channel-archive/${stream.id}/${day}/${String(index).padStart(6, '0')}.m3u8`,
    // An extra field a newer archiver might add; readers ignore what they do not know.
    ingest: { host: 'ecp-forge', tuner: STREAMS.indexOf(stream) },
  };
  return { at: observedUnixMs, text: JSON.stringify(obj), obj };
}

export function renderArchive(epochsPerStream = 1200, seed = 0xecf0093): string {
  const rand = prng(seed);
  const lines: Line[] = [];
  for (let i = 0; i < epochsPerStream; i++) for (const s of STREAMS) lines.push(epochLine(rand, s, i));
  lines.sort((a, b) => a.at - b.at);
  return lines.map((l) => l.text).join('\n') + '\n';
}

/** Five good lines of one stream, with one line broken by `breakIt`. */
function badFile(seed: number, breakIt: (objs: Record<string, unknown>[]) => (Record<string, unknown> | string)[]): string {
  const rand = prng(seed);
  const objs = Array.from({ length: 5 }, (_, i) => epochLine(rand, STREAMS[0]!, i).obj);
  return breakIt(objs).map((o) => (typeof o === 'string' ? o : JSON.stringify(o))).join('\n') + '\n';
}

export function renderBadFixtures(): Record<string, string> {
  return {
    'bad-json.jsonl': badFile(1, (o) => [o[0]!, o[1]!, JSON.stringify(o[2]).slice(0, 60), o[3]!, o[4]!]),
    'missing-field.jsonl': badFile(2, (o) => {
      const { manifestHash: _dropped, ...rest } = o[2]!;
      return [o[0]!, o[1]!, rest, o[3]!, o[4]!];
    }),
    'wrong-type.jsonl': badFile(3, (o) => {
      const chunks = (o[2]!.chunks as Record<string, unknown>[]).map((c, i) => (i === 1 ? { ...c, byteLength: '812345' } : c));
      return [o[0]!, o[1]!, { ...o[2]!, chunks }, o[3]!, o[4]!];
    }),
    'duplicate-epoch.jsonl': badFile(4, (o) => [o[0]!, o[1]!, o[2]!, { ...o[2]!, observedUnixMs: (o[2]!.observedUnixMs as number) + 5 }, o[3]!, o[4]!]),
    'out-of-order.jsonl': badFile(5, (o) => [o[0]!, o[2]!, o[1]!, o[3]!, o[4]!]),
    'gap.jsonl': badFile(6, (o) => [o[0]!, o[1]!, o[3]!, o[4]!]),
  };
}

function files(): Record<string, string> {
  const out: Record<string, string> = { 'archive.jsonl': renderArchive() };
  for (const [name, text] of Object.entries(renderBadFixtures())) out[`bad/${name}`] = text;
  return out;
}

if (isMain(import.meta.url)) {
  const check = process.argv.includes('--check');
  let stale = false;
  mkdirSync(path.join(FIXTURE_DIR, 'bad'), { recursive: true });
  for (const [name, text] of Object.entries(files())) {
    const file = path.join(FIXTURE_DIR, name);
    if (check) {
      let current = '';
      try {
        current = readFileSync(file, 'utf8');
      } catch {
        // missing counts as stale
      }
      if (current !== text) {
        console.error(`${path.relative(root, file)} is stale: run \`npx tsx scripts/gen-archive-fixture.ts\` and commit it.`);
        stale = true;
      }
    } else {
      writeFileSync(file, text);
      console.log(`wrote ${path.relative(root, file)} (${text.length} bytes)`);
    }
  }
  if (stale) process.exit(1);
}
