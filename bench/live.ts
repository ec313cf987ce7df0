// `npm run bench -- network --streams N`: the witness network run as it would run live. The network
// smoke's processes (anvil mining every --block-time seconds, 5 witness processes, 2 relayers), each
// witness with its own archive file that grows in real time: N streams of 6-s epochs, their epochs
// staggered evenly across the 6 s, each line appended to each witness's file at the epoch's end plus
// its own jitter (0–300 ms). Latency runs from an epoch's end to the moment its ObservationFinalized
// log is readable on chain. CPU is read from /proc/<pid>/stat of every process, per kind.
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { getAbiItem, type Hex } from 'viem';
import { epochHashOf, streamHashOf } from '../rail/archive/derive.js';
import { initKeccak } from '../rail/archive/merkle.js';
import { freePort, startAnvil, type Anvil } from '../rail/anvil.js';
import { deploy } from '../rail/client.js';
import { connect } from '../rail/connection.js';
import { observationLedgerAbi } from '../rail/contracts.js';
import { devKey, loadKeys } from '../rail/keys.js';
import { observationSlot } from '../rail/observation.js';
import { prng } from '../scripts/gen-archive-fixture.js';
import { metricSum, Proc, relayerArgs, sleep, waitHealthy, witnessArgs } from '../smoke/network.js';

export interface LiveOptions {
  streams: number;
  /** How long the streams run before the figures are taken (the first `warmupSeconds` not counted). */
  seconds: number;
  warmupSeconds?: number;
  /** anvil's block time, seconds (1, or 2 as on the L2). */
  blockTimeS?: number;
  epochMs?: number;
  jitterMs?: number;
  witnesses?: number;
  relayers?: number;
  /** More flags for every witness / relayer. */
  witnessExtra?: string[];
  relayerExtra?: string[];
  log?: (line: string) => void;
  keepDir?: boolean;
}

export interface CpuPerSlot {
  witness: number;
  relayer: number;
  anvil: number;
  total: number;
}

export interface LiveResult {
  streams: number;
  seconds: number;
  blockTimeS: number;
  /** Slots whose epoch ended inside the measured window. */
  slots: number;
  /** …of which final on chain by the end of the run. */
  finalized: number;
  /** …of which final within 12 s of the epoch's end. */
  within12s: number;
  /** Percentiles of epoch end → finality log, ms; null when more than that share never finalized. */
  p50Ms: number | null;
  p99Ms: number | null;
  /** CPU ms per slot finalized in the window, per process kind (the kind's processes summed). */
  cpuMsPerSlot: CpuPerSlot;
  /** The relayers' gas over the observations they finalized, in the window. */
  gasPerObservation: number | null;
  /** Slots whose epoch has ended and that are not final: mean over the first and last quarter of the window. */
  backlog: { first: number; last: number; flat: boolean };
  /** How busy the whole machine's cores were in the window (0–1, from /proc/stat), this run's
   *  processes and everything else on it. */
  machineBusy: number | null;
}

/** When epoch k of stream s starts: streams staggered evenly across one epoch. */
export function epochStart(t0: number, s: number, k: number, streams: number, epochMs: number): number {
  return t0 + Math.floor((s * epochMs) / streams) + k * epochMs;
}

/** The stream identity of live stream s. */
export const liveStream = (s: number): string => `live/s${s}/1`;

/** Archive line of epoch k of stream s as witness w saw it: the content is the same for every
 *  witness (derived from stream and epoch), the time and locator are the witness's own. */
export function liveLine(s: number, k: number, start: number, epochMs: number, witness: number, observedUnixMs: number): string {
  const stream = liveStream(s);
  const id = new Date(start).toISOString();
  const chunks = [0, 1, 2].map((sequence) => ({
    sequence,
    contentHash: `0x${createHash('sha256').update(`${stream} ${id} ${sequence}`).digest('hex')}`,
    byteLength: 1_000_000 + ((s * 7919 + k * 104_729 + sequence) % 500_000),
    durationMs: epochMs / 3,
  }));
  const manifestHash = `0x${createHash('sha256').update(`${stream} ${id} manifest`).digest('hex')}`;
  return JSON.stringify({ version: 1, stream, epoch: { id, startUnixMs: start, durationMs: epochMs }, observedUnixMs, chunks, manifestHash, locator: `https://witness-${witness}.archive.invalid/${stream}/${id}.m3u8` });
}

