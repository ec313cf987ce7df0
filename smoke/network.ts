// The network smoke, the main job (`npm run smoke`): the rail as separate processes on loopback.
// anvil; the ledger; 2 relayer processes; 5 witness processes, each with its OWN archive of the same
// broadcast (jittered observation times, its own locators, one witness missing epochs, one with a
// corrupted chunk on some epochs, one that starts late and reads a growing archive); kill -9 of a
// witness and of a relayer mid-run, both restarted. It ends with the on-chain verification: every
// slot a quorum of honest witnesses observed is final with the honest content, each stream is one
// unbroken chain, no key appears in any log, and every process stops cleanly on SIGTERM.
//   npx tsx smoke/network.ts [--epochs N] [--mode relayed|witness-tx] [--json] [--keep] [--no-faults]
//     [--tolerance-ms N] [--timeout-s N] [--archives own|identical]
import { spawnSync } from 'node:child_process';
import { connect as connectTcp } from 'node:net';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getAbiItem, type Address, type Hex } from 'viem';
import { dataRootOf, epochHashOf, streamHashOf } from '../rail/archive/derive.js';
import { initKeccak } from '../rail/archive/merkle.js';
import { archiveLineSchema, type ArchiveLine } from '../rail/archive/schema.js';
import { freePort, startAnvil, type Anvil } from '../rail/anvil.js';
import { deploy } from '../rail/client.js';
import { connect, type RailConnection } from '../rail/connection.js';
import { observationLedgerAbi } from '../rail/contracts.js';
import { devAccount, devKey, loadKeys } from '../rail/keys.js';
import { observationSlot } from '../rail/observation.js';
import { ChildProc, waitHealthy } from '../rail/ops/processes.js';
import { isMain } from '../scripts/is-main.js';
import { DEFAULT_ARCHIVE, witnessArchives, type WitnessArchive } from './witness-archives.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'rail/cli.ts');

export interface NetworkSmokeOptions {
  witnesses?: number;
  quorum?: number;
  relayers?: number;
  /** Epochs per stream taken from the bundled archive. */
  epochs?: number;
  streams?: number;
  mode?: 'relayed' | 'witness-tx';
  /** Inject kill -9 of a witness and of a relayer (both restarted). */
  faults?: boolean;
  timeoutMs?: number;
  /** The witnesses' --tolerance-ms (default 1000; the archives' jitter is up to 300 ms). */
  toleranceMs?: number;
  keepDir?: boolean;
  log?: (line: string) => void;
  /** `own` (default): every witness its own archive (jittered times, own locators, one missing
   *  epochs, one corrupted). `identical`: every witness a copy of one archive file, as a new user
   *  would try it first, so honest witnesses derive byte-identical headers. */
  archives?: 'own' | 'identical';
  /** Processes that play a dishonest member or relayer (test code supplies them; the shipped CLI has
   *  no such mode). */
  adversaries?: Adversaries;
  /** How many honest relayer transactions may revert on chain (default 0). */
  revertBudget?: number;
  /** More flags for the honest relayers. */
  relayerArgs?: string[];
  /** Honest witnesses' --give-up-ms (default 10000). */
  giveUpMs?: number;
}

/** What an adversary process needs to know to attack the network. */
export interface AdversaryContext {
  rpcUrl: string;
  ledger: Address;
  fromBlock: bigint;
  /** The honest relayers' URLs. */
  relayerUrls: string[];
  /** Where the run keeps its files (logs, archives). */
  dir: string;
  /** Witness w's archive file (it grows during the run, like the honest ones'). */
  archiveOf(w: number): string;
  /** Member w's private key (an adversary member signs with its own registered key). */
  keyOf(w: number): Hex;
  /** The ledger's members and quorum. */
  witnesses: number;
  quorum: number;
}

