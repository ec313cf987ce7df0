// Per-witness archives for the network smoke. Real witnesses are separate machines, each with its
// OWN archive of the same broadcast: they saw each epoch at slightly different times, stored it at
// their own locator, sometimes lost an epoch to reception, and sometimes stored a corrupted chunk.
// This turns the one shared archive (smoke/fixtures/archive.jsonl) into such per-witness archives,
// purely and deterministically (seeded), so a smoke with 5+ witness processes can give each its own.
//
// Witnesses are numbered 0, 1, 2, … (witness-0.jsonl, https://witness-0.archive.invalid/…).
// Epochs are counted per stream in file order, from 0; `every: E` hits the E-th, 2E-th, 3E-th, …
// epoch of each stream (indices E-1, 2E-1, …) unless `offset` says where to start (offset O: the
// indices O, O+E, O+2E, …; 0 ≤ O < E).
//
//   npx tsx smoke/witness-archives.ts --out DIR --witnesses 5 [--archive FILE] [--seed N]
//     [--limit-epochs N] [--streams N] [--jitter-ms N] [--missing W:EVERY[:OFFSET]]…
//     [--corrupted W:EVERY[:OFFSET]]…
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { printable } from '../rail/errors.js';
import { prng } from '../scripts/gen-archive-fixture.js';
import { isMain } from '../scripts/is-main.js';
import { archiveLineSchema } from '../rail/archive/schema.js';

export interface WitnessArchiveSpec {
  /** Number of witnesses, ≥ 1. */
  witnesses: number;
  /** Seed of every random choice (default DEFAULT_SEED). */
  seed?: number;
  /** Each witness's observedUnixMs = original + a uniform integer in [0, jitterMs] (default 250),
   *  never before the epoch's end. */
  jitterMs?: number;
  /** That witness has no line for every `every`-th epoch of each stream (reception loss). */
  missing?: { witness: number; every: number; offset?: number }[];
  /** That witness's line has one chunk's contentHash altered on those epochs (still 0x + 64 hex), so
   *  its dataRoot differs. An epoch that is also missing for the witness stays missing. */
  corrupted?: { witness: number; every: number; offset?: number }[];
  /** Keep only the first N epochs of each stream. */
  limitEpochs?: number;
  /** Keep only the first N streams, by first appearance in the file. */
  streams?: number;
}

export interface WitnessArchive {
  witness: number;
  /** JSON lines, in the shared archive's order, without newlines. */
  lines: string[];
  /** Lines left out for reception loss. */
  missing: number;
  /** Lines with a corrupted chunk. */
  corrupted: number;
}

export const DEFAULT_SEED = 0x3a7c_5eed;
export const DEFAULT_JITTER_MS = 250;
export const DEFAULT_ARCHIVE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/archive.jsonl');

/** A spec, a shared line or a command line that cannot be used; the message says what to change. */
export class WitnessArchiveError extends Error {
  override name = 'WitnessArchiveError';
}

type Json = Record<string, unknown>;

interface SharedEntry {
  obj: Json;
  stream: string;
  /** This epoch's index within its stream (0, 1, 2, … in file order). */
  index: number;
  end: number;
}

/** Whether epoch `index` of a stream is hit by a rule. */
function hits(rule: { every: number; offset?: number }, index: number): boolean {
  const offset = rule.offset ?? rule.every - 1;
  return index >= offset && (index - offset) % rule.every === 0;
}

/** murmur3's 32-bit finalizer: spreads nearby seeds (witness 0, 1, 2, …) over the whole range. */
function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85eb_ca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2_ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** An independent PRNG for (seed, witness, purpose). */
function streamOf(seed: number, witness: number, purpose: number): () => number {
  return prng(mix32(mix32(mix32(seed >>> 0) ^ Math.imul(witness + 1, 0x9e37_79b9)) ^ purpose) || 1);
}

function requireInt(what: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new WitnessArchiveError(`${what}: expected a whole number from ${min} to ${max}, got ${printable(String(v))}`);
  }
  return v;
}

