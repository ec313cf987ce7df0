// The smoke: archive → derived observations → witnesses sign off → every observation finalized on
// chain, each stream's chain intact. Runs against its own anvil, or an existing chain with --rpc.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { keccak256, concatHex, type Address, type Hex } from 'viem';
import { startAnvil, type Anvil } from './anvil.js';
import { deploy, type DeployResult } from './client.js';
import { connect, redactUrl, type RailConnection } from './connection.js';
import { observationLedgerAbi } from './contracts.js';
import { formatIssue, type ArchiveIssue, type DerivedObservation } from './archive/derive.js';
import { LISTED_ISSUES, observationWindows, replayableArchive, scanArchive } from './archive/read.js';
import { InputError, UsageError } from './errors.js';
import { observationSlot, type ObservationHeader } from './observation.js';
import {
  addReports,
  addStreamStatus,
  emptyReport,
  finalizeReady,
  planSlots,
  popcount,
  readLedger,
  streamStatus,
  submitRelayed,
  submitWitnessTx,
  type LedgerView,
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
  /** Own anvil only: mine a block every this many ms instead of one per transaction. */
  blockTimeMs?: number;
  /** Observations per window (default SMOKE_WINDOW). */
  windowSize?: number;
  onProgress?: (p: Progress) => void;
  log?: (line: string) => void;
}

export interface SmokeSummary {
  ok: boolean;
  chainId: number;
  rpc: string;
  archive: string;
  lines: number;
  /** Invalid lines skipped (--skip-invalid); the first 50 are listed in `skipped`. */
  skippedCount: number;
  skipped: { line: number; reason: string }[];
  warnings: number;
  deployment: DeployResult;
  mode: 'relayed' | 'witness-tx';
  observations: number;
  dissentingSignOffs: number;
  submit: Omit<SubmitReport, 'gasUsed' | 'lost'> & { gasUsed: string; lost: (Omit<SubmitReport['lost'][number], 'sequence'> & { sequence: string })[] };
  finalizedLate: number;
  streams: (Omit<StreamStatus, 'headSequence'> & { stream: string; headSequence: string | null; chainIntact: boolean })[];
  notFinalizedCount: number;
  /** The first LISTED_NOT_FINALIZED of them. */
  notFinalized: { stream: string; epoch: string; line: number; reason: string }[];
  seconds: { derive: number; submit: number; total: number };
}