/** The q-quantile (0 < q ≤ 1) of `values`, where a missing value (never final) counts as larger than
 *  any; null when the quantile falls on one. */
export function quantile(values: number[], missing: number, q: number): number | null {
  const n = values.length + missing;
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil(q * n));
  if (rank > values.length) return null;
  return [...values].sort((a, b) => a - b)[rank - 1]!;
}

/** Whether a backlog held flat: the mean over the window's last quarter exceeds the first quarter's
 *  by no more than half an epoch's slots (N/2, at least 3): latency grew by under half an epoch. */
export function backlogTrend(samples: number[], streams: number): { first: number; last: number; flat: boolean } {
  if (!samples.length) return { first: 0, last: 0, flat: true };
  const q = Math.max(1, Math.floor(samples.length / 4));
  const mean = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10;
  const first = mean(samples.slice(0, q));
  const last = mean(samples.slice(-q));
  return { first, last, flat: last - first <= Math.max(3, streams / 2) };
}

/** The machine's CPU time so far, busy and all, from the first line of /proc/stat (clock ticks). */
export function machineTicks(stat: string): { busy: number; total: number } | null {
  const line = stat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user).
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - f[3]! - f[4]!, total };
}

async function machineNow(): Promise<{ busy: number; total: number } | null> {
  try {
    return machineTicks(await readFile('/proc/stat', 'utf8'));
  } catch {
    return null;
  }
}

/** A process's CPU time so far (user + system), ms, from /proc/<pid>/stat; 0 once it is gone. */
export async function cpuMsOf(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0;
  try {
    return cpuMsFromStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return 0;
  }
}

/** utime + stime (fields 14 and 15 of /proc/<pid>/stat, clock ticks of 10 ms) in ms. The command
 *  name (field 2) may hold spaces, so fields are counted after its closing parenthesis. */
export function cpuMsFromStat(stat: string): number {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state): field n is rest[n - 3].
  return (Number(rest[11]) + Number(rest[12])) * 10;
}

const finalizedEvent = getAbiItem({ abi: observationLedgerAbi, name: 'ObservationFinalized' });