function checkRules(kind: 'missing' | 'corrupted', rules: WitnessArchiveSpec['missing'], witnesses: number): { witness: number; every: number; offset?: number }[] {
  return (rules ?? []).map((r, i) => {
    const what = `${kind}[${i}]`;
    requireInt(`${what}.witness`, r.witness, 0, witnesses - 1);
    const every = requireInt(`${what}.every`, r.every, 1);
    if (r.offset !== undefined) requireInt(`${what}.offset`, r.offset, 0, every - 1);
    return r;
  });
}

/** The shared lines to keep (after `streams` and `limitEpochs`), parsed and validated. */
function readShared(sharedLines: string[], spec: WitnessArchiveSpec): SharedEntry[] {
  const order: string[] = [];
  const counts = new Map<string, number>();
  const out: SharedEntry[] = [];
  sharedLines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (e) {
      throw new WitnessArchiveError(`shared archive line ${i + 1}: not valid JSON (${(e as Error).message})`);
    }
    // Lines left out by `streams` or `limitEpochs` are only classified, not validated (fast for a
    // short smoke); a line whose stream cannot be read is validated, and so refused, anyway.
    const claimed = json !== null && typeof json === 'object' ? (json as Json).stream : undefined;
    if (typeof claimed === 'string') {
      if (!counts.has(claimed)) {
        order.push(claimed);
        counts.set(claimed, 0);
      }
      if (spec.streams !== undefined && order.indexOf(claimed) >= spec.streams) return;
      if (spec.limitEpochs !== undefined && counts.get(claimed)! >= spec.limitEpochs) {
        counts.set(claimed, counts.get(claimed)! + 1);
        return;
      }
    }
    const parsed = archiveLineSchema.safeParse(json);
    if (!parsed.success) {
      const why = parsed.error.issues.map((x) => `${x.path.join('.') || '(line)'}: ${x.message}`).join('; ');
      throw new WitnessArchiveError(`shared archive line ${i + 1}: not a valid archive line (${printable(why)})`);
    }
    const { stream, epoch } = parsed.data;
    const index = counts.get(stream)!;
    counts.set(stream, index + 1);
    out.push({ obj: json as Json, stream, index, end: epoch.startUnixMs + epoch.durationMs });
  });
  return out;
}

/** The original locator's path (and query) under https://witness-<i>.archive.invalid/. */
function witnessLocator(witness: number, locator: string): string {
  const url = new URL(locator);
  const p = url.pathname.startsWith('/') ? url.pathname : `/${url.pathname}`;
  const out = `https://witness-${witness}.archive.invalid${p}${url.search}`;
  if (!URL.canParse(out)) throw new WitnessArchiveError(`locator ${printable(locator)}: cannot be moved under https://witness-${witness}.archive.invalid/`);
  return out;
}

/** `chunks` with one chunk's contentHash changed in one hex digit (still lowercase 0x + 64 hex). */
function corruptChunks(chunks: Json[], rand: () => number): Json[] {
  const which = Math.floor(rand() * chunks.length);
  const digit = 2 + Math.floor(rand() * 64);
  const flip = 1 + Math.floor(rand() * 15);
  return chunks.map((c, i) => {
    if (i !== which) return c;
    const hash = String(c.contentHash).toLowerCase();
    const nibble = (parseInt(hash[digit]!, 16) ^ flip).toString(16);
    return { ...c, contentHash: hash.slice(0, digit) + nibble + hash.slice(digit + 1) };
  });
}

/** Per-witness archives made from the shared archive's lines; see the file comment. Pure: the same
 *  lines and spec give the same archives. Throws WitnessArchiveError for a bad spec or shared line. */