/** Invalid archive lines, listed (the first 50) with file:line and the reason. */
export class InvalidArchiveError extends InputError {
  constructor(readonly scan: { errors: ArchiveIssue[]; errorCount?: number }) {
    const count = scan.errorCount ?? scan.errors.length;
    const shown = scan.errors.slice(0, LISTED_ISSUES).map(formatIssue);
    const more = count - shown.length;
    super(
      [
        ...shown,
        ...(more > 0 ? [`… and ${more} more`] : []),
        `${count} invalid line(s); nothing was submitted. Fix them, or pass --skip-invalid to go on with the valid lines.`,
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

/** Observations are derived, planned, submitted and verified this many at a time, so memory stays
 *  flat whatever the archive's size. */
export const SMOKE_WINDOW = 2_000;

/** At most this many observations that did not finalize are listed; the summary counts them all. */
export const LISTED_NOT_FINALIZED = 1_000;

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
  const windowSize = opts.windowSize ?? SMOKE_WINDOW;

  const source = await replayableArchive(archive);
  let anvil: Anvil | undefined;
  try {
    // The whole archive is checked before anything is sent; it is then read again, a window at a time.
    const scan = await scanArchive(source.path, source.name, (w) => log(`warning: ${formatIssue(w)}`));
    if (scan.errorCount && !opts.skipInvalid) throw new InvalidArchiveError(scan);
    const total = opts.limit ? Math.min(opts.limit, scan.observations) : scan.observations;
    requireObservations(total, scan.lines, archive);
    const deriveSeconds = (performance.now() - started) / 1000;
    log(`checked ${scan.lines} lines of ${archive} in ${deriveSeconds.toFixed(2)} s: ${total} observations to submit`);
    if (scan.errorCount) log(`skipping ${scan.errorCount} invalid line(s):\n${scan.errors.map(formatIssue).join('\n')}${scan.errorCount > scan.errors.length ? `\n… and ${scan.errorCount - scan.errors.length} more` : ''}`);

    if (!opts.rpc) anvil = await startAnvil({ blockTimeMs: opts.blockTimeMs });
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

    const ledger = deployment.ledger;
    const dissenter = keys.witnesses[n - 1]!;
    const submitStarted = performance.now();
    let submit = emptyReport(mode);
    let finalizedLate = 0;
    let dissentingSignOffs = 0;
    let observations = 0;
    let notFinalizedCount = 0;
    const notFinalized: SmokeSummary['notFinalized'] = [];
    const streams = new Map<Hex, StreamStatus>();
    const names = new Map<Hex, string>();
    const lastAgreed = new Map<Hex, SlotPlan>();
    for await (const window of observationWindows(source.path, source.name, windowSize, total)) {
      const honest = window.map((o) => o.header);
      const plans = planSlots(
        keys.witnesses.map((witness) => ({
          witness,
          headers: witness === dissenter && n > 1 ? dissentingView(honest, opts.dissentEvery ?? 10) : honest,
        })),
        quorum,
      );
      const base = observations;
      const onProgress = opts.onProgress && ((p: Progress) => opts.onProgress!({ done: base + p.done, total, phase: p.phase }));
      // The dissenter's own candidates go on chain first, below quorum, so its dissent is on record
      // (pending sign-offs) before the majority finalizes those slots.
      const dissentPlans: SlotPlan[] = plans.flatMap((p) => p.dissent.map((c) => ({ ...p, agreed: c, dissent: [] })));
      if (dissentPlans.length) {
        log(`the dissenting witness signs off on its own ${dissentPlans.length} candidate(s) first`);
        if (mode === 'relayed') await submitRelayed(conn, keys.deployer, dissentPlans, { ledger, batchSize: opts.batchSize });
        else await submitWitnessTx(conn, dissentPlans, { ledger });
      }
      const report =
        mode === 'relayed'
          ? await submitRelayed(conn, keys.deployer, plans, { ledger, batchSize: opts.batchSize, onProgress })
          : await submitWitnessTx(conn, plans, { ledger, onProgress });
      submit = addReports(submit, report);
      finalizedLate += await finalizeReady(conn, keys.deployer, plans, ledger);

      const checked = await verify(conn, ledger, plans, window);
      addStreamStatus(streams, checked.streams);
      notFinalizedCount += checked.notFinalized.length;
      notFinalized.push(...checked.notFinalized.slice(0, LISTED_NOT_FINALIZED - notFinalized.length));
      dissentingSignOffs += await dissentOnChain(conn, ledger, plans, checked.view);
      for (const o of window) names.set(o.header.streamHash, o.stream);
      for (const p of plans) if (p.agreed) lastAgreed.set(p.streamHash, p);
      observations += window.length;
    }
    const submitSeconds = (performance.now() - submitStarted) / 1000;

    // Each stream's chain is intact when its head on chain is the last observation of the archive.
    const streamRows = await Promise.all(
      [...streams.values()].map(async (s) => {
        const last = lastAgreed.get(s.streamHash);
        const chainIntact = last
          ? await conn.publicClient.readContract({ address: ledger, abi: observationLedgerAbi, functionName: 'isStreamHead', args: [s.streamHash, last.agreed!.hash, last.sequence] })
          : false;
        return { ...s, stream: names.get(s.streamHash) ?? s.streamHash, headSequence: s.headSequence === null ? null : s.headSequence.toString(), chainIntact };
      }),
    );
    return {
      ok: notFinalizedCount === 0 && streamRows.every((s) => s.chainIntact),
      chainId: deployment.chainId,
      rpc: redactUrl(rpcUrl),
      archive,
      lines: scan.lines,
      skippedCount: scan.errorCount,
      skipped: scan.errors.map((e) => ({ line: e.line, reason: e.reason })),
      warnings: scan.warningCount,
      deployment,
      mode,
      observations,
      dissentingSignOffs,
      submit: { ...submit, gasUsed: submit.gasUsed.toString(), lost: submit.lost.map((l) => ({ ...l, sequence: l.sequence.toString() })) },
      finalizedLate,
      streams: streamRows,
      notFinalizedCount,
      notFinalized,
      seconds: { derive: deriveSeconds, submit: submitSeconds, total: (performance.now() - started) / 1000 },
    };
  } finally {
    await anvil?.stop();
    await source.close();
  }
}

/** Sign-offs recorded on chain for candidates that lost their slot: dissent, counted from the ledger. */
async function dissentOnChain(conn: RailConnection, ledger: Address, plans: SlotPlan[], view: LedgerView): Promise<number> {
  const losers = plans.flatMap((p) => p.dissent.filter((c) => view.finalized.get(p.slot) !== c.hash));
  const bits = await Promise.all(
    losers.map((c) => conn.publicClient.readContract({ address: ledger, abi: observationLedgerAbi, functionName: 'signOffsOf', args: [c.hash] })),
  );
  return bits.reduce((n, b) => n + popcount(b), 0);
}

/** Checks on chain that every agreed observation of a window finalized with exactly its hash; lists
 *  everything else with the reason. */
async function verify(conn: RailConnection, ledger: Address, plans: SlotPlan[], window: DerivedObservation[]) {
  const view = await readLedger(conn, ledger, plans);
  const streams = await streamStatus(conn, ledger, plans, view);
  const notFinalized: SmokeSummary['notFinalized'] = [];
  const bySlot = new Map<Hex, DerivedObservation>();
  for (const o of window) bySlot.set(observationSlot(o.header.streamHash, o.header.epochHash), o);
  for (const p of plans) {
    const o = bySlot.get(p.slot)!;
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
  }
  return { view, streams, notFinalized };
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
  if (s.skippedCount) lines.push('', `skipped ${s.skippedCount} invalid line(s) (--skip-invalid): ${s.skipped.map((k) => k.line).join(', ')}${s.skippedCount > s.skipped.length ? ', …' : ''}`);
  if (s.notFinalizedCount) {
    lines.push('', `${s.notFinalizedCount} observation(s) not finalized:`);
    for (const x of s.notFinalized.slice(0, 20)) lines.push(`  line ${x.line} ${x.stream} ${x.epoch}: ${x.reason}`);
    if (s.notFinalizedCount > 20) lines.push(`  … and ${s.notFinalizedCount - 20} more (--json lists the first ${LISTED_NOT_FINALIZED})`);
  }
  lines.push('', `check ${s.seconds.derive.toFixed(2)} s, submit ${s.seconds.submit.toFixed(2)} s, total ${s.seconds.total.toFixed(2)} s`);
  return lines.join('\n');
}