export async function runLiveNetwork(o: LiveOptions): Promise<LiveResult> {
  const log = o.log ?? (() => {});
  const n = o.witnesses ?? 5;
  const relayerCount = o.relayers ?? 2;
  const quorum = Math.floor(n / 2) + 1;
  const epochMs = o.epochMs ?? 6_000;
  const jitterMs = o.jitterMs ?? 300;
  const blockTimeS = o.blockTimeS ?? 1;
  const warmupS = o.warmupSeconds ?? Math.min(30, Math.round(o.seconds / 4));
  const N = o.streams;
  if (!Number.isInteger(N) || N < 1) throw new Error(`streams ${N}: expected a whole number ≥ 1`);
  if (!(o.seconds > warmupS)) throw new Error(`seconds ${o.seconds}: expected more than the warm-up (${warmupS} s)`);
  await initKeccak();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ecp-live-bench-'));
  const procs: Proc[] = [];
  let anvil: Anvil | undefined;
  try {
    anvil = await startAnvil({ blockTimeMs: blockTimeS * 1000 });
    const conn = await connect(anvil.rpcUrl, { pollingIntervalMs: 100 });
    const keys = loadKeys(n);
    const { ledger } = await deploy(conn, keys.deployer, { owner: keys.deployer.address, witnesses: keys.witnesses.map((w) => w.address), quorum });
    const fromBlock = await conn.publicClient.getBlockNumber({ cacheTime: 0 });
    log(`anvil ${anvil.rpcUrl} (a block every ${blockTimeS} s); ledger ${ledger} (${quorum} of ${n}); ${N} live streams for ${o.seconds} s; ${dir}`);

    const relayerUrls: string[] = [];
    const relayers: Proc[] = [];
    for (let i = 0; i < relayerCount; i++) {
      const port = await freePort();
      relayerUrls.push(`http://127.0.0.1:${port}`);
      const extra = o.relayerExtra;
      relayers.push(new Proc(`relayer-${i}`, relayerArgs({ rpcUrl: anvil.rpcUrl, ledger, port, fromBlock, index: i, count: relayerCount, extra }), { ECP_RELAYER_KEY: devKey(8 + i) }, path.join(dir, `relayer-${i}.log`)).start());
    }
    procs.push(...relayers);
    await Promise.all(relayers.map((p, i) => waitHealthy(relayerUrls[i]!, p, 60_000)));
    const files = Array.from({ length: n }, (_, w) => path.join(dir, `witness-${w}.jsonl`));
    const witnesses: Proc[] = [];
    const witnessUrls: string[] = [];
    for (let w = 0; w < n; w++) {
      await writeFile(files[w]!, '');
      const stateDir = path.join(dir, `state-${w}`);
      await mkdir(stateDir, { recursive: true });
      const port = await freePort();
      witnessUrls.push(`http://127.0.0.1:${port}`);
      witnesses.push(
        new Proc(`witness-${w}`, witnessArgs({ rpcUrl: anvil.rpcUrl, ledger, archive: files[w]!, stateDir, relayerUrls, port, mode: 'relayed', fromBlock, extra: o.witnessExtra }), { ECP_WITNESS_KEY: devKey(1 + w) }, path.join(dir, `witness-${w}.log`)).start(),
      );
    }
    procs.push(...witnesses);
    await Promise.all(witnesses.map((p, w) => waitHealthy(witnessUrls[w]!, p, 60_000)));

    // -- The streams: every witness's file grows by each epoch's line at its end plus jitter --
    const t0 = Math.ceil((Date.now() + 1_000) / 1000) * 1000;
    const runEnd = t0 + o.seconds * 1000;
    const windowStart = t0 + warmupS * 1000;
    /** The streams go on this long after the window, so its last slots finish under the same load. */
    const drainMs = 15_000;
    const rand = prng(0x11fe_5eed);
    const jitter = () => Math.floor(rand() * (jitterMs + 1));
    /** Per stream, per witness: the next epoch to append and when it is due. */
    const next = Array.from({ length: N }, () => Array.from({ length: n }, () => ({ k: 0, due: 0 })));
    for (let s = 0; s < N; s++) for (let w = 0; w < n; w++) next[s]![w]!.due = epochStart(t0, s, 1, N, epochMs) + jitter();
    /** slot → its epoch's end (the slots the window measures are those ending inside it). */
    const endOf = new Map<Hex, number>();
    const finalAt = new Map<Hex, number>();
    const streamHashes = Array.from({ length: N }, (_, s) => streamHashOf(liveStream(s)));
    const slotOf = (s: number, k: number) => {
      const start = epochStart(t0, s, k, N, epochMs);
      return { start, slot: observationSlot(streamHashes[s]!, epochHashOf(new Date(start).toISOString(), start, epochMs)) };
    };
    let writing = true;
    const writer = (async () => {
      while (writing) {
        const now = Date.now();
        const out: string[][] = Array.from({ length: n }, () => []);
        for (let s = 0; s < N; s++) {
          for (let w = 0; w < n; w++) {
            const x = next[s]![w]!;
            if (now < x.due) continue;
            const { start, slot } = slotOf(s, x.k);
            endOf.set(slot, start + epochMs);
            out[w]!.push(liveLine(s, x.k, start, epochMs, w, Math.max(now, start + epochMs)));
            x.k++;
            x.due = epochStart(t0, s, x.k + 1, N, epochMs) + jitter();
          }
        }
        for (let w = 0; w < n; w++) if (out[w]!.length) await appendFile(files[w]!, out[w]!.map((l) => `${l}\n`).join(''));
        await sleep(20);
      }
    })();

    // -- Finality, from the ledger's logs, as soon as they can be read --
    let scanned = fromBlock;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        try {
          const latest = await conn.publicClient.getBlockNumber({ cacheTime: 0 });
          if (latest > scanned) {
            const logs = await conn.publicClient.getLogs({ address: ledger, event: finalizedEvent, fromBlock: scanned + 1n, toBlock: latest, strict: true });
            const at = Date.now();
            for (const l of logs) if (!finalAt.has(l.args.slot)) finalAt.set(l.args.slot, at);
            scanned = latest;
          }
        } catch (e) {
          log(`reading finality logs failed: ${(e as Error).message}`);
        }
        await sleep(200);
      }
    })();

    const pids = { witness: witnesses.map((p) => p.child.pid), relayer: relayers.map((p) => p.child.pid), anvil: [anvil.process.pid] };
    const cpuNow = async () => ({
      witness: (await Promise.all(pids.witness.map(cpuMsOf))).reduce((a, b) => a + b, 0),
      relayer: (await Promise.all(pids.relayer.map(cpuMsOf))).reduce((a, b) => a + b, 0),
      anvil: await cpuMsOf(pids.anvil[0]),
    });
    const relayerSums = async () => ({
      gas: (await Promise.all(relayerUrls.map((u) => metricSum(u, 'ecp_relayer_gas_used_total')))).reduce((a, b) => a + b, 0),
      finalized: (await Promise.all(relayerUrls.map((u) => metricSum(u, 'ecp_relayer_finalized_total')))).reduce((a, b) => a + b, 0),
    });
    const backlogNow = () => {
      const now = Date.now();
      let open = 0;
      for (const [slot, end] of endOf) if (end <= now && !finalAt.has(slot)) open++;
      return open;
    };

    await sleep(windowStart - Date.now());
    const cpu0 = await cpuNow();
    const machine0 = await machineNow();
    const gas0 = await relayerSums();
    const final0 = finalAt.size;
    const samples: number[] = [];
    while (Date.now() < runEnd) {
      samples.push(backlogNow());
      log(`${((Date.now() - t0) / 1000).toFixed(0)} s: ${finalAt.size} final, backlog ${samples.at(-1)}`);
      await sleep(Math.min(1_000, Math.max(0, runEnd - Date.now())));
    }
    const cpu1 = await cpuNow();
    const machine1 = await machineNow();
    const gas1 = await relayerSums();
    const finalInWindow = finalAt.size - final0;
    await sleep(drainMs);
    writing = false;
    watching = false;
    await Promise.all([writer, watcher]);

    const latencies: number[] = [];
    let missing = 0;
    let within12s = 0;
    for (const [slot, end] of endOf) {
      if (end < windowStart || end > runEnd) continue;
      const at = finalAt.get(slot);
      if (at === undefined) missing++;
      else {
        latencies.push(at - end);
        if (at - end <= 12_000) within12s++;
      }
    }
    const per = (ms: number) => (finalInWindow ? Math.round((ms / finalInWindow) * 10) / 10 : 0);
    const cpuMsPerSlot = { witness: per(cpu1.witness - cpu0.witness), relayer: per(cpu1.relayer - cpu0.relayer), anvil: per(cpu1.anvil - cpu0.anvil), total: 0 };
    cpuMsPerSlot.total = Math.round((cpuMsPerSlot.witness + cpuMsPerSlot.relayer + cpuMsPerSlot.anvil) * 10) / 10;
    const relayedFinal = gas1.finalized - gas0.finalized;
    return {
      streams: N,
      seconds: o.seconds,
      blockTimeS,
      slots: latencies.length + missing,
      finalized: latencies.length,
      within12s,
      p50Ms: quantile(latencies, missing, 0.5),
      p99Ms: quantile(latencies, missing, 0.99),
      cpuMsPerSlot,
      gasPerObservation: relayedFinal ? Math.round((gas1.gas - gas0.gas) / relayedFinal) : null,
      backlog: backlogTrend(samples, N),
      machineBusy: machine0 && machine1 && machine1.total > machine0.total ? Math.round(((machine1.busy - machine0.busy) / (machine1.total - machine0.total)) * 100) / 100 : null,
    };
  } finally {
    await Promise.all(procs.map((p) => (p.child && p.running ? p.term(5_000) : undefined)));
    await anvil?.stop();
    if (!o.keepDir) await rm(dir, { recursive: true, force: true });
  }
}