export function witnessArchives(sharedLines: string[], spec: WitnessArchiveSpec): WitnessArchive[] {
  const witnesses = requireInt('witnesses', spec.witnesses, 1, 10_000);
  const seed = requireInt('seed', spec.seed ?? DEFAULT_SEED, 0, 2 ** 32 - 1);
  const jitterMs = requireInt('jitterMs', spec.jitterMs ?? DEFAULT_JITTER_MS, 0, 86_400_000);
  if (spec.limitEpochs !== undefined) requireInt('limitEpochs', spec.limitEpochs, 1);
  if (spec.streams !== undefined) requireInt('streams', spec.streams, 1);
  const missing = checkRules('missing', spec.missing, witnesses);
  const corrupted = checkRules('corrupted', spec.corrupted, witnesses);
  const shared = readShared(sharedLines, spec);

  return Array.from({ length: witnesses }, (_, witness) => {
    const jitter = streamOf(seed, witness, 1);
    const damage = streamOf(seed, witness, 2);
    const lost = missing.filter((r) => r.witness === witness);
    const broken = corrupted.filter((r) => r.witness === witness);
    const archive: WitnessArchive = { witness, lines: [], missing: 0, corrupted: 0 };
    for (const { obj, index, end } of shared) {
      // One draw per kept shared line, lost or not, so a line's jitter does not depend on the losses.
      const observedUnixMs = Math.max(end, (obj.observedUnixMs as number) + Math.floor(jitter() * (jitterMs + 1)));
      if (lost.some((r) => hits(r, index))) {
        archive.missing++;
        continue;
      }
      const line: Json = { ...obj, observedUnixMs, locator: witnessLocator(witness, obj.locator as string) };
      if (broken.some((r) => hits(r, index))) {
        line.chunks = corruptChunks(obj.chunks as Json[], damage);
        archive.corrupted++;
      }
      archive.lines.push(JSON.stringify(line));
    }
    return archive;
  });
}

/** Writes dir/witness-<i>.jsonl for each archive (creating dir); returns the paths in order. */
export async function writeWitnessArchives(dir: string, archives: WitnessArchive[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const a of archives) {
    const file = path.join(dir, `witness-${a.witness}.jsonl`);
    await writeFile(file, a.lines.length ? `${a.lines.join('\n')}\n` : '');
    paths.push(file);
  }
  return paths;
}

const USAGE = `usage: npx tsx smoke/witness-archives.ts --out DIR --witnesses N [flags]

  --out DIR                  where to write witness-0.jsonl … witness-<N-1>.jsonl (required)
  --witnesses N              number of witnesses, 1 or more (required)
  --archive FILE             the shared archive (default smoke/fixtures/archive.jsonl)
  --seed N                   seed, 0 to 4294967295 (default ${DEFAULT_SEED})
  --jitter-ms N              observedUnixMs jitter, 0 or more (default ${DEFAULT_JITTER_MS})
  --limit-epochs N           only the first N epochs of each stream
  --streams N                only the first N streams
  --missing W:EVERY[:OFF]    witness W (0-based) lost every EVERY-th epoch of each stream (repeatable)
  --corrupted W:EVERY[:OFF]  witness W has a corrupted chunk on every EVERY-th epoch (repeatable)`;

class UsageError extends Error {
  constructor(
    message: string,
    readonly showUsage = false,
  ) {
    super(message);
  }
}

function cliInt(flag: string, v: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new UsageError(`${flag} ${printable(v)}: expected a whole number from ${min} to ${max}, for example ${flag} ${Math.max(min, Math.min(5, max))}.`);
  }
  return Number(v);
}

function cliRule(flag: string, v: string, witnesses: number): { witness: number; every: number; offset?: number } {
  const m = /^(\d+):(\d+)(?::(\d+))?$/.exec(v);
  if (!m) throw new UsageError(`${flag} ${printable(v)}: expected WITNESS:EVERY or WITNESS:EVERY:OFFSET (whole numbers), for example ${flag} 1:10.`);
  const witness = Number(m[1]);
  const every = Number(m[2]);
  const offset = m[3] === undefined ? undefined : Number(m[3]);
  if (witness >= witnesses) {
    throw new UsageError(`${flag} ${v}: there is no witness ${witness}; with --witnesses ${witnesses} they are numbered 0 to ${witnesses - 1}.`);
  }
  if (every < 1 || !Number.isSafeInteger(every)) throw new UsageError(`${flag} ${v}: EVERY must be 1 or more, for example ${flag} ${witness}:10.`);
  if (offset !== undefined && offset >= every) {
    throw new UsageError(`${flag} ${v}: OFFSET must be below EVERY (0 to ${every - 1}), for example ${flag} ${witness}:${every}:0.`);
  }
  return offset === undefined ? { witness, every } : { witness, every, offset };
}