/** A process to start: a TypeScript file run with tsx, its arguments and environment. */
export interface ProcSpec {
  script: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

export interface Adversaries {
  /** Members (by index) whose key runs this process instead of `rail witness`. */
  witnesses?: { index: number; spawn: (ctx: AdversaryContext) => ProcSpec }[];
  /** Relayers beside the honest ones, on a port of their own; honest witnesses post to them too. */
  relayers?: { spawn: (ctx: AdversaryContext & { port: number }) => ProcSpec }[];
}

/** An honest process's use of memory and CPU, read from its /metrics before it stops. */
export interface ProcessUse {
  name: string;
  rssMiB: number;
  cpuSeconds: number;
}

export interface NetworkSummary {
  ok: boolean;
  problems: string[];
  mode: string;
  witnesses: number;
  quorum: number;
  relayers: number;
  slots: number;
  finalized: number;
  /** Slots that no quorum of honest witnesses observed (so they may stay open). */
  unreachable: number;
  /** Finalized with content other than the shared archive's. */
  wrongContent: number;
  chainBreaks: number;
  dissent: number;
  skippedReported: number;
  /** Proposals the honest witnesses made: a slot needs about one (its designated proposer's) when
   *  that witness is up, more only while it is down or for dissent. */
  proposals: number;
  faults: string[];
  seconds: number;
  /** From the moment the witnesses were up to the last slot final (the consensus itself). */
  finalizeSeconds: number;
  /** Mean time from a slot's opening at witness 4 to its finality, seconds. */
  meanLatencySeconds: number;
  /** Relayers' batch gas per observation they finalized (relayed mode). */
  gasPerObservation: number | null;
  /** Honest relayers' transactions that reverted on chain (each one paid for). */
  revertedBatches: number;
  /** Slots finalized that no honest witness observed, or with other content (must be 0). */
  unexpectedFinal: number;
  /** The honest processes' resident memory and CPU at the end of the run. */
  resources: ProcessUse[];
  /** The smallest latency bucket (seconds) that holds every slot each honest witness saw finalize,
   *  from the slot's turn: the largest over the honest witnesses. */
  slotLatencyMaxBucketS: number;
  /** What the honest processes saw of an attack: the relayers' refusals by reason, and the claims
   *  witnesses read that signatures did not prove, and their failed posts and reads. */
  seen: { refused: Record<string, number>; unprovenClaims: number; relayerErrors: number };
  /** Each adversary process's last JSON line (its own account of what it did). */
  adversaryReports: Record<string, unknown>;
  dir?: string;
}

/** One child process running a TypeScript file with tsx (default: the rail CLI), its whole output kept in
 *  a log file and in memory (for the key-leak check). ECP_CPU_PROF_DIR=DIR: it writes a V8 CPU profile
 *  there when it exits (node refuses --cpu-prof in NODE_OPTIONS). */
export class Proc extends ChildProc {
  constructor(name: string, args: string[], env: NodeJS.ProcessEnv, logFile: string, script = CLI) {
    const prof = process.env.ECP_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.ECP_CPU_PROF_DIR}`] : [];
    super(name, process.execPath, [...prof, '--import', 'tsx', script, ...args], env, logFile, { cwd: ROOT, keepAll: true });
  }
}

export { waitHealthy };

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `rail relayer`'s command line as the network smoke (and the live bench) runs it. */
export function relayerArgs(p: { rpcUrl: string; ledger: Address; port: number; fromBlock: bigint; index: number; count: number; extra?: string[] }): string[] {
  return [
    'relayer', '--rpc', p.rpcUrl, '--ledger', p.ledger, '--listen', `127.0.0.1:${p.port}`, '--poll-ms', '100', '--from-block', String(p.fromBlock),
    '--relayer-index', String(p.index), '--relayers', String(p.count),
    ...(p.extra ?? []),
  ];
}

/** `rail witness`'s command line as the network smoke (and the live bench) runs it. */
export function witnessArgs(p: {
  rpcUrl: string;
  ledger: Address;
  archive: string;
  stateDir: string;
  relayerUrls: string[];
  port: number;
  mode: 'relayed' | 'witness-tx';
  giveUpMs?: number;
  toleranceMs?: number;
  fromBlock: bigint;
  extra?: string[];
}): string[] {
  return [
    'witness', '--rpc', p.rpcUrl, '--ledger', p.ledger, '--archive', p.archive, '--state-dir', p.stateDir,
    ...p.relayerUrls.flatMap((u) => ['--relayer', u]),
    '--listen', `127.0.0.1:${p.port}`, '--mode', p.mode, '--poll-ms', '100', '--propose-step-ms', '1500',
    '--give-up-ms', String(p.giveUpMs ?? 10_000), '--tolerance-ms', String(p.toleranceMs ?? 1000), '--from-block', String(p.fromBlock),
    ...(p.extra ?? []),
  ];
}

/** Waits until something accepts TCP connections on 127.0.0.1:port (an adversary relayer need not
 *  answer HTTP). */
async function waitListening(port: number, proc: Proc, timeoutMs: number): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (!proc.running) throw new Error(`${proc.name} exited (code ${proc.exitCode}) before it listened:\n${proc.output.slice(-2000)}`);
    const open = await new Promise<boolean>((r) => {
      const s = connectTcp(port, '127.0.0.1', () => {
        s.destroy();
        r(true);
      }).once('error', () => r(false));
    });
    if (open) return;
    if (Date.now() - started > timeoutMs) throw new Error(`${proc.name} not listening on ${port} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Every witness a copy of the same lines: the shared archive's first `limitEpochs` epochs of its
 *  first `streams` streams, unchanged. */
function identicalArchives(shared: string[], spec: { witnesses: number; limitEpochs: number; streams: number }): WitnessArchive[] {
  const perStream = new Map<string, number>();
  const lines = shared.filter((raw) => {
    const stream = (JSON.parse(raw) as { stream: string }).stream;
    if (!perStream.has(stream) && perStream.size >= spec.streams) return false;
    const k = perStream.get(stream) ?? 0;
    perStream.set(stream, k + 1);
    return k < spec.limitEpochs;
  });
  return Array.from({ length: spec.witnesses }, (_, witness) => ({ witness, lines, missing: 0, corrupted: 0 }));
}

const devAccountAddress = (i: number): Address => devAccount(i).address;

/** How many transactions sent by `senders` since `fromBlock` reverted (each one paid for), read from
 *  the chain's receipts. */
async function revertedFrom(conn: RailConnection, fromBlock: bigint, senders: Address[]): Promise<number> {
  const from = new Set(senders.map((a) => a.toLowerCase()));
  const latest = await conn.publicClient.getBlockNumber({ cacheTime: 0 });
  let reverted = 0;
  for (let b = fromBlock; b <= latest; b++) {
    const receipts = await conn.publicClient.request({ method: 'eth_getBlockReceipts', params: [`0x${b.toString(16)}`] } as never) as { from: string; status: string }[] | null;
    for (const r of receipts ?? []) if (from.has(r.from.toLowerCase()) && r.status !== '0x1') reverted++;
  }
  return reverted;
}

interface ExpectedSlot {
  slot: Hex;
  streamHash: Hex;
  stream: string;
  epochId: string;
  start: number;
  dataRoot: Hex;
  honest: number;
}

export async function runNetworkSmoke(o: NetworkSmokeOptions = {}): Promise<NetworkSummary> {
  const started = Date.now();
  const log = o.log ?? (() => {});
  const n = o.witnesses ?? 5;
  const quorum = o.quorum ?? Math.floor(n / 2) + 1;
  const relayerCount = o.relayers ?? 2;
  const epochs = o.epochs ?? 30;
  const mode = o.mode ?? 'relayed';
  const faults = o.faults ?? true;
  const timeoutMs = o.timeoutMs ?? 240_000;
  if (n < 5) throw new Error('the network smoke needs at least 5 witnesses (one of each fault, and a quorum of honest ones)');
  // anvil funds dev accounts 0 to 9: 0 deploys, 1..n witness, 8 and 9 relay.
  if (n > 7 || relayerCount > 2) throw new Error('the network smoke runs at most 7 witnesses and 2 relayers (anvil funds 10 dev accounts)');
  await initKeccak();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ecp-network-smoke-'));
  const procs: Proc[] = [];
  let anvil: Anvil | undefined;
  const faultLog: string[] = [];
  // Interrupted (Ctrl-C, a CI timeout), the smoke takes its processes with it: they are not
  // detached, but nothing else would stop them.
  const interrupted = (signal: NodeJS.Signals) => {
    for (const p of procs) if (p.child && p.running) p.child.kill('SIGKILL');
    anvil?.process.kill('SIGKILL');
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    // -- The per-witness archives: witness 1 misses every 7th epoch, witness 2 has a corrupted chunk
    //    every 5th, witness 3 starts late; every witness's archive grows while it runs. --
    const shared = (await readFile(DEFAULT_ARCHIVE, 'utf8')).split('\n').filter((l) => l.trim() !== '');
    const identical = o.archives === 'identical';
    const spec = identical
      ? { witnesses: n, limitEpochs: epochs, streams: o.streams ?? 3 }
      : { witnesses: n, limitEpochs: epochs, streams: o.streams ?? 3, jitterMs: 300, missing: [{ witness: 1, every: 7 }], corrupted: [{ witness: 2, every: 5 }] };
    const archives = identical ? identicalArchives(shared, spec) : witnessArchives(shared, spec);
    const adversaryAt = new Map((o.adversaries?.witnesses ?? []).map((a) => [a.index, a] as const));
    for (const i of adversaryAt.keys()) if (!Number.isInteger(i) || i < 0 || i >= n) throw new Error(`adversary witness ${i}: expected a member index from 0 to ${n - 1}`);
    const honest = (i: number) => !adversaryAt.has(i);
    const expected = expectedSlots(archives.filter((a) => honest(a.witness)), epochs, spec.streams, shared);
    const lateWitness = 3;
    const dissenter = identical ? undefined : 2;

    anvil = await startAnvil();
    const conn = await connect(anvil.rpcUrl, { pollingIntervalMs: 50 });
    const keys = loadKeys(n);
    const deployed = await deploy(conn, keys.deployer, { owner: keys.deployer.address, witnesses: keys.witnesses.map((w) => w.address), quorum });
    const ledger = deployed.ledger;
    const fromBlock = await conn.publicClient.getBlockNumber();
    log(`anvil ${anvil.rpcUrl}; ledger ${ledger} (${quorum} of ${n}); ${expected.length} slots from ${spec.streams} streams × ${epochs} epochs; ${dir}`);

    // -- Relayers --
    const relayerUrls: string[] = [];
    const relayers: Proc[] = [];
    for (let i = 0; i < relayerCount; i++) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const p = new Proc(`relayer-${i}`, relayerArgs({ rpcUrl: anvil.rpcUrl, ledger, port, fromBlock, index: i, count: relayerCount, extra: o.relayerArgs }), { ECP_RELAYER_KEY: devKey(8 + i) }, path.join(dir, `relayer-${i}.log`)).start();
      procs.push(p);
      relayers.push(p);
      relayerUrls.push(url);
    }
    await Promise.all(relayers.map((p, i) => waitHealthy(relayerUrls[i]!, p, 60_000)));

    // -- Adversaries: dishonest relayers first (honest witnesses are given their URLs too) --
    const files = archives.map((a) => path.join(dir, `witness-${a.witness}.jsonl`));
    const ctx: AdversaryContext = { rpcUrl: anvil.rpcUrl, ledger, fromBlock, relayerUrls: [...relayerUrls], dir, archiveOf: (w) => files[w]!, keyOf: (w) => devKey(1 + w), witnesses: n, quorum };
    const adversaries: Proc[] = [];
    const witnessRelayerUrls = [...relayerUrls];
    for (const [k, a] of (o.adversaries?.relayers ?? []).entries()) {
      const port = await freePort();
      const p = a.spawn({ ...ctx, port });
      adversaries.push(new Proc(`adversary-relayer-${k}`, p.args, p.env ?? {}, path.join(dir, `adversary-relayer-${k}.log`), p.script).start());
      witnessRelayerUrls.push(`http://127.0.0.1:${port}`);
      await waitListening(port, adversaries.at(-1)!, 60_000);
    }
    procs.push(...adversaries);

    // -- Witnesses: each reads its own archive file, which grows: half now, the rest later --
    for (const a of archives) await writeFile(files[a.witness]!, a.lines.slice(0, Math.ceil(a.lines.length / 2)).map((l) => `${l}\n`).join(''));
    const witnessUrls: string[] = [];
    const witnesses: Proc[] = [];
    for (let i = 0; i < n; i++) {
      const port = await freePort();
      witnessUrls.push(`http://127.0.0.1:${port}`);
      const stateDir = path.join(dir, `state-${i}`);
      await mkdir(stateDir, { recursive: true });
      witnesses.push(
        new Proc(
          `witness-${i}`,
          witnessArgs({ rpcUrl: anvil.rpcUrl, ledger, archive: files[i]!, stateDir, relayerUrls: witnessRelayerUrls, port, mode, giveUpMs: o.giveUpMs, toleranceMs: o.toleranceMs, fromBlock }),
          { ECP_WITNESS_KEY: devKey(1 + i) },
          path.join(dir, `witness-${i}.log`),
        ),
      );
    }
    // A dishonest member runs its adversary process in place of `rail witness`.
    for (const [i, a] of adversaryAt) {
      const p = a.spawn(ctx);
      witnesses[i] = new Proc(`adversary-witness-${i}`, p.args, p.env ?? {}, path.join(dir, `adversary-witness-${i}.log`), p.script);
      adversaries.push(witnesses[i]!);
    }
    procs.push(...witnesses);
    const honestWitnesses = witnesses.filter((_, i) => honest(i));
    const starts = (i: number) => !honest(i) || i !== lateWitness;
    for (let i = 0; i < n; i++) if (starts(i)) witnesses[i]!.start();
    await Promise.all(witnesses.map((p, i) => (starts(i) && honest(i) ? waitHealthy(witnessUrls[i]!, p, 60_000) : undefined)));

    // -- The run, with its faults --
    const finalCount = () => countFinal(conn, ledger, expected);
    const at = Date.now();
    const events: { afterMs: number; what: string; run: () => Promise<void> }[] = [
      { afterMs: 1_500, what: 'the rest of every archive arrives (lines appended to the growing files)', run: async () => {
        for (const a of archives) await appendFile(files[a.witness]!, a.lines.slice(Math.ceil(a.lines.length / 2)).map((l) => `${l}\n`).join(''));
      } },
    ];
    if (honest(lateWitness)) {
      events.push({ afterMs: 3_000, what: `witness ${lateWitness} starts late`, run: async () => {
        witnesses[lateWitness]!.start();
        await waitHealthy(witnessUrls[lateWitness]!, witnesses[lateWitness]!, 60_000);
      } });
    }
    if (faults && honest(0)) {
      events.push(
        { afterMs: 2_000, what: 'kill -9 witness 0, restarted 1 s later with its record', run: async () => {
          await witnesses[0]!.kill9();
          await sleep(1_000);
          witnesses[0]!.start();
          await waitHealthy(witnessUrls[0]!, witnesses[0]!, 60_000);
        } },
        { afterMs: 4_000, what: `kill -9 relayer ${relayerCount - 1}, restarted 1 s later with empty memory`, run: async () => {
          await relayers[relayerCount - 1]!.kill9();
          await sleep(1_000);
          relayers[relayerCount - 1]!.start();
          await waitHealthy(relayerUrls[relayerCount - 1]!, relayers[relayerCount - 1]!, 60_000);
        } },
      );
    }
    events.sort((a, b) => a.afterMs - b.afterMs);
    const reachable = expected.filter((e) => e.honest >= quorum);
    let final = 0;
    while (Date.now() - started < timeoutMs) {
      while (events.length && Date.now() - at >= events[0]!.afterMs) {
        const e = events.shift()!;
        log(`${((Date.now() - at) / 1000).toFixed(1)} s: ${e.what}`);
        faultLog.push(e.what);
        await e.run();
      }
      final = await finalCount();
      if (!events.length && final >= reachable.length) break;
      await sleep(250);
    }
    const finalizeSeconds = Math.round((Date.now() - at) / 100) / 10;
    log(`${finalizeSeconds.toFixed(1)} s: ${final} of ${expected.length} slots final`);

    // -- On-chain verification --
    const verdict = await verifyOnChain(conn, ledger, expected, quorum);
    const honestUrls = witnessUrls.filter((_, i) => honest(i));
    const dissent = dissenter !== undefined && honest(dissenter) ? await metricSum(witnessUrls[dissenter]!, 'ecp_witness_dissent_total') : 0;
    const latencySum = await metricSum(honestUrls.at(-1)!, 'ecp_witness_finality_latency_seconds_sum');
    const latencyCount = await metricSum(honestUrls.at(-1)!, 'ecp_witness_finality_latency_seconds_count');
    const relayerGas = (await Promise.all(relayerUrls.map((u) => metricSum(u, 'ecp_relayer_gas_used_total')))).reduce((a, b) => a + b, 0);
    const relayerFinal = (await Promise.all(relayerUrls.map((u) => metricSum(u, 'ecp_relayer_finalized_total')))).reduce((a, b) => a + b, 0);
    const skippedReported = (await Promise.all(honestUrls.map((u) => metricSum(u, 'ecp_witness_skipped_total')))).reduce((a, b) => a + b, 0);
    const proposals = (await Promise.all(honestUrls.map((u) => metricSum(u, 'ecp_witness_proposed_total')))).reduce((a, b) => a + b, 0);
    const revertedBatches = await revertedFrom(conn, fromBlock, relayers.map((_, i) => devAccountAddress(8 + i)));
    const resources = await Promise.all(
      [...honestWitnesses.map((p) => ({ p, url: witnessUrls[witnesses.indexOf(p)]!, prefix: 'ecp_witness' })), ...relayers.map((p, i) => ({ p, url: relayerUrls[i]!, prefix: 'ecp_relayer' }))].map(
        async ({ p, url, prefix }) => ({
          name: p.name,
          rssMiB: Math.round((await metricSum(url, `${prefix}_process_process_resident_memory_bytes`)) / 2 ** 20),
          cpuSeconds: Math.round((await metricSum(url, `${prefix}_process_process_cpu_seconds_total`)) * 10) / 10,
        }),
      ),
    );
    const refused: Record<string, number> = {};
    for (const u of relayerUrls) for (const [labels, v] of await metricLines(u, 'ecp_relayer_refused_total')) {
      const reason = /reason="([^"]*)"/.exec(labels)?.[1] ?? '?';
      refused[reason] = (refused[reason] ?? 0) + v;
    }
    const seen = {
      refused,
      unprovenClaims: (await Promise.all(honestUrls.map((u) => metricSum(u, 'ecp_witness_unproven_claims_total')))).reduce((a, b) => a + b, 0),
      relayerErrors: (await Promise.all(honestUrls.map((u) => metricSum(u, 'ecp_witness_relayer_errors_total')))).reduce((a, b) => a + b, 0),
    };
    const adversaryReports = Object.fromEntries(
      adversaries.map((p) => {
        const last = p.output.trim().split('\n').reverse().find((l) => l.startsWith('{'));
        try {
          return [p.name, last ? JSON.parse(last) : null];
        } catch {
          return [p.name, null];
        }
      }),
    );
    const slotLatencyMaxBucketS = Math.max(0, ...(await Promise.all(honestUrls.map((u) => latencyBound(u)))));
    const problems = [...verdict.problems];
    if (verdict.finalizedReachable < reachable.length) problems.push(`${reachable.length - verdict.finalizedReachable} slot(s) a quorum of honest witnesses observed are not final`);
    if (revertedBatches > (o.revertBudget ?? 0)) problems.push(`${revertedBatches} relayer transaction(s) reverted on chain, paid for (budget ${o.revertBudget ?? 0})`);
    if (dissenter !== undefined && honest(dissenter) && dissent === 0) problems.push(`witness ${dissenter} (corrupted chunks) reported no dissent`);

