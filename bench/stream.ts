// Streaming derivation of a large archive: writes a synthetic archive of at least `gigabytes` GB (the
// bundled fixture's lines, shifted in time copy after copy, so every line is valid and every stream's
// chain continues), runs the real CLI's `derive` over it with stdout through a pipe, and samples the
// CLI process's memory (Linux /proc) as it goes: peak RSS, and RSS after the first and the last tenth.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_ARCHIVE } from '../rail/smoke.js';

export interface StreamResult {
  archiveBytes: number;
  lines: number;
  seconds: number;
  linesPerSec: number;
  peakRssMiB: number;
  rssAfterFirstTenthMiB: number;
  rssAfterLastTenthMiB: number;
}

interface FixtureLine {
  epoch: { id: string; startUnixMs: number; durationMs: number };
  observedUnixMs: number;
  [k: string]: unknown;
}

/** Writes copies of the fixture, each shifted by the fixture's span, until `bytes` are written (or
 *  `maxLines` lines). */
async function writeArchive(file: string, bytes: number, maxLines = Number.POSITIVE_INFINITY): Promise<{ bytes: number; lines: number }> {
  const base = readFileSync(DEFAULT_ARCHIVE, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as FixtureLine);
  const first = Math.min(...base.map((l) => l.epoch.startUnixMs));
  const last = Math.max(...base.map((l) => l.epoch.startUnixMs + l.epoch.durationMs));
  const span = last - first;
  const out = createWriteStream(file);
  let written = 0;
  let lines = 0;
  for (let copy = 0; written < bytes && lines < maxLines; copy++) {
    const shift = copy * span;
    for (const l of base) {
      if (lines >= maxLines) break;
      const start = l.epoch.startUnixMs + shift;
      const text = `${JSON.stringify({ ...l, epoch: { ...l.epoch, id: new Date(start).toISOString(), startUnixMs: start }, observedUnixMs: l.observedUnixMs + shift })}\n`;
      written += Buffer.byteLength(text);
      lines++;
      if (!out.write(text)) await once(out, 'drain');
    }
  }
  out.end();
  await once(out, 'finish');
  return { bytes: statSync(file).size, lines };
}

function rssKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export async function measureStreaming(gigabytes: number): Promise<StreamResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ecp-stream-bench-'));
  const file = path.join(dir, 'archive.jsonl');
  try {
    const archive = await writeArchive(file, Math.ceil(gigabytes * 1024 ** 3));
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', 'rail/cli.ts', 'derive', '--archive', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let lines = 0;
    let firstTenth: number | undefined;
    let lastTenth: number | undefined;
    let peak = 0;
    child.stdout.on('data', (d: Buffer) => {
      for (let i = d.indexOf(10); i !== -1; i = d.indexOf(10, i + 1)) lines++;
    });
    const sampler = setInterval(() => {
      const hwm = rssKiB(child.pid!, 'VmHWM');
      if (hwm !== undefined) peak = Math.max(peak, hwm);
      const rss = rssKiB(child.pid!, 'VmRSS');
      if (rss === undefined) return;
      if (firstTenth === undefined && lines >= archive.lines / 10) firstTenth = rss;
      // The latest sample taken in the last tenth.
      if (lines >= (archive.lines * 9) / 10) lastTenth = rss;
    }, 100);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearInterval(sampler);
    if (code !== 0) throw new Error(`derive exited with ${code} on the generated archive`);
    if (lines !== archive.lines) throw new Error(`derive printed ${lines} lines for ${archive.lines} archive lines`);
    const seconds = (performance.now() - started) / 1000;
    const mib = (kib: number | undefined) => Math.round(((kib ?? 0) / 1024) * 10) / 10;
    return {
      archiveBytes: archive.bytes,
      lines,
      seconds: Math.round(seconds * 10) / 10,
      linesPerSec: Math.round(lines / seconds),
      peakRssMiB: mib(peak),
      rssAfterFirstTenthMiB: mib(firstTenth),
      rssAfterLastTenthMiB: mib(lastTenth),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface WindowedSmokeResult {
  observations: number;
  seconds: number;
  peakRssMiB: number;
}

/** The single-process smoke (relayed, its own anvil) over a generated archive of `observations`
 *  lines, as a child process: its peak RSS, which stays flat when the archive is read a window at a
 *  time rather than held whole. */
export async function measureWindowedSmoke(observations: number): Promise<WindowedSmokeResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ecp-smoke-bench-'));
  const file = path.join(dir, 'archive.jsonl');
  try {
    const archive = await writeArchive(file, Number.POSITIVE_INFINITY, observations);
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', 'rail/cli.ts', 'smoke', '--archive', file, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssKiB(child.pid!, 'VmHWM') ?? 0);
    }, 100);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearInterval(sampler);
    const summary = JSON.parse(out) as { ok: boolean; observations: number };
    if (code !== 0 || !summary.ok || summary.observations !== archive.lines) {
      throw new Error(`smoke over ${archive.lines} generated observations: exit ${code}, ok ${summary.ok}, ${summary.observations} observations`);
    }
    return { observations: archive.lines, seconds: Math.round((performance.now() - started) / 100) / 10, peakRssMiB: Math.round((peak / 1024) * 10) / 10 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