const VALUE_FLAGS = ['--out', '--witnesses', '--archive', '--seed', '--jitter-ms', '--limit-epochs', '--streams', '--missing', '--corrupted'];

/** The CLI; returns the exit code (0 written, 2 usage, 3 unusable archive). */
export async function main(argv: string[]): Promise<number> {
  try {
    const single = new Map<string, string>();
    const rules: { flag: string; value: string }[] = [];
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i]!;
      if (arg === '--help' || arg === '-h') {
        console.log(USAGE);
        return 0;
      }
      const eq = arg.indexOf('=');
      const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
      if (!VALUE_FLAGS.includes(flag)) throw new UsageError(`unknown argument ${printable(arg)}; the flags are listed below.`, true);
      const value = flag !== arg ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`${flag} needs a value, for example ${flag === '--out' ? '--out /tmp/witnesses' : flag === '--missing' || flag === '--corrupted' ? `${flag} 1:10` : `${flag} 5`}.`);
      if (flag === '--missing' || flag === '--corrupted') rules.push({ flag, value });
      else if (single.has(flag)) throw new UsageError(`${flag} is given twice; give it once.`);
      else single.set(flag, value);
    }
    const out = single.get('--out');
    if (out === undefined || out === '') throw new UsageError('--out DIR is required (the directory for the witness archives), for example --out /tmp/witnesses.');
    const w = single.get('--witnesses');
    if (w === undefined) throw new UsageError('--witnesses N is required (how many witness archives to write), for example --witnesses 5.');
    const witnesses = cliInt('--witnesses', w, 1, 10_000);
    const opt = (flag: string, min: number, max?: number) => {
      const v = single.get(flag);
      return v === undefined ? undefined : cliInt(flag, v, min, max);
    };
    const spec: WitnessArchiveSpec = { witnesses };
    const seed = opt('--seed', 0, 2 ** 32 - 1);
    const jitterMs = opt('--jitter-ms', 0, 86_400_000);
    const limitEpochs = opt('--limit-epochs', 1);
    const streams = opt('--streams', 1);
    if (seed !== undefined) spec.seed = seed;
    if (jitterMs !== undefined) spec.jitterMs = jitterMs;
    if (limitEpochs !== undefined) spec.limitEpochs = limitEpochs;
    if (streams !== undefined) spec.streams = streams;
    spec.missing = rules.filter((r) => r.flag === '--missing').map((r) => cliRule(r.flag, r.value, witnesses));
    spec.corrupted = rules.filter((r) => r.flag === '--corrupted').map((r) => cliRule(r.flag, r.value, witnesses));

    const file = single.get('--archive') ?? DEFAULT_ARCHIVE;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      console.error(`error: --archive ${printable(file)}: cannot read it (${printable((e as Error).message)}).`);
      return 3;
    }
    let archives: WitnessArchive[];
    try {
      archives = witnessArchives(text.split('\n'), spec);
    } catch (e) {
      if (!(e instanceof WitnessArchiveError)) throw e;
      console.error(`error: ${printable(file)}: ${e.message}`);
      return 3;
    }
    const paths = await writeWitnessArchives(out, archives);
    archives.forEach((a, i) => console.log(`${paths[i]}: ${a.lines.length} lines, ${a.missing} missing, ${a.corrupted} corrupted`));
    return 0;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(e.showUsage ? `error: ${e.message}\n\n${USAGE}` : `error: ${e.message} (--help lists the flags)`);
    return 2;
  }
}

if (isMain(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(`internal error: ${e instanceof Error && e.stack ? e.stack : String(e)}`);
      process.exitCode = 70;
    },
  );
}
