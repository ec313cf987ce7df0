// `rail smoke-network`: the real witness network, end to end, against a chain that is already running
// (ecp-forge's L2 after `pulumi up`, or anvil): a smoke ledger of its own (its own salt, so never the real
// one), `--witnesses` throwaway members, one relayer, each a separate process of this same client, all
// reading a snapshot of one archive. It waits until every observation of the snapshot is final on chain,
// compared by content, then stops the processes and reports. Nothing it does touches the real ledger.
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatEther, keccak256, toHex, type Address, type Hex } from 'viem';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { freePort } from './anvil.js';
import { listJsonl } from './archive/follow.js';
import { scanArchive } from './archive/read.js';
import { deploy } from './client.js';
import type { RailConnection } from './connection.js';
import { InputError, VerificationError } from './errors.js';
import { ChildProc, exportedMetrics, selfCommand, waitHealthy } from './ops/processes.js';
import { LEDGER_EIP712_NAME, LEDGER_EIP712_VERSION } from './signoff.js';
import { archiveStatus, type StreamReport } from './status.js';
import { sendTx } from './tx.js';

/** A fresh smoke ledger's CREATE2 salt: every run gets a ledger of its own, never the real one
 *  (DEFAULT_SALT) and never an earlier run's, so what it finds final is what this run finalized. */
export function smokeSalt(): Hex {
  return keccak256(toHex(`every.channel observation rail network smoke v1 ${Date.now()} ${randomBytes(16).toString('hex')}`));
}

export interface NetworkSmokeRun {
  conn: RailConnection;
  /** The RPC URL the child processes use (the same chain as `conn`). */
  rpc: string;
  archive: string;
  deployer: PrivateKeyAccount;
  /** Throwaway keys: one per witness, and the relayer's. */
  witnessKeys: Hex[];
  relayerKey: Hex;
  quorum: number;
  mode: 'relayed' | 'witness-tx';
  /** At most this many archive lines go into the snapshot. */
  limit: number;
  timeoutMs: number;
  /** What each throwaway account that sends transactions is topped up to on L2, from the deployer. */
  fundWei: bigint;
  /** Extra flags for the dev chains (anvil's keys). */
  allowDevKeys: boolean;
  pollMs?: number;
  workDir?: string;
  log: (line: string) => void;
}

export interface NetworkSmokeSummary {
  ok: boolean;
  reason?: string;
  chainId: number;
  ledger: Address;
  eip712: { name: string; version: string; chainId: number; verifyingContract: Address };
  witnesses: Address[];
  quorum: number;
  relayer: Address;
  lines: number;
  expected: number;
  finalized: number;
  seconds: number;
  streams: Pick<StreamReport, 'stream' | 'finalized' | 'pending' | 'conflicting' | 'skipped' | 'headSequence'>[];
  processes: { name: string; exit: number | null | 'running' }[];
  /** Metric families each process kind exported while it ran (what the alerts and panels can use). */
  metrics: { witness: string[]; relayer: string[] };
}

/** The first `limit` non-blank lines of `archive` (a .jsonl file, or a directory of them read in name
 *  order, as `rail witness` reads it), written to `out`: every witness reads the same lines. */
