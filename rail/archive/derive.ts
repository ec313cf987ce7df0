// Archive JSONL → ObservationHeaders. Pure and deterministic: any two witnesses reading the same
// archive derive identical headers, whatever the interleaving of streams in the file.
import type { Hex } from 'viem';
import { observationHash, type ObservationHeader } from '../observation.js';
import { archiveLineSchema, type ArchiveLine } from './schema.js';
import { chunkRoot, fromHex, initKeccak, keccakHex, putSafeInt } from './merkle.js';

export interface ArchiveIssue {
  file: string;
  line: number;
  reason: string;
}

export function formatIssue(i: ArchiveIssue): string {
  return `${i.file}:${i.line}: ${i.reason}`;
}

export interface ArchiveEntry {
  line: number;
  entry: ArchiveLine;
}

/** Parses and validates one non-blank line: the entry, or the reason it is invalid. */
export function parseLine(raw: string, file: string, line: number): { entry: ArchiveLine } | { error: ArchiveIssue } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    return { error: { file, line, reason: `not valid JSON (${(e as Error).message}); each line must be one JSON object` } };
  }
  const parsed = archiveLineSchema.safeParse(json);
  if (parsed.success) return { entry: parsed.data };
  const reasons = parsed.error.issues.map((issue) => {
    const path = issue.path.length ? formatPath(issue.path as (string | number)[]) : '(line)';
    const missing = issue.path.length > 0 && valueAt(json, issue.path as (string | number)[]) === undefined && issue.code === 'invalid_type';
    return missing ? `${path}: missing (${issue.message})` : `${path}: ${issue.message}${receivedSuffix(issue, json)}`;
  });
  return { error: { file, line, reason: reasons.join('; ') } };
}

/** Parses and validates every line. Blank lines are ignored. */
export function parseArchive(text: string, file: string): { entries: ArchiveEntry[]; errors: ArchiveIssue[]; lines: number } {
  const entries: ArchiveEntry[] = [];
  const errors: ArchiveIssue[] = [];
  let lines = 0;
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    lines++;
    const r = parseLine(raw, file, i + 1);
    if ('entry' in r) entries.push({ line: i + 1, entry: r.entry });
    else errors.push(r.error);
  });
  return { entries, errors, lines };
}

function formatPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function valueAt(json: unknown, path: (string | number)[]): unknown {
  let v: unknown = json;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

function receivedSuffix(issue: { code: string; path: PropertyKey[] }, json: unknown): string {
  if (issue.code === 'custom' || issue.path.length === 0) return '';
  const v = valueAt(json, issue.path as (string | number)[]);
  const shown = JSON.stringify(v);
  return shown === undefined ? '' : `, got ${shown.length > 80 ? `${shown.slice(0, 77)}...` : shown}`;
}

export interface DerivedObservation {
  header: ObservationHeader;
  /** The archive line it came from. */
  line: number;
  stream: string;
  epochId: string;
}

export interface Derivation {
  observations: DerivedObservation[];
  errors: ArchiveIssue[];
  warnings: ArchiveIssue[];
  lines: number;
}

const ZERO: Hex = `0x${'00'.repeat(32)}`;

export type DeriveEvent =
  | { kind: 'observation'; observation: DerivedObservation }
  | { kind: 'error'; issue: ArchiveIssue }
  | { kind: 'warning'; issue: ArchiveIssue };

/** Derives an archive one line at a time, in file order, keeping only each stream's last epoch and
 *  head: memory grows with the number of streams, not with the archive. Validates each line, checks
 *  each stream's epochs, and derives the headers of the valid lines, chained per stream. An invalid
 *  line is an error and is left out; a gap between epochs is a warning (a stream can go off the air)
 *  and the chain continues across it. Call `await initKeccak()` once before the first `push`. */
export class ArchiveDeriver {
  /** Non-blank lines seen. */
  lines = 0;
  private readonly last = new Map<string, { line: number; start: number; end: number; id: string }>();
  private readonly heads = new Map<string, { hash: Hex; sequence: bigint }>();
  private readonly streamHashes = new Map<string, Hex>();

  constructor(readonly file: string) {}

  /** The events of line `line` (1-based); nothing for a blank line. */
  push(line: number, raw: string): DeriveEvent[] {
    if (raw.trim() === '') return [];
    this.lines++;
    const parsed = parseLine(raw, this.file, line);
    if ('error' in parsed) return [{ kind: 'error', issue: parsed.error }];
    return this.accept(line, parsed.entry);
  }

  /** An error for line `line` found before parsing (e.g. a line too long to read). */
  reject(line: number, reason: string): DeriveEvent[] {
    this.lines++;
    return [{ kind: 'error', issue: { file: this.file, line, reason } }];
  }

  private accept(line: number, entry: ArchiveLine): DeriveEvent[] {
    const file = this.file;
    const { stream, epoch } = entry;
    const prev = this.last.get(stream);
    const start = epoch.startUnixMs;
    const end = start + epoch.durationMs;
    const events: DeriveEvent[] = [];
    if (prev) {
      if (epoch.id === prev.id || start === prev.start) {
        return [{ kind: 'error', issue: { file, line, reason: `duplicate epoch: stream ${stream} epoch ${epoch.id} (start ${start}) is already at line ${prev.line}; keep one of them` } }];
      }
      if (start < prev.start) {
        return [{ kind: 'error', issue: { file, line, reason: `out of order: stream ${stream} epoch ${epoch.id} starts at ${start}, before the epoch at line ${prev.line} (${prev.start}); the archive must list each stream's epochs in time order` } }];
      }
      if (start < prev.end) {
        return [{ kind: 'error', issue: { file, line, reason: `overlap: stream ${stream} epoch ${epoch.id} starts at ${start}, before the epoch at line ${prev.line} ends (${prev.end})` } }];
      }
      if (start > prev.end) {
        events.push({ kind: 'warning', issue: { file, line, reason: `gap: stream ${stream} has no epoch for ${start - prev.end} ms before epoch ${epoch.id}; the chain continues across it` } });
      }
    }
    this.last.set(stream, { line, start, end, id: epoch.id });
    let streamHash = this.streamHashes.get(stream);
    if (!streamHash) {
      streamHash = streamHashOf(stream);
      this.streamHashes.set(stream, streamHash);
    }
    const head = this.heads.get(stream);
    const header: ObservationHeader = {
      streamHash,
      epochHash: epochHashOf(epoch.id, epoch.startUnixMs, epoch.durationMs),
      parentObservationHash: head?.hash ?? ZERO,
      dataRoot: dataRootOf(entry),
      locatorHash: keccakHex(utf8(entry.locator)),
      observedUnixMs: BigInt(entry.observedUnixMs),
      sequence: head ? head.sequence + 1n : 0n,
    };
    this.heads.set(stream, { hash: observationHash(header), sequence: header.sequence });
    events.push({ kind: 'observation', observation: { header, line, stream, epochId: epoch.id } });
    return events;
  }
}

/** Collects a whole derivation in memory (observations, errors and warnings in line order). */
export class DerivationCollector {
  readonly observations: DerivedObservation[] = [];
  readonly errors: ArchiveIssue[] = [];
  readonly warnings: ArchiveIssue[] = [];

  add(events: DeriveEvent[]): void {
    for (const e of events) {
      if (e.kind === 'observation') this.observations.push(e.observation);
      else if (e.kind === 'error') this.errors.push(e.issue);
      else this.warnings.push(e.issue);
    }
  }
}

/** Derives a whole archive held in memory; see ArchiveDeriver. */
export async function deriveArchive(text: string, file: string): Promise<Derivation> {
  await initKeccak();
  const deriver = new ArchiveDeriver(file);
  const out = new DerivationCollector();
  text.split('\n').forEach((raw, i) => out.add(deriver.push(i + 1, raw)));
  return { observations: out.observations, errors: out.errors, warnings: out.warnings, lines: deriver.lines };
}

const encoder = new TextEncoder();
const utf8 = (s: string) => encoder.encode(s);

/** streamHash = keccak256(utf8(stream identity)). */
export function streamHashOf(stream: string): Hex {
  return keccakHex(utf8(stream));
}

/** epochHash = keccak256(abi.encode(string epochId, uint64 startUnixMs, uint64 durationMs)). */
export function epochHashOf(id: string, startUnixMs: number, durationMs: number): Hex {
  const bytes = utf8(id);
  const padded = Math.ceil(bytes.length / 32) * 32;
  const enc = new Uint8Array(32 * 4 + padded);
  putSafeInt(enc, 0, 96); // offset of the string: after the three head words
  putSafeInt(enc, 32, startUnixMs);
  putSafeInt(enc, 64, durationMs);
  putSafeInt(enc, 96, bytes.length);
  enc.set(bytes, 128);
  return keccakHex(enc);
}

/** dataRoot = keccak256(abi.encode(chunkRoot, manifestHash, psipDigest or zero)). */
export function dataRootOf(entry: ArchiveLine): Hex {
  const root = chunkRoot(
    entry.chunks.map((c) => ({ sequence: c.sequence, contentHash: fromHex(c.contentHash), byteLength: c.byteLength, durationMs: c.durationMs })),
  );
  const enc = new Uint8Array(96);
  enc.set(root, 0);
  enc.set(fromHex(entry.manifestHash), 32);
  if (entry.psipDigest) enc.set(fromHex(entry.psipDigest), 64);
  return keccakHex(enc);
}

