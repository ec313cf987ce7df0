// The rail CLI: `smoke` (the default), `derive`, `deploy`, `submit`, `status`, `members`, `keygen`,
// and the long-running `witness` and `relayer`.
//   npx tsx rail/cli.ts <command> [flags]     (npm run smoke runs `smoke`)
// Exit codes (one table for every command, rail/errors.ts): 0 success, 1 verification
// failed, 2 usage, 3 bad input, 4 chain error, 70 internal error.
import { once } from 'node:events';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readdir, readFile } from 'node:fs/promises';
import { formatEther, getAddress, isAddress, parseEther, type Address, type Hex } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { formatIssue } from './archive/derive.js';
import { deriveStream, LISTED_ISSUES, observationWindows, openArchive, replayableArchive, scanArchive } from './archive/read.js';
import { deploy, deployBlockOf, planDeployment, requireContract, setLaterParams } from './client.js';
import { connect, type RailConnection } from './connection.js';
import { EXIT, exitCodeOf, InputError, printable, UsageError, VerificationError } from './errors.js';
import { fundOnL2, type Deposit } from './funding.js';
import { headerToJson } from './observation.js';
import { archiveStatus } from './status.js';
import { parseRecord } from './witness/record.js';
import { addReports, checkQuorumReachable, emptyReport, finalizeReady, planSlots, submitRelayed, submitWitnessTx, type Progress } from './submit.js';
import { assertKeysFitChain, devKey, keyList, loadKeys, loadProcessKey, readProcessKey, refuseDevKey, writeNewKeyFile } from './keys.js';
import { requireSmokeOk, runNetworkSmoke } from './network-smoke.js';
import { makeLogger } from './ops/observability.js';
import { startRelayer } from './relayer/relayer.js';
import { DEFAULT_STORE_LIMITS } from './relayer/store.js';
import { DEFAULT_MEMBER_RATE } from './relayer/budget.js';
import { checkLead } from './relayer/lead.js';
import { startWitness } from './witness/witness.js';
import { progressReporter } from './progress.js';
import { commandUsage, isCommand, usage } from './usage.js';
import { planMembership, reconcileMembership } from './membership.js';
import { DEFAULT_ARCHIVE, formatSummary, InvalidArchiveError, requireObservations, runSmoke, SMOKE_WINDOW as ARCHIVE_WINDOW } from './smoke.js';

const USAGE = usage();

function intFlag(name: string, v: string | undefined, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new UsageError(`--${name} ${printable(v)}: expected a whole number from ${min} to ${max}.`);
  }
  return Number(v);
}