export async function snapshotArchive(archive: string, out: string, limit: number): Promise<number> {
  let info;
  try {
    info = await stat(archive);
  } catch (e) {
    throw new InputError(`--archive ${archive}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give a .jsonl file or a directory of them.`);
  }
  const files = info.isDirectory() ? (await listJsonl(archive)).map((f) => path.join(archive, f)) : [archive];
  if (!files.length) throw new InputError(`--archive ${archive}: the directory holds no .jsonl file; give the archive directory the witness follows, or one .jsonl file.`);
  const lines: string[] = [];
  for (const f of files) {
    for (const line of (await readFile(f, 'utf8')).split('\n')) {
      if (line.trim() === '') continue;
      lines.push(line);
      if (lines.length >= limit) break;
    }
    if (lines.length >= limit) break;
  }
  await writeFile(out, lines.length ? `${lines.join('\n')}\n` : '');
  return lines.length;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function topUp(conn: RailConnection, from: PrivateKeyAccount, to: Address, wei: bigint, log: (l: string) => void): Promise<void> {
  const have = await conn.publicClient.getBalance({ address: to });
  if (have >= wei / 2n) return;
  log(`smoke-network: funding ${to} with ${formatEther(wei - have)} ETH from ${from.address}`);
  await sendTx(conn, from, { to, data: '0x', value: wei - have }, `funding the smoke account ${to}`);
}

export async function runNetworkSmoke(o: NetworkSmokeRun): Promise<NetworkSmokeSummary> {
  const started = Date.now();
  const n = o.witnessKeys.length;
  const work = o.workDir ?? (await mkdtemp(path.join(tmpdir(), 'ecp-network-smoke-')));
  await mkdir(work, { recursive: true });
  const snapshot = path.join(work, 'archive.jsonl');
  const lines = await snapshotArchive(o.archive, snapshot, o.limit);
  const scan = await scanArchive(snapshot, path.basename(o.archive));
  if (scan.observations === 0) throw new InputError(`--archive ${o.archive}: its first ${lines} line(s) hold no valid observation; check it with \`rail derive --archive ${o.archive}\`.`);

  const witnesses = o.witnessKeys.map((k) => privateKeyToAccount(k).address);
  const relayer = privateKeyToAccount(o.relayerKey).address;
  const chainId = o.conn.chain.id;

  // A smoke ledger of this run's own, whose members are the throwaway witnesses.
  const fromBlock = await o.conn.publicClient.getBlockNumber();
  const { ledger } = await deploy(o.conn, o.deployer, { owner: o.deployer.address, witnesses, quorum: o.quorum, bridge: false, salt: smokeSalt() });
  for (const a of o.mode === 'witness-tx' ? [relayer, ...witnesses] : [relayer]) await topUp(o.conn, o.deployer, a, o.fundWei, o.log);

  const self = selfCommand();
  const procs: ChildProc[] = [];
  const allow = o.allowDevKeys ? ['--allow-dev-keys'] : [];
  const pollMs = String(o.pollMs ?? 250);
  const summary = (fields: Partial<NetworkSmokeSummary> & Pick<NetworkSmokeSummary, 'ok' | 'finalized' | 'streams'>): NetworkSmokeSummary => ({
    chainId,
    ledger,
    eip712: { name: LEDGER_EIP712_NAME, version: LEDGER_EIP712_VERSION, chainId, verifyingContract: ledger },
    witnesses,
    quorum: o.quorum,
    relayer,
    lines,
    expected: scan.observations,
    seconds: Math.round((Date.now() - started) / 1000),
    processes: procs.map((p) => ({ name: p.name, exit: p.running ? ('running' as const) : p.exitCode })),
    metrics: { witness: [], relayer: [] },
    ...fields,
  });
  try {
    const relayerPort = await freePort();
    const relayerUrl = `http://127.0.0.1:${relayerPort}`;
    const r = new ChildProc(
      'relayer',
      self.command,
      [...self.prefix, 'relayer', '--rpc', o.rpc, '--ledger', ledger, '--listen', `127.0.0.1:${relayerPort}`, '--poll-ms', pollMs, '--from-block', String(fromBlock), ...allow],
      { ECP_RELAYER_KEY: o.relayerKey },
      path.join(work, 'relayer.log'),
    ).start();
    procs.push(r);
    await waitHealthy(relayerUrl, r, 60_000);
    const witnessUrls: string[] = [];
    for (let i = 0; i < n; i++) {
      const port = await freePort();
      const stateDir = path.join(work, `witness-${i}`);
      await mkdir(stateDir, { recursive: true });
      // Each witness reads its own copy, as each would on its own host.
      const archive = path.join(work, `archive-${i}.jsonl`);
      await copyFile(snapshot, archive);
      const w = new ChildProc(
        `witness-${i}`,
        self.command,
        [
          ...self.prefix, 'witness', '--rpc', o.rpc, '--ledger', ledger, '--archive', archive, '--state-dir', stateDir,
          '--relayer', relayerUrl, '--listen', `127.0.0.1:${port}`, '--poll-ms', pollMs, '--from-block', String(fromBlock), '--mode', o.mode, ...allow,
        ],
        { ECP_WITNESS_KEY: o.witnessKeys[i]! },
        path.join(work, `witness-${i}.log`),
      ).start();
      procs.push(w);
      witnessUrls.push(`http://127.0.0.1:${port}`);
    }
    for (const [i, url] of witnessUrls.entries()) await waitHealthy(url, procs[i + 1]!, 60_000);
    o.log(`smoke-network: ${n} witnesses (quorum ${o.quorum}) and a relayer on the smoke ledger ${ledger}; ${scan.observations} observations from ${lines} lines`);

    let report = await archiveStatus(o.conn, ledger, snapshot, { fromBlock });
    let finalized = 0;
    for (;;) {
      finalized = report.streams.reduce((a, s) => a + s.finalized, 0);
      const dead = procs.find((p) => !p.running);
      if (finalized >= scan.observations || dead !== undefined || Date.now() - started > o.timeoutMs) {
        const metrics = { witness: await exportedMetrics(witnessUrls[0]!).catch(() => []), relayer: await exportedMetrics(relayerUrl).catch(() => []) };
        const streams = report.streams.map((s) => ({ stream: s.stream, finalized: s.finalized, pending: s.pending, conflicting: s.conflicting, skipped: s.skipped, headSequence: s.headSequence }));
        if (finalized >= scan.observations) return summary({ ok: true, finalized, streams, metrics });
        const reason =
          dead !== undefined
            ? `${dead.name} exited (code ${dead.exitCode}) with ${finalized} of ${scan.observations} observations final:\n${dead.tail()}`
            : `${finalized} of ${scan.observations} observations final after ${Math.round(o.timeoutMs / 1000)} s (pending ${report.streams.reduce((a, s) => a + s.pending, 0)}, ` +
              `conflicting ${report.streams.reduce((a, s) => a + s.conflicting, 0)}); the relayer's last output:\n${r.tail(1_500)}`;
        return summary({ ok: false, reason, finalized, streams, metrics });
      }
      await sleep(1_000);
      report = await archiveStatus(o.conn, ledger, snapshot, { fromBlock });
    }
  } finally {
    await Promise.all(procs.map((p) => p.term(10_000)));
    if (o.workDir === undefined) await rm(work, { recursive: true, force: true });
  }
}

/** Throws VerificationError with the reason when the smoke failed (the step then fails with it). */
export function requireSmokeOk(s: NetworkSmokeSummary): void {
  if (!s.ok) throw new VerificationError(`the network smoke failed: ${s.reason ?? 'not every observation finalized'}`);
}