/** Whether a run held: p99 ≤ 12 s with a flat backlog. */
export const holds = (r: LiveResult): boolean => r.p99Ms !== null && r.p99Ms <= 12_000 && r.backlog.flat;

/** The largest N that holds, found by doubling from `start` and then bisecting (to within `step`
 *  streams). Each probe is one run; `run` is told N. */
export async function searchStreams(run: (n: number) => Promise<LiveResult>, start = 50, step = 25, max = 2_000): Promise<{ best: LiveResult | null; probes: LiveResult[] }> {
  const probes: LiveResult[] = [];
  let best: LiveResult | null = null;
  let lo = 0;
  let hi = max + 1;
  let n = start;
  while (n < hi) {
    const r = await run(n);
    probes.push(r);
    if (holds(r)) {
      best = r;
      lo = n;
      n = hi > max ? Math.min(max, n * 2) : Math.floor((lo + hi) / 2);
      if (n === lo) break;
    } else {
      hi = n;
      n = Math.floor((lo + hi) / 2);
    }
    if (hi - lo <= step || n <= lo) break;
  }
  return { best, probes };
}

/** The run that says what bounds the search's answer: the smallest N above it that did not hold (the
 *  load just past the limit; a far larger failed run finalizes so little that its cost per slot says
 *  nothing), else the answer itself. */