/** Writes to stdout, waiting when the pipe is full, so memory stays flat whatever the output size. */
async function out(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        rpc: { type: 'string' },
        archive: { type: 'string' },
        witnesses: { type: 'string' },
        quorum: { type: 'string' },
        mode: { type: 'string' },
        'batch-size': { type: 'string' },
        ledger: { type: 'string' },
        deploy: { type: 'boolean' },
        bridge: { type: 'boolean' },
        'skip-invalid': { type: 'boolean' },
        limit: { type: 'string' },
        'dissent-every': { type: 'string' },
        portal: { type: 'string' },
        'fund-min': { type: 'string' },
        'fund-top-up': { type: 'string' },
        'allow-dev-keys': { type: 'boolean' },
        json: { type: 'boolean' },
        listen: { type: 'string' },
        relayer: { type: 'string', multiple: true },
        witness: { type: 'string', multiple: true },
        fund: { type: 'string', multiple: true },
        'timeout-s': { type: 'string' },
        'state-dir': { type: 'string' },
        'tolerance-ms': { type: 'string' },
        'propose-step-ms': { type: 'string' },
        'give-up-ms': { type: 'string' },
        'poll-ms': { type: 'string' },
        'from-block': { type: 'string' },
        'max-batch': { type: 'string' },
        'relayer-index': { type: 'string' },
        relayers: { type: 'string' },
        'takeover-ms': { type: 'string' },
        'member-rate': { type: 'string' },
        'max-pipeline': { type: 'string' },
        'key-file': { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    await out(`${isCommand(positionals[0]) ? commandUsage(positionals[0]) : USAGE}\n`);
    return EXIT.ok;
  }
  const command = positionals[0] ?? 'smoke';
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${printable(positionals[1]!)}" after the command "${printable(command)}".`);
  const json = Boolean(values.json);
  const witnesses = intFlag('witnesses', values.witnesses, command === 'smoke-network' ? 3 : 5, 1, 192);
  // Default: the smallest strict majority (3 of 5).
  const quorum = intFlag('quorum', values.quorum, Math.floor(witnesses / 2) + 1, 1, 192);
  // (members checks its --quorum against its own --witness list.)
  if (command !== 'members' && values.witness === undefined && (quorum > witnesses || 2 * quorum <= witnesses)) {
    throw new UsageError(`--quorum ${quorum}: expected a strict majority of the ${witnesses} witnesses (${Math.floor(witnesses / 2) + 1} to ${witnesses}).`);
  }
  const modeFlag = values.mode ?? 'relayed';
  if (modeFlag !== 'relayed' && modeFlag !== 'witness-tx') throw new UsageError(`--mode ${printable(modeFlag)}: expected witness-tx or relayed.`);
  const mode: 'relayed' | 'witness-tx' = modeFlag;
  const batchSize = intFlag('batch-size', values['batch-size'], 100, 1, 500);
  const limit = values.limit === undefined ? undefined : intFlag('limit', values.limit, 0, 1);
  const archive = values.archive ?? DEFAULT_ARCHIVE;
  const archiveName = archive === '-' ? 'stdin' : path.basename(archive);
  const allowDevKeys = Boolean(values['allow-dev-keys']);
  const onProgress = progressReporter({ json });
  const log = (line: string) => {
    if (!json) console.error(printable(line));
  };
  if (values['key-file'] !== undefined && command !== 'witness' && command !== 'relayer') {
    throw new UsageError(`--key-file is read by witness and relayer only; ${printable(command)} takes its keys from the environment (see \`${printable(command)} --help\`).`);
  }

  switch (command) {
    case 'smoke': {
      const summary = await runSmoke({
        rpc: values.rpc === undefined ? undefined : requireRpc(values.rpc),
        archive,
        witnesses,
        quorum,
        mode,
        batchSize,
        skipInvalid: values['skip-invalid'],
        limit,
        dissentEvery: intFlag('dissent-every', values['dissent-every'], 10),
        allowDevKeys,
        onProgress,
        log,
      });
      await out(`${json ? JSON.stringify(summary) : formatSummary(summary)}\n`);
      return summary.ok ? EXIT.ok : EXIT.verification;
    }
    case 'derive': {
      // Streams: each observation is printed as its line is read; memory stays flat.
      // Invalid lines: the first LISTED_ISSUES are kept for the message, the rest only counted.
      const errors: Parameters<typeof formatIssue>[0][] = [];
      let errorCount = 0;
      let printed = 0;
      let lines = 0;
      for await (const e of deriveStream(await openArchive(archive), archiveName)) {
        if (e.kind === 'warning') {
          console.error(`warning: ${printable(formatIssue(e.issue))}`);
          continue;
        }
        lines++;
        if (e.kind === 'error') {
          if (values['skip-invalid']) console.error(`skipped: ${printable(formatIssue(e.issue))}`);
          else if (errorCount++ < LISTED_ISSUES) errors.push(e.issue);
          continue;
        }
        // After the first invalid line (without --skip-invalid) nothing more is printed; the rest is
        // still read so that every invalid line is listed.
        if (errorCount || (limit !== undefined && printed >= limit)) continue;
        const o = e.observation;
        await out(`${JSON.stringify({ line: o.line, stream: o.stream, epoch: o.epochId, header: headerToJson(o.header) })}\n`);
        printed++;
      }
      if (errorCount) throw new InvalidArchiveError({ errors, errorCount });
      requireObservations(printed, lines, archive);
      return EXIT.ok;
    }
    case 'deploy': {
      if (values.witness !== undefined) return deployBySet();
      const conn = await connect(requireRpc(values.rpc));
      const keys = loadKeys(witnesses);
      assertKeysFitChain(keys, conn.chain.id, allowDevKeys);
      const accounts = [keys.deployer.address, ...(mode === 'witness-tx' ? keys.witnesses.map((w) => w.address) : [])];
      const deposits = values.portal === undefined ? [] : await depositTo(conn, keys.deployer, accounts);
      const params = { owner: keys.deployer.address, witnesses: keys.witnesses.map((w) => w.address), quorum, bridge: values.bridge };
      const plan = planDeployment(params);
      log(`deploy: the rail at ${plan.rail.address} and the ledger at ${plan.ledger.address} on chain ${conn.chain.id}, from ${keys.deployer.address}, if not there yet`);
      const result = await deploy(conn, keys.deployer, params);
      const summary = { ...result, deposits: deposits.map((d) => ({ ...d, value: d.value.toString() })) };
      await out(`${JSON.stringify(summary, null, json ? 0 : 2)}\n`);
      return EXIT.ok;
    }
    case 'submit':
    case 'status': {
      if (values.rpc === undefined) throw new UsageError(`--rpc URL is required for ${command} (for example --rpc http://127.0.0.1:8545).`);
      if (command === 'submit' && values.ledger === undefined && !values.deploy) {
        throw new UsageError('submit needs --ledger ADDRESS (the ledger to sign off on), or --deploy to deploy or reuse the deterministic ledger for these keys first.');
      }
      if (values.ledger !== undefined && values.deploy) throw new UsageError('--ledger and --deploy exclude each other: --deploy means the deterministic ledger for these keys.');
      const ledgerFlag = values.ledger === undefined ? undefined : parseAddress(values.ledger, 'ledger');
      const source = await replayableArchive(archive);
      try {
        // The whole archive is checked before anything is read from or sent to the chain; it is then
        // read again a window at a time, so memory stays flat whatever its size.
        const scan = await scanArchive(source.path, source.name, (w) => log(`warning: ${formatIssue(w)}`));
        if (scan.errorCount && !values['skip-invalid']) throw new InvalidArchiveError(scan);
        const total = limit !== undefined ? Math.min(limit, scan.observations) : scan.observations;
        requireObservations(total, scan.lines, archive);
        const windows = () => observationWindows(source.path, source.name, ARCHIVE_WINDOW, total);
        const conn = await connect(requireRpc(values.rpc));
        const keys = loadKeys(witnesses);
        const params = { owner: keys.deployer.address, witnesses: keys.witnesses.map((w) => w.address), quorum, bridge: values.bridge };

        if (command === 'status') {
          // Reads only: no key signs anything here, whatever the chain.
          const ledger = ledgerFlag ?? planDeployment(params).ledger.address;
          await requireContract(conn, ledger, 'the ledger', ledgerFlag ? 'Check --ledger and --rpc.' : 'Nothing is deployed for these keys; pass --ledger, or run `deploy` first.');
          const reasons = values['state-dir'] === undefined ? new Map<Hex, string>() : await skipReasons(values['state-dir']);
          const report = await archiveStatus(conn, ledger, source.path, { fromBlock: BigInt(intFlag('from-block', values['from-block'], 0)), reasons, limit: total, window: ARCHIVE_WINDOW });
          await out(`${JSON.stringify({ ledger, ...report }, null, json ? 0 : 2)}\n`);
          return EXIT.ok;
        }

        assertKeysFitChain(keys, conn.chain.id, allowDevKeys);
        let ledger: Address;
        if (ledgerFlag) {
          ledger = ledgerFlag;
          await requireContract(conn, ledger, '--ledger', 'Check --ledger and --rpc, or pass --deploy instead to deploy the ledger for these keys.');
        } else {
          ledger = (await deploy(conn, keys.deployer, params)).ledger;
        }
        await checkQuorumReachable(conn, ledger, params.witnesses);
        log(
          `submit: sign-offs on up to ${total} observations to the ledger ${ledger} on chain ${conn.chain.id}, ` +
            (mode === 'relayed' ? `relayed in batches of ${batchSize} by ${keys.deployer.address}` : `one transaction per witness (${keys.witnesses.length} witnesses)`),
        );
        const onInFlight = (n: number) => log(`waiting for ${n} transaction(s) still in flight from an earlier run before reading the ledger`);
        let report = emptyReport(mode);
        let late = 0;
        let done = 0;
        for await (const window of windows()) {
          const plans = planSlots(keys.witnesses.map((witness) => ({ witness, headers: window.map((o) => o.header) })), quorum);
          const base = done;
          const onWindowProgress = (p: Progress) => onProgress({ done: base + p.done, total, phase: p.phase });
          const r =
            mode === 'relayed'
              ? await submitRelayed(conn, keys.deployer, plans, { ledger, batchSize, onProgress: onWindowProgress, onInFlight })
              : await submitWitnessTx(conn, plans, { ledger, onProgress: onWindowProgress, onInFlight });
          report = addReports(report, r);
          late += await finalizeReady(conn, keys.deployer, plans, ledger);
          done += window.length;
        }
        const lost = report.lost.map((l) => ({ ...l, sequence: l.sequence.toString() }));
        await out(`${JSON.stringify({ ledger, ...report, lost, gasUsed: report.gasUsed.toString(), finalizedLate: late }, null, json ? 0 : 2)}\n`);
        if (report.lostCount) {
          const first = lost.slice(0, 5).map((l) => `slot ${l.slot} (sequence ${l.sequence}): ours ${l.ours} lost to ${l.finalized}`);
          throw new VerificationError(
            `${report.lostCount} observation(s) lost to another finalized observation:\n${first.join('\n')}${report.lostCount > 5 ? `\n… and ${report.lostCount - 5} more (see "lost" in the output)` : ''}`,
          );
        }
        return EXIT.ok;
      } finally {
        await source.close();
      }
    }
    case 'members': {
      return membersCommand();
    }
    case 'keygen': {
      if (values.out === undefined) throw new UsageError('keygen needs --out FILE: where to write the new key (it is never printed).');
      const account = writeNewKeyFile(values.out);
      log(`keygen: wrote a new key to ${values.out} (mode 0400); its address is on stdout`);
      await out(json ? `${JSON.stringify({ address: account.address, keyFile: values.out })}\n` : `${account.address}\n`);
      return EXIT.ok;
    }
    case 'witness':
    case 'relayer': {
      return processCommand();
    }
    case 'smoke-network': {
      return smokeNetworkCommand();
    }
    default:
      throw new UsageError(`unknown command "${printable(command)}".\n\n${USAGE}`);
  }

  /** deploy --witness ADDRESS…: the ledger at an address fixed by the deployer and the salt, its
   *  witness set brought in place afterwards (and on every later run). */
  async function deployBySet(): Promise<number> {
    const conn = await connect(requireRpc(values.rpc));
    const deployer = loadProcessKey('ECP_DEPLOYER_KEY', conn.chain.id, allowDevKeys);
    const want = (values.witness ?? []).map((w) => parseAddress(w, 'witness'));
    const wantQuorum = values.quorum === undefined ? Math.floor(want.length / 2) + 1 : quorum;
    // Refused before anything is sent or deposited: a wanted set that cannot be a membership.
    planMembership({ witnesses: [], quorum: 0 }, { witnesses: want, quorum: wantQuorum });
    const fund = (values.fund ?? []).map((a) => parseAddress(a, 'fund'));
    if (fund.length && values.portal === undefined) throw new UsageError('--fund needs --portal: accounts are topped up on L2 with deposits through the OptimismPortal.');
    const deposits = values.portal === undefined ? [] : await depositTo(conn, deployer, [deployer.address, ...fund]);
    const params = setLaterParams(deployer.address, values.bridge);
    const plan = planDeployment(params);
    log(`deploy: the rail at ${plan.rail.address} and the ledger at ${plan.ledger.address} on chain ${conn.chain.id}, from ${deployer.address}, if not there yet; then its witness set`);
    const result = await deploy(conn, deployer, params);
    const members = await reconcileMembership(conn, deployer, result.ledger, { witnesses: want, quorum: wantQuorum }, log);
    const actions = [...result.actions, ...(members.tx ? [`witness set: +${members.plan.toAdd.length} -${members.plan.toRemove.length}, quorum ${members.after.quorum} (${members.tx})`] : [])];
    const deployBlock = await deployBlockOf(conn, result.ledger);
    const summary = { ...result, deployBlock: deployBlock.toString(), witnesses: members.after.witnesses, quorum: members.after.quorum, actions, deposits: deposits.map((d) => ({ ...d, value: d.value.toString() })) };
    await out(`${JSON.stringify(summary, null, json ? 0 : 2)}\n`);
    return EXIT.ok;
  }

  /** Tops `accounts` up on L2 with deposits through --portal, from the deployer's L1 account. */
  async function depositTo(conn: RailConnection, deployer: PrivateKeyAccount, accounts: Address[]): Promise<Deposit[]> {
    const l1Url = process.env.ECP_L1_RPC_URL;
    if (!l1Url) throw new UsageError('--portal needs the L1 RPC URL in ECP_L1_RPC_URL (kept out of the command line).');
    const deposits = await fundOnL2(await connect(requireRpc(l1Url, 'ECP_L1_RPC_URL')), conn, deployer, accounts, {
      portal: parseAddress(values.portal!, 'portal'),
      minBalance: etherFlag('fund-min', values['fund-min'], '0.05'),
      topUpTo: etherFlag('fund-top-up', values['fund-top-up'], '0.25'),
      onWait: (pending) => log(`waiting for deposits to reach ${pending.join(', ')} on L2`),
      onInTransit: (accounts) => log(`an earlier deposit to ${accounts.join(', ')} is still on its way to L2; waiting for it instead of depositing again`),
    });
    for (const d of deposits) log(`deposited ${formatEther(d.value)} ETH to ${d.to} (L1 transaction ${d.l1Transaction})`);
    return deposits;
  }

  async function smokeNetworkCommand(): Promise<number> {
    const rpc = requireRpc(values.rpc);
    if (values.archive === undefined) throw new UsageError('smoke-network needs --archive PATH: the archive its witnesses read (a .jsonl file, or a directory of them).');
    // (--witnesses and --quorum are checked above, with 3 witnesses as this command's default.)
    const n = intFlag('witnesses', values.witnesses, 3, 1, 19);
    const q = quorum;
    const timeoutMs = intFlag('timeout-s', values['timeout-s'], 600, 10, 86_400) * 1000;
    const conn = await connect(rpc);
    const keys = loadKeys(n);
    assertKeysFitChain(keys, conn.chain.id, allowDevKeys);
    const dev = keys.source === 'anvil-dev-accounts';
    const relayerKey = dev ? devKey(9) : keyList('ECP_RELAYER_KEY', 1)[0]!;
    const witnessKeys = dev ? Array.from({ length: n }, (_, i) => devKey(i + 1)) : keyList('ECP_WITNESS_KEYS', n);
    const summary = await runNetworkSmoke({
      conn,
      rpc,
      archive: values.archive,
      deployer: keys.deployer,
      witnessKeys,
      relayerKey,
      quorum: q,
      mode,
      limit: limit ?? 30,
      timeoutMs,
      fundWei: etherFlag('fund-top-up', values['fund-top-up'], '0.05'),
      allowDevKeys: allowDevKeys || dev,
      pollMs: intFlag('poll-ms', values['poll-ms'], 250, 10, 60_000),
      log,
    });
    await out(`${JSON.stringify(summary, null, json ? 0 : 2)}\n`);
    requireSmokeOk(summary);
    return EXIT.ok;
  }

  async function membersCommand(): Promise<number> {
    if (values.ledger === undefined) throw new UsageError('members needs --ledger ADDRESS: the ledger whose witness set to change.');
    if (values.quorum === undefined) throw new UsageError('members needs --quorum Q: the quorum of the wanted set, a strict majority of its witnesses.');
    const ledger = parseAddress(values.ledger, 'ledger');
    const want = (values.witness ?? []).map((w) => parseAddress(w, 'witness'));
    const wantQuorum = intFlag('quorum', values.quorum, 0, 1, 192);
    const { conn, account } = await connectProcess(values.rpc, (chainId) => loadProcessKey('ECP_DEPLOYER_KEY', chainId, allowDevKeys), ledger);
    const result = await reconcileMembership(conn, account, ledger, { witnesses: want, quorum: wantQuorum }, log);
    const summary = { ledger, changed: result.plan.changed, added: result.plan.toAdd, removed: result.plan.toRemove, quorum: result.after.quorum, witnesses: result.after.witnesses, ...(result.tx ? { tx: result.tx } : {}) };
    await out(`${JSON.stringify(summary, null, json ? 0 : 2)}\n`);
    return EXIT.ok;
  }

  async function processCommand(): Promise<number> {
    const [host, port] = parseListen(values.listen, command === 'relayer' ? 8650 : 8651);
    if (values.ledger === undefined) throw new UsageError(`${command} needs --ledger ADDRESS (the ledger it works for).`);
    const ledger = parseAddress(values.ledger, 'ledger');
    const pollMs = intFlag('poll-ms', values['poll-ms'], 250, 10, 60_000);
    const fromBlock = BigInt(intFlag('from-block', values['from-block'], 0));
    // Every flag is checked before the chain is touched.
    const toleranceMs = intFlag('tolerance-ms', values['tolerance-ms'], 2_000, 0, 3_600_000);
    const proposeStepMs = intFlag('propose-step-ms', values['propose-step-ms'], 2_000, 10, 3_600_000);
    const giveUpMs = intFlag('give-up-ms', values['give-up-ms'], 60_000, 100, 86_400_000);
    const maxPipeline = intFlag('max-pipeline', values['max-pipeline'], 1, 1, 64);
    const maxBatch = intFlag('max-batch', values['max-batch'], 500, 1, 500);
    if ((values['relayer-index'] === undefined) !== (values.relayers === undefined)) {
      throw new UsageError('--relayer-index and --relayers go together: give this relayer\'s place I and the number N of relayers that split the streams, or neither.');
    }
    const lead =
      values.relayers === undefined
        ? undefined
        : (() => {
            const count = intFlag('relayers', values.relayers, 1, 1, 64);
            const index = intFlag('relayer-index', values['relayer-index'], 0, 0, 63);
            const problem = checkLead(index, count);
            if (problem) throw new UsageError(`${problem}.`);
            return { index, count, takeoverMs: intFlag('takeover-ms', values['takeover-ms'], 3_000, 0, 600_000) };
          })();
    const memberRate = intFlag('member-rate', values['member-rate'], DEFAULT_MEMBER_RATE, 1, 1_000_000);
    if (command === 'witness') {
      if (values.archive === undefined) throw new UsageError('witness needs --archive PATH: its own archive, a JSONL file or a directory of .jsonl files.');
      if (values['state-dir'] === undefined) throw new UsageError('witness needs --state-dir DIR: where it keeps its durable record of what it signed.');
      const relayers = (values.relayer ?? []).map((r) => requireRpc(r, '--relayer'));
      if (!relayers.length) throw new UsageError('witness needs at least one --relayer URL: relayers carry proposals and sign-offs between witnesses.');
      const key = readProcessKey('ECP_WITNESS_KEY', values['key-file']);
      const { conn, account } = await connectProcess(values.rpc, (chainId) => refuseDevKey(key.account, key.source, chainId, allowDevKeys), ledger);
      const running = await startWitness({
        conn,
        ledger,
        account,
        archive: values.archive,
        stateDir: values['state-dir'],
        mode,
        relayers,
        toleranceMs,
        proposeStepMs,
        giveUpMs,
        deadlineWindowSec: 3_600n,
        minDeadlineSec: 60n,
        pollMs,
        // Room for a thousand streams' open slots, each a few hundred bytes.
        maxOpen: 4_096,
        maxPipeline,
        fromBlock,
        host,
        port,
        log: makeLogger('witness'),
      });
      return runUntilSignal(running);
    }
    const key = readProcessKey('ECP_RELAYER_KEY', values['key-file']);
    const { conn, account } = await connectProcess(values.rpc, (chainId) => refuseDevKey(key.account, key.source, chainId, allowDevKeys), ledger);
    const running = await startRelayer({
      conn,
      ledger,
      account,
      host,
      port,
      fromBlock,
      pollMs,
      maxBatch,
      deadlineMarginSec: 60n,
      maxDeadlineSec: 7_200n,
      limits: DEFAULT_STORE_LIMITS,
      memberRate,
      lead,
      log: makeLogger('relayer'),
    });
    return runUntilSignal(running);
  }
}