    // -- Clean stop, and no key in any output --
    for (const p of adversaries) await p.term(2_000);
    for (const p of [...honestWitnesses, ...relayers]) {
      const code = await p.term();
      if (code !== 0) problems.push(`${p.name} did not stop cleanly on SIGTERM (exit ${code ?? 'killed'})`);
    }
    problems.push(...(await equivocations(dir, [...Array(n).keys()].filter(honest))));
    // Each witness's own view, through `rail status`: witness 2 lost exactly its corrupted epochs.
    for (const w of identical ? [] : [1, 2].filter(honest)) {
      const st = await statusOf(anvil.rpcUrl, ledger, files[w]!, path.join(dir, `state-${w}`), fromBlock);
      const corrupted = archives[w]!.corrupted;
      const total = st.streams.reduce((a, r) => a + r.finalized + r.conflicting + r.skipped + r.pending, 0);
      const conflicting = st.streams.reduce((a, r) => a + r.conflicting, 0);
      if (total !== archives[w]!.lines.length || conflicting !== corrupted) {
        problems.push(`rail status for witness ${w}: ${conflicting} conflicting of ${total} slots, expected ${corrupted} of ${archives[w]!.lines.length}`);
      }
    }
    const secrets = [...keys.witnesses.map((_, i) => devKey(1 + i)), ...relayers.map((_, i) => devKey(8 + i))].map((k) => k.slice(2).toLowerCase());
    for (const p of [...honestWitnesses, ...relayers]) {
      const text = p.output.toLowerCase();
      if (secrets.some((s) => text.includes(s))) problems.push(`${p.name}'s output contains a private key`);
    }
    return {
      ok: problems.length === 0,
      problems,
      mode,
      witnesses: n,
      quorum,
      relayers: relayerCount,
      slots: expected.length,
      finalized: verdict.finalized,
      unreachable: expected.length - reachable.length,
      wrongContent: verdict.wrongContent,
      chainBreaks: verdict.chainBreaks,
      dissent,
      skippedReported,
      proposals,
      faults: faultLog,
      seconds: Math.round((Date.now() - started) / 100) / 10,
      finalizeSeconds,
      meanLatencySeconds: latencyCount ? Math.round((latencySum / latencyCount) * 100) / 100 : 0,
      gasPerObservation: relayerFinal ? Math.round(relayerGas / relayerFinal) : null,
      revertedBatches,
      unexpectedFinal: verdict.unexpected,
      resources,
      slotLatencyMaxBucketS,
      seen,
      adversaryReports,
      ...(o.keepDir ? { dir } : {}),
    };
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await Promise.all(procs.map((p) => (p.child && p.running ? p.term(5_000) : undefined)));
    await anvil?.stop();
    if (!o.keepDir) await rm(dir, { recursive: true, force: true });
  }
}

