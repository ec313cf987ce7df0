// The smoke: archive → derived observations → witnesses sign off → every observation finalized on
// chain, each stream's chain intact. Runs against its own anvil, or an existing chain with --rpc.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { keccak256, concatHex, type Address, type Hex } from 'viem';
import { startAnvil, type Anvil } from './anvil.js';
import { deploy, type DeployResult } from './client.js';
import { connect, redactUrl } from './connection.js';
import { observationLedgerAbi } from './contracts.js';
import { formatIssue, type Derivation as ArchiveDerivation } from './archive/derive.js';
import { readDerivation } from './archive/read.js';
import { InputError, UsageError } from './errors.js';
import { observationSlot, type ObservationHeader } from './observation.js';
import {
  finalizeReady,
  planSlots,
  popcount,
  readLedger,
  streamStatus,
  submitRelayed,
  submitWitnessTx,
  type Progress,
  type SlotPlan,
  type StreamStatus,
  type SubmitReport,
} from './submit.js';
import { assertKeysFitChain, loadKeys } from './keys.js';

export const DEFAULT_ARCHIVE = path.join(path.dirname(fileURLToPath(import.meta.url)), '../smoke/fixtures/archive.jsonl');

export interface SmokeOptions {
  rpc?: string;
  archive?: string;
  witnesses?: number;
  quorum?: number;
  mode?: 'relayed' | 'witness-tx';
  batchSize?: number;
  skipInvalid?: boolean;
  /** Every how many observations of a stream the last witness derives a different dataRoot (0: never). */
  dissentEvery?: number;
  /** Use only the first N valid observations (for quick runs and benchmarks). */
  limit?: number;
  /** Let the anvil dev keys sign on a chain that is not a known dev chain (--rpc only). */
  allowDevKeys?: boolean;
  onProgress?: (p: Progress) => void;
  log?: (line: string) => void;
}

export interface SmokeSummary {
  ok: boolean;
  chainId: number;
  rpc: string;
  archive: string;
  lines: number;
  skipped: { line: number; reason: string }[];
  warnings: number;
  deployment: DeployResult;
  mode: 'relayed' | 'witness-tx';
  observations: number;
  dissentingSignOffs: number;
  submit: Omit<SubmitReport, 'gasUsed' | 'lost'> & { gasUsed: string; lost: (Omit<SubmitReport['lost'][number], 'sequence'> & { sequence: string })[] };
  finalizedLate: number;
  streams: (Omit<StreamStatus, 'headSequence'> & { stream: string; headSequence: string | null; chainIntact: boolean })[];
  notFinalized: { stream: string; epoch: string; line: number; reason: string }[];
  seconds: { derive: number; submit: number; total: number };
}

/** Invalid archive lines, listed (the first 50) with file:line and the reason. */
export class InvalidArchiveError extends InputError {
  constructor(readonly derivation: Pick<ArchiveDerivation, 'errors'>) {
    const shown = derivation.errors.slice(0, 50).map(formatIssue);
    const more = derivation.errors.length - shown.length;
    super(
      [
        ...shown,
        ...(more > 0 ? [`… and ${more} more`] : []),
        `${derivation.errors.length} invalid line(s); nothing was submitted. Fix them, or pass --skip-invalid to go on with the valid lines.`,
      ].join('\n'),
    );
  }
}

/** An archive that yields nothing to observe is an error, never a success with 0 observations. */
export function requireObservations(count: number, lines: number, archive: string): void {
  if (count > 0) return;
  throw new InputError(
    lines === 0
      ? `--archive ${archive}: no archive lines (the file is empty or blank); give the JSONL archive of a stream's epochs.`
      : `--archive ${archive}: none of its ${lines} line(s) yields an observation (all were skipped as invalid).`,
  );
}

/** The dissenting witness's view: the same chain, a different dataRoot on some epochs. */
export function dissentingView(headers: ObservationHeader[], every: number): ObservationHeader[] {
  if (every <= 0) return headers;
  return headers.map((h) =>
    h.sequence % BigInt(every) === BigInt(every - 1) ? { ...h, dataRoot: keccak256(concatHex([h.dataRoot, '0xd155e27'])) } : h,
  );
}