function requireRpc(rpc: string | undefined, name = '--rpc'): string {
  if (!rpc) throw new UsageError(`${name} URL is required for this command (for example --rpc http://127.0.0.1:8545).`);
  let url: URL;
  try {
    url = new URL(rpc);
  } catch {
    throw new UsageError(`${name} ${printable(rpc.length > 60 ? `${rpc.slice(0, 57)}...` : rpc)}: not a URL; expected http(s)://host:port, for example http://127.0.0.1:8545.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${name}: expected an http:// or https:// URL, got the scheme "${printable(url.protocol)}".`);
  }
  return rpc;
}

/** The skip reasons in every witness record in `dir` (status --state-dir). Reads only. */
async function skipReasons(dir: string): Promise<Map<Hex, string>> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((f) => f.endsWith('.jsonl'));
  } catch (e) {
    throw new InputError(`--state-dir ${printable(dir)}: cannot read it (${(e as Error).message}); give the witness's --state-dir.`);
  }
  const out = new Map<Hex, string>();
  for (const name of names) {
    const file = path.join(dir, name);
    for (const [slot, reason] of parseRecord(await readFile(file, 'utf8'), file).skips) if (!out.has(slot)) out.set(slot, reason);
  }
  return out;
}

/** A long-running process's chain, key (`key`, given the chain id) and ledger, each checked. */
async function connectProcess(rpc: string | undefined, key: (chainId: number) => PrivateKeyAccount, ledger: Address) {
  const conn = await connect(requireRpc(rpc));
  const account = key(conn.chain.id);
  await requireContract(conn, ledger, '--ledger', 'Check --ledger and --rpc.');
  return { conn, account };
}