/** The slots of the shared archive's first `epochs` epochs of its first `streams` streams, with the
 *  honest dataRoot and how many witnesses hold it uncorrupted. */
function expectedSlots(archives: WitnessArchive[], epochs: number, streams: number, shared: string[]): ExpectedSlot[] {
  const holders = new Map<Hex, number>();
  const out = new Map<Hex, ExpectedSlot>();
  const perStream = new Map<string, number>();
  for (const raw of shared) {
    const line: ArchiveLine = archiveLineSchema.parse(JSON.parse(raw));
    if (!perStream.has(line.stream) && perStream.size >= streams) continue;
    const k = perStream.get(line.stream) ?? 0;
    if (k >= epochs) continue;
    perStream.set(line.stream, k + 1);
    const streamHash = streamHashOf(line.stream);
    const slot = observationSlot(streamHash, epochHashOf(line.epoch.id, line.epoch.startUnixMs, line.epoch.durationMs));
    out.set(slot, { slot, streamHash, stream: line.stream, epochId: line.epoch.id, start: line.epoch.startUnixMs, dataRoot: dataRootOf(line), honest: 0 });
  }
  for (const a of archives) {
    for (const raw of a.lines) {
      const line = archiveLineSchema.parse(JSON.parse(raw));
      const slot = observationSlot(streamHashOf(line.stream), epochHashOf(line.epoch.id, line.epoch.startUnixMs, line.epoch.durationMs));
      const e = out.get(slot);
      if (e && dataRootOf(line) === e.dataRoot) holders.set(slot, (holders.get(slot) ?? 0) + 1);
    }
  }
  return [...out.values()].map((e) => ({ ...e, honest: holders.get(e.slot) ?? 0 }));
}