export function boundingRun(best: LiveResult, probes: LiveResult[]): LiveResult {
  const failed = probes.filter((p) => !holds(p) && p.streams > best.streams).sort((a, b) => a.streams - b.streams);
  return failed[0] ?? best;
}

/** What bounds a run: the CPU its processes need of the machine's cores, the gas its slots need of
 *  the blocks, or (neither near its limit) latency itself: blocks, polls and the protocol's steps. */
export function boundBy(r: LiveResult, cores: number, blockGasLimit = 60_000_000): string {
  const slotsPerS = r.streams / 6;
  const cpuShare = (r.cpuMsPerSlot.total * slotsPerS) / (cores * 1000);
  const gasShare = r.gasPerObservation === null ? 0 : (r.gasPerObservation * slotsPerS * r.blockTimeS) / blockGasLimit;
  const c = r.cpuMsPerSlot;
  const biggest = c.witness >= c.relayer && c.witness >= c.anvil ? 'witnesses' : c.relayer >= c.anvil ? 'relayers' : 'anvil';
  const busy = r.machineBusy === null ? '' : `; the machine was ${Math.round(r.machineBusy * 100)}% busy, other work included`;
  const cpu = `CPU: this network used ${Math.round(cpuShare * 100)}% of ${cores} cores (${c.total} ms per slot at ${slotsPerS.toFixed(1)} slots/s, most in the ${biggest})${busy}`;
  const gas = `gas: ${Math.round(gasShare * 100)}% of each block's ${blockGasLimit / 1e6}M`;
  if (cpuShare >= 0.7 || (r.machineBusy ?? 0) >= 0.9) return `bound by ${cpu}; ${gas}`;
  if (gasShare >= 0.7) return `bound by ${gas}; ${cpu}`;
  return `neither CPU nor gas near its limit (${cpu}; ${gas}): bound by latency (blocks every ${r.blockTimeS} s, polls, proposal steps)`;
}