export async function runSmoke(opts: SmokeOptions = {}): Promise<SmokeSummary> {
  const log = opts.log ?? (() => {});
  const started = performance.now();
  const archive = opts.archive ?? DEFAULT_ARCHIVE;
  const n = opts.witnesses ?? 5;
  const quorum = opts.quorum ?? Math.floor(n / 2) + 1;
  const mode = opts.mode ?? 'relayed';
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--witnesses ${n}: expected a whole number ≥ 1.`);
  if (!Number.isInteger(quorum) || quorum < 1 || quorum > n || 2 * quorum <= n) {
    throw new UsageError(`--quorum ${quorum}: expected a strict majority of the ${n} witnesses (${Math.floor(n / 2) + 1} to ${n}).`);
  }

  const derived = await readDerivation(archive, archive === '-' ? 'stdin' : path.basename(archive));
  if (derived.errors.length && !opts.skipInvalid) throw new InvalidArchiveError(derived);
  const observations = opts.limit ? derived.observations.slice(0, opts.limit) : derived.observations;
  requireObservations(observations.length, derived.lines, archive);
  const deriveSeconds = (performance.now() - started) / 1000;
  log(`derived ${observations.length} observations from ${derived.lines} lines of ${archive} in ${deriveSeconds.toFixed(2)} s`);
  for (const w of derived.warnings) log(`warning: ${formatIssue(w)}`);
  if (derived.errors.length) log(`skipped ${derived.errors.length} invalid line(s):\n${derived.errors.map(formatIssue).join('\n')}`);

  let anvil: Anvil | undefined;
  try {
    if (!opts.rpc) anvil = await startAnvil();
    const rpcUrl = opts.rpc ?? anvil!.rpcUrl;
    const conn = await connect(rpcUrl);
    const keys = loadKeys(n);
    assertKeysFitChain(keys, conn.chain.id, Boolean(opts.allowDevKeys));
    const deployment = await deploy(conn, keys.deployer, {
      owner: keys.deployer.address,
      witnesses: keys.witnesses.map((w) => w.address),
      quorum,
    });
    log(`ledger ${deployment.ledger} on chain ${deployment.chainId}${deployment.actions.length ? ` (${deployment.actions.join('; ')})` : ' (already deployed)'}`);

    const honest = observations.map((o) => o.header);
    const dissenter = keys.witnesses[n - 1]!;
    const derivations = keys.witnesses.map((witness) => ({
      witness,
      headers: witness === dissenter && n > 1 ? dissentingView(honest, opts.dissentEvery ?? 10) : honest,
    }));
    const plans = planSlots(derivations, quorum);
    const submitStarted = performance.now();
    // The dissenter's own candidates go on chain first, below quorum, so its dissent is on record
    // (pending sign-offs) before the majority finalizes those slots.
    const dissentPlans: SlotPlan[] = plans.flatMap((p) => p.dissent.map((c) => ({ ...p, agreed: c, dissent: [] })));
    if (dissentPlans.length) {
      log(`the dissenting witness signs off on its own ${dissentPlans.length} candidate(s) first`);
      if (mode === 'relayed') await submitRelayed(conn, keys.deployer, dissentPlans, { ledger: deployment.ledger, batchSize: opts.batchSize });
      else await submitWitnessTx(conn, dissentPlans, { ledger: deployment.ledger });
    }
    const submit =
      mode === 'relayed'
        ? await submitRelayed(conn, keys.deployer, plans, { ledger: deployment.ledger, batchSize: opts.batchSize, onProgress: opts.onProgress })
        : await submitWitnessTx(conn, plans, { ledger: deployment.ledger, onProgress: opts.onProgress });
    const finalizedLate = await finalizeReady(conn, keys.deployer, plans, deployment.ledger);
    const submitSeconds = (performance.now() - submitStarted) / 1000;

    const summary = await verify(conn, deployment.ledger, plans, observations);
    const dissentingSignOffs = await dissentOnChain(conn, deployment.ledger, plans);
    return {
      ok: summary.notFinalized.length === 0 && summary.streams.every((s) => s.chainIntact),
      chainId: deployment.chainId,
      rpc: redactUrl(rpcUrl),
      archive,
      lines: derived.lines,
      skipped: derived.errors.map((e) => ({ line: e.line, reason: e.reason })),
      warnings: derived.warnings.length,
      deployment,
      mode,
      observations: observations.length,
      dissentingSignOffs,
      submit: { ...submit, gasUsed: submit.gasUsed.toString(), lost: submit.lost.map((l) => ({ ...l, sequence: l.sequence.toString() })) },
      finalizedLate,
      streams: summary.streams,
      notFinalized: summary.notFinalized,
      seconds: { derive: deriveSeconds, submit: submitSeconds, total: (performance.now() - started) / 1000 },
    };
  } finally {
    await anvil?.stop();
  }
}

/** Sign-offs recorded on chain for candidates that lost their slot: dissent, counted from the ledger. */
async function dissentOnChain(conn: Awaited<ReturnType<typeof connect>>, ledger: Address, plans: SlotPlan[]): Promise<number> {
  const view = await readLedger(conn, ledger, plans);
  const losers = plans.flatMap((p) => p.dissent.filter((c) => view.finalized.get(p.slot) !== c.hash));
  const bits = await Promise.all(
    losers.map((c) => conn.publicClient.readContract({ address: ledger, abi: observationLedgerAbi, functionName: 'signOffsOf', args: [c.hash] })),
  );
  return bits.reduce((n, b) => n + popcount(b), 0);
}

/** Checks on chain that every agreed observation finalized with exactly its hash and that each
 *  stream's head is its last observation; lists everything else with the reason. */
async function verify(
  conn: Awaited<ReturnType<typeof connect>>,
  ledger: Address,
  plans: SlotPlan[],
  observations: ArchiveDerivation['observations'],
) {
  const view = await readLedger(conn, ledger, plans);
  const status = await streamStatus(conn, ledger, plans, view);
  const notFinalized: SmokeSummary['notFinalized'] = [];
  const names = new Map<Hex, string>();
  const bySlotObservation = new Map<Hex, ArchiveDerivation['observations'][number]>();
  for (const o of observations) {
    names.set(o.header.streamHash, o.stream);
    bySlotObservation.set(observationSlot(o.header.streamHash, o.header.epochHash), o);
  }
  plans.forEach((p) => {
    const o = bySlotObservation.get(p.slot)!;
    const onChain = view.finalized.get(p.slot);
    if (!p.agreed) {
      notFinalized.push({ stream: o.stream, epoch: o.epochId, line: o.line, reason: `no candidate had a quorum of witnesses (${p.dissent.map((c) => c.signers.length).join(' vs ')})` });
    } else if (onChain !== p.agreed.hash) {
      notFinalized.push({
        stream: o.stream,
        epoch: o.epochId,
        line: o.line,
        reason: onChain ? `the slot finalized with another observation ${onChain}` : 'not finalized (pending on chain)',
      });
    }
  });
  const lastByStream = new Map<Hex, SlotPlan>();
  for (const p of plans) if (p.agreed) lastByStream.set(p.streamHash, p);
  const streams = await Promise.all(
    status.map(async (s) => {
      const last = lastByStream.get(s.streamHash);
      const chainIntact = last
        ? await conn.publicClient.readContract({ address: ledger, abi: observationLedgerAbi, functionName: 'isStreamHead', args: [s.streamHash, last.agreed!.hash, last.sequence] })
        : false;
      return { ...s, stream: names.get(s.streamHash) ?? s.streamHash, headSequence: s.headSequence === null ? null : s.headSequence.toString(), chainIntact };
    }),
  );
  return { streams, notFinalized };
}

export function formatSummary(s: SmokeSummary): string {
  const lines = [
    `${s.ok ? 'SMOKE OK' : 'SMOKE FAILED'}: ${s.observations} observations from ${s.lines} archive lines, ${s.mode} mode, chain ${s.chainId} (${s.rpc})`,
    `ledger ${s.deployment.ledger}: ${s.deployment.witnesses.length} witnesses, quorum ${s.deployment.quorum}; ${s.dissentingSignOffs} dissenting sign-offs on chain, outvoted`,
    `submitted ${s.submit.submitted} (${s.submit.alreadyFinal} already final) in ${s.submit.transactions} transactions, ${BigInt(s.submit.gasUsed).toLocaleString('en-US')} gas; ${s.finalizedLate} finalized late`,
    '',
    `${'stream'.padEnd(18)}${'finalized'.padStart(10)}${'pending'.padStart(9)}${'conflict'.padStart(10)}${'head'.padStart(7)}  chain`,
    ...s.streams.map(
      (x) => `${x.stream.padEnd(18)}${String(x.finalized).padStart(10)}${String(x.pending).padStart(9)}${String(x.conflicting).padStart(10)}${(x.headSequence ?? '-').padStart(7)}  ${x.chainIntact ? 'intact' : 'BROKEN'}`,
    ),
  ];
  if (s.skipped.length) lines.push('', `skipped ${s.skipped.length} invalid line(s) (--skip-invalid): ${s.skipped.map((k) => k.line).join(', ')}`);
  if (s.notFinalized.length) {
    lines.push('', `${s.notFinalized.length} observation(s) not finalized:`);
    for (const x of s.notFinalized.slice(0, 20)) lines.push(`  line ${x.line} ${x.stream} ${x.epoch}: ${x.reason}`);
    if (s.notFinalized.length > 20) lines.push(`  … and ${s.notFinalized.length - 20} more (--json lists them all)`);
  }
  lines.push('', `derive ${s.seconds.derive.toFixed(2)} s, submit ${s.seconds.submit.toFixed(2)} s, total ${s.seconds.total.toFixed(2)} s`);
  return lines.join('\n');
}