async function countFinal(conn: RailConnection, ledger: Address, expected: ExpectedSlot[]): Promise<number> {
  const hashes = await Promise.all(expected.map((e) => conn.publicClient.readContract({ address: ledger, abi: observationLedgerAbi, functionName: 'finalizedObservation', args: [e.slot] })));
  return hashes.filter((h) => h !== `0x${'00'.repeat(32)}`).length;
}

const finalizedEvent = getAbiItem({ abi: observationLedgerAbi, name: 'ObservationFinalized' });

/** Reads every ObservationFinalized log and checks: each expected slot's content is the shared
 *  archive's; each stream's finalized observations form one chain (sequence 0, 1, 2, … each naming
 *  the previous as parent) in epoch order. */
async function verifyOnChain(conn: RailConnection, ledger: Address, expected: ExpectedSlot[], quorum: number) {
  const logs = await conn.publicClient.getLogs({ address: ledger, event: finalizedEvent, fromBlock: 0n, strict: true });
  const bySlot = new Map(expected.map((e) => [e.slot, e] as const));
  const problems: string[] = [];
  let finalized = 0;
  let finalizedReachable = 0;
  let wrongContent = 0;
  let chainBreaks = 0;
  let unexpected = 0;
  const streams = new Map<Hex, { hash: Hex; sequence: bigint; start: number }>();
  for (const log of logs) {
    const { slot, observationHash, header, countedWitnesses } = log.args;
    const e = bySlot.get(slot);
    if (!e) {
      unexpected++;
      problems.push(`slot ${slot} finalized, but no honest witness observed it (stream ${header.streamHash}, sequence ${header.sequence})`);
      continue;
    }
    finalized++;
    if (e.honest >= quorum) finalizedReachable++;
    if (header.dataRoot !== e.dataRoot) {
      wrongContent++;
      unexpected++;
      problems.push(`slot ${slot} (${e.stream} ${e.epochId}) finalized with dataRoot ${header.dataRoot}, not the archive's ${e.dataRoot}`);
    }
    let bits = 0;
    for (let x = countedWitnesses; x; x &= x - 1n) bits++;
    if (bits < quorum) problems.push(`slot ${slot} finalized with ${bits} counted witnesses, fewer than ${quorum}`);
    const prev = streams.get(header.streamHash);
    const linked = prev ? header.parentObservationHash === prev.hash && header.sequence === prev.sequence + 1n && e.start > prev.start : header.sequence === 0n;
    if (!linked) {
      chainBreaks++;
      problems.push(`${e.stream} ${e.epochId}: sequence ${header.sequence} does not extend the stream's previous finalized observation in epoch order`);
    }
    streams.set(header.streamHash, { hash: observationHash, sequence: header.sequence, start: e.start });
  }
  return { finalized, finalizedReachable, wrongContent, chainBreaks, unexpected, problems };
}