/** Runs a long-running process until SIGTERM or SIGINT, then stops it cleanly. */
async function runUntilSignal(running: { stop(): Promise<void>; done: Promise<void> }): Promise<number> {
  const signal = await Promise.race([
    new Promise<string>((r) => {
      process.once('SIGTERM', () => r('SIGTERM'));
      process.once('SIGINT', () => r('SIGINT'));
    }),
    running.done.then(() => 'done'),
  ]);
  await running.stop();
  return signal === 'done' ? EXIT.internal : EXIT.ok;
}

function parseListen(v: string | undefined, defaultPort: number): [string, number] {
  if (v === undefined) return ['127.0.0.1', defaultPort];
  const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(v);
  if (!m || Number(m[2]) > 65_535) throw new UsageError(`--listen ${printable(v)}: expected HOST:PORT, for example 127.0.0.1:8650 (port 0: any free port).`);
  return [m[1]!.replace(/^\[|\]$/g, ''), Number(m[2])];
}

function parseAddress(v: string, flagName: string): Address {
  if (!isAddress(v, { strict: false })) throw new UsageError(`--${flagName} ${printable(v)}: expected a 0x-prefixed 20-byte address.`);
  return getAddress(v);
}

function etherFlag(name: string, v: string | undefined, fallback: string): bigint {
  const text = v ?? fallback;
  if (!/^\d+(\.\d{1,18})?$/.test(text)) throw new UsageError(`--${name} ${printable(text)}: expected an amount of ETH like 0.25.`);
  return parseEther(text);
}

/** Ends the process with `code` once stdout and stderr are flushed: `process.exit` right after a
 *  write would cut what a pipe has not taken yet. */
function exitAfterFlush(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

main(process.argv.slice(2)).then(exitAfterFlush, (e: unknown) => {
  const code = exitCodeOf(e);
  const message = e instanceof Error ? e.message : String(e);
  console.error(printable(code === EXIT.internal ? `internal error (a bug; please report it): ${e instanceof Error && e.stack ? e.stack : message}` : `error: ${message}`));
  exitAfterFlush(code);
});