/** Reads every witness's durable record and names any slot it holds two different signatures for
 *  (the rule a kill -9 must not break). */
async function equivocations(dir: string, indices: number[]): Promise<string[]> {
  const out: string[] = [];
  for (const i of indices) {
    const stateDir = path.join(dir, `state-${i}`);
    const files = (await readdir(stateDir)).filter((f) => f.endsWith('.jsonl'));
    if (files.length !== 1) out.push(`witness ${i}: expected one record in ${stateDir}, found ${files.length}`);
    const signed = new Map<string, string>();
    for (const f of files) {
      for (const raw of (await readFile(path.join(stateDir, f), 'utf8')).split('\n')) {
        if (!raw.trim()) continue;
        const r = JSON.parse(raw) as { slot: string; kind: string; hash?: string };
        if (r.kind !== 'signed') continue;
        const prev = signed.get(r.slot);
        if (prev && prev !== r.hash) out.push(`witness ${i} signed two candidates for slot ${r.slot}: ${prev} and ${r.hash}`);
        signed.set(r.slot, r.hash!);
      }
    }
  }
  return out;
}

async function statusOf(rpc: string, ledger: Address, archive: string, stateDir: string, fromBlock: bigint) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'status', '--rpc', rpc, '--ledger', ledger, '--archive', archive, '--state-dir', stateDir, '--from-block', String(fromBlock), '--json'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`rail status exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as { streams: { finalized: number; conflicting: number; skipped: number; pending: number }[] };
}

/** The smallest bucket of a witness's finality-latency histogram that holds all its observations. */
async function latencyBound(url: string): Promise<number> {
  try {
    const text = await (await fetch(new URL('/metrics', url), { signal: AbortSignal.timeout(2_000) })).text();
    const buckets = [...text.matchAll(/^ecp_witness_finality_latency_seconds_bucket\{le="([^"]+)"\} (\d+)/gm)].map((m) => ({ le: m[1] === '+Inf' ? Infinity : Number(m[1]), count: Number(m[2]) }));
    const total = buckets.find((b) => b.le === Infinity)?.count ?? 0;
    return buckets.filter((b) => b.count === total).reduce((min, b) => Math.min(min, b.le), Infinity) || 0;
  } catch {
    return Infinity;
  }
}

/** Each sample of `name` at `url`: its label text and value. */
async function metricLines(url: string, name: string): Promise<[string, number][]> {
  try {
    const text = await (await fetch(new URL('/metrics', url), { signal: AbortSignal.timeout(2_000) })).text();
    return text
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
      .map((l) => [l.slice(name.length, l.lastIndexOf(' ')), Number(l.split(' ').pop())]);
  } catch {
    return [];
  }
}

export async function metricSum(url: string, name: string): Promise<number> {
  try {
    const text = await (await fetch(new URL('/metrics', url), { signal: AbortSignal.timeout(2_000) })).text();
    return text
      .split('\n')
      .filter((l) => l.startsWith(name) && !l.startsWith('#'))
      .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
  } catch {
    return 0;
  }
}

export function formatNetworkSummary(s: NetworkSummary): string {
  const lines = [
    `${s.ok ? 'NETWORK SMOKE OK' : 'NETWORK SMOKE FAILED'}: ${s.finalized} of ${s.slots} slots final on chain (${s.unreachable} had no honest quorum), ${s.witnesses} witness processes (quorum ${s.quorum}), ${s.relayers} relayers, ${s.mode}, ${s.seconds} s`,
    `  content: ${s.wrongContent} slots with content other than the archive's; chain breaks: ${s.chainBreaks}`,
    `  dissent: witness 2 refused ${s.dissent} candidates for content; slots given up (all witnesses): ${s.skippedReported}`,
    `  faults: ${s.faults.join('; ') || 'none'}`,
    `  reverted relayer transactions: ${s.revertedBatches}; finalized without honest content: ${s.unexpectedFinal}`,
    ...(s.dir ? [`  logs and records: ${s.dir}`] : []),
    ...s.problems.map((p) => `  problem: ${p}`),
  ];
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      epochs: { type: 'string' },
      mode: { type: 'string' },
      json: { type: 'boolean' },
      keep: { type: 'boolean' },
      'no-faults': { type: 'boolean' },
      'tolerance-ms': { type: 'string' },
      'timeout-s': { type: 'string' },
      archives: { type: 'string' },
    },
  });
  const archivesMode = values.archives ?? 'own';
  if (archivesMode !== 'own' && archivesMode !== 'identical') {
    console.error(`error: --archives ${values.archives}: expected own (each witness its own archive) or identical (every witness a copy of one file).`);
    return 2;
  }
  const toleranceMs = values['tolerance-ms'] === undefined ? 1000 : Number(values['tolerance-ms']);
  const timeoutS = values['timeout-s'] === undefined ? 240 : Number(values['timeout-s']);
  if (!Number.isInteger(toleranceMs) || toleranceMs < 0 || !Number.isInteger(timeoutS) || timeoutS < 10) {
    console.error('error: --tolerance-ms expects a whole number ≥ 0 and --timeout-s a whole number ≥ 10.');
    return 2;
  }
  const epochs = values.epochs === undefined ? 30 : Number(values.epochs);
  if (!Number.isInteger(epochs) || epochs < 2 || epochs > 1200) {
    console.error(`error: --epochs ${values.epochs}: expected a whole number from 2 to 1200.`);
    return 2;
  }
  const mode = values.mode ?? 'relayed';
  if (mode !== 'relayed' && mode !== 'witness-tx') {
    console.error(`error: --mode ${values.mode}: expected relayed or witness-tx.`);
    return 2;
  }
  const summary = await runNetworkSmoke({ epochs, mode, toleranceMs, archives: archivesMode, timeoutMs: timeoutS * 1000, keepDir: values.keep, faults: !values['no-faults'], log: values.json ? undefined : (l) => console.error(l) });
  process.stdout.write(`${values.json ? JSON.stringify(summary) : formatNetworkSummary(summary)}\n`);
  return summary.ok ? 0 : 1;
}

if (isMain(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 4;
    },
  );
}
