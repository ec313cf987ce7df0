// The rail CLI: `smoke` (the default), `derive`, `deploy`, `submit`, `status`.
//   npx tsx smoke/cli.ts <command> [flags]     (npm run smoke runs `smoke`)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatEther, getAddress, isAddress, parseEther, type Address } from 'viem';
import { deriveArchive, formatIssue } from '../components/rail/archive/derive.js';
import { connect, deploy } from '../components/rail/client.js';
import { fundOnL2, type Deposit } from '../components/rail/funding.js';
import { headerToJson } from '../components/rail/observation.js';
import { finalizeReady, planSlots, streamStatus, submitRelayed, submitWitnessTx } from '../components/rail/submit.js';
import { loadKeys } from './keys.js';
import { progressReporter } from './progress.js';
import { DEFAULT_ARCHIVE, formatSummary, InvalidArchiveError, runSmoke } from './run.js';

const USAGE = `usage: tsx smoke/cli.ts <command> [flags]

commands:
  smoke    start anvil (or use --rpc), deploy, derive the archive, sign off, verify finality (default)
  derive   print the archive's observation headers as JSON lines
  deploy   deploy the ledger and the rail (idempotent, CREATE2) and print their addresses as JSON
  submit   sign off on the archive's observations with the witness keys (resumable)
  status   per stream: head sequence, finalized and pending counts

flags:
  --rpc URL            an existing chain instead of a fresh anvil (smoke); required for deploy/submit/status
  --archive PATH       archive JSONL (default: the bundled fixture)
  --witnesses N        number of witnesses (default 5)
  --quorum Q           quorum, a strict majority of N (default: the smallest, 3 of 5)
  --mode M             witness-tx | relayed (default relayed)
  --batch-size B       observations per relayed transaction (default 100)
  --ledger ADDRESS     the ledger (submit, status; default: the deterministic address for these keys)
  --bridge             deploy with finalized slots recorded into the rail
  --skip-invalid       go on with the valid archive lines and list the skipped ones
  --limit N            only the first N observations
  --dissent-every N    smoke: the last witness signs a different dataRoot every N epochs (default 10, 0: never)
  --portal ADDRESS     deploy: first top up the deployer (and, in witness-tx mode, the witnesses) on L2 with
                       deposits through this OptimismPortal; the L1 RPC URL comes from ECP_L1_RPC_URL
  --fund-min ETH       deploy --portal: accounts below this get a deposit (default 0.05)
  --fund-top-up ETH    deploy --portal: …up to this balance (default 0.25)
  --json               one JSON object on stdout, no progress
keys: ECP_DEPLOYER_KEY and ECP_WITNESS_KEYS (comma-separated) from the environment; without them the
      anvil dev accounts are used, which only hold funds on a dev chain.`;

class UsageError extends Error {}

function intFlag(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} ${v}: expected a whole number.`);
  return Number(v);
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
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
      bridge: { type: 'boolean' },
      'skip-invalid': { type: 'boolean' },
      limit: { type: 'string' },
      'dissent-every': { type: 'string' },
      portal: { type: 'string' },
      'fund-min': { type: 'string' },
      'fund-top-up': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const command = positionals[0] ?? 'smoke';
  const json = Boolean(values.json);
  const witnesses = intFlag('witnesses', values.witnesses, 5);
  // Default: the smallest strict majority (3 of 5).
  const quorum = intFlag('quorum', values.quorum, Math.floor(witnesses / 2) + 1);
  const mode = values.mode ?? 'relayed';
  if (mode !== 'relayed' && mode !== 'witness-tx') throw new UsageError(`--mode ${mode}: expected witness-tx or relayed.`);
  const archive = values.archive ?? DEFAULT_ARCHIVE;
  const onProgress = progressReporter({ json });
  const log = (line: string) => {
    if (!json) console.error(line);
  };

  switch (command) {
    case 'smoke': {
      const summary = await runSmoke({
        rpc: values.rpc,
        archive,
        witnesses,
        quorum,
        mode,
        batchSize: intFlag('batch-size', values['batch-size'], 100),
        skipInvalid: values['skip-invalid'],
        limit: values.limit ? intFlag('limit', values.limit, 0) : undefined,
        dissentEvery: intFlag('dissent-every', values['dissent-every'], 10),
        onProgress,
        log,
      });
      console.log(json ? JSON.stringify(summary) : formatSummary(summary));
      return summary.ok ? 0 : 1;
    }
    case 'derive': {
      const d = await deriveArchive(readText(archive), path.basename(archive));
      for (const w of d.warnings) console.error(`warning: ${formatIssue(w)}`);
      if (d.errors.length && !values['skip-invalid']) throw new InvalidArchiveError(d);
      for (const e of d.errors) console.error(`skipped: ${formatIssue(e)}`);
      for (const o of d.observations) console.log(JSON.stringify({ line: o.line, stream: o.stream, epoch: o.epochId, header: headerToJson(o.header) }));
      return 0;
    }
    case 'deploy': {
      const conn = await connect(requireRpc(values.rpc));
      const keys = loadKeys(witnesses);
      let deposits: Deposit[] = [];
      if (values.portal !== undefined) {
        const l1Url = process.env.ECP_L1_RPC_URL;
        if (!l1Url) throw new UsageError('--portal needs the L1 RPC URL in ECP_L1_RPC_URL (kept out of the command line).');
        const accounts = [keys.deployer.address, ...(mode === 'witness-tx' ? keys.witnesses.map((w) => w.address) : [])];
        deposits = await fundOnL2(await connect(l1Url), conn, keys.deployer, accounts, {
          portal: parseAddress(values.portal, 'portal'),
          minBalance: etherFlag('fund-min', values['fund-min'], '0.05'),
          topUpTo: etherFlag('fund-top-up', values['fund-top-up'], '0.25'),
          onWait: (pending) => log(`waiting for deposits to reach ${pending.join(', ')} on L2`),
        });
        for (const d of deposits) log(`deposited ${formatEther(d.value)} ETH to ${d.to} (L1 transaction ${d.l1Transaction})`);
      }
      const result = await deploy(conn, keys.deployer, { owner: keys.deployer.address, witnesses: keys.witnesses.map((w) => w.address), quorum, bridge: values.bridge });
      const out = { ...result, deposits: deposits.map((d) => ({ ...d, value: d.value.toString() })) };
      console.log(JSON.stringify(out, null, json ? 0 : 2));
      return 0;
    }
    case 'submit':
    case 'status': {
      const conn = await connect(requireRpc(values.rpc));
      const keys = loadKeys(witnesses);
      const d = await deriveArchive(readText(archive), path.basename(archive));
      if (d.errors.length && !values['skip-invalid']) throw new InvalidArchiveError(d);
      const observations = values.limit ? d.observations.slice(0, intFlag('limit', values.limit, 0)) : d.observations;
      const plans = planSlots(keys.witnesses.map((witness) => ({ witness, headers: observations.map((o) => o.header) })), quorum);
      const ledger = values.ledger ? parseAddress(values.ledger, 'ledger') : (await deploy(conn, keys.deployer, { owner: keys.deployer.address, witnesses: keys.witnesses.map((w) => w.address), quorum, bridge: values.bridge })).ledger;
      if (command === 'submit') {
        const report =
          mode === 'relayed'
            ? await submitRelayed(conn, keys.deployer, plans, { ledger, batchSize: intFlag('batch-size', values['batch-size'], 100), onProgress })
            : await submitWitnessTx(conn, plans, { ledger, onProgress });
        const late = await finalizeReady(conn, keys.deployer, plans, ledger);
        console.log(JSON.stringify({ ledger, ...report, gasUsed: report.gasUsed.toString(), finalizedLate: late }, null, json ? 0 : 2));
        return 0;
      }
      const names = new Map(observations.map((o) => [o.header.streamHash, o.stream]));
      const status = await streamStatus(conn, ledger, plans);
      const rows = status.map((s) => ({ stream: names.get(s.streamHash), ...s, headSequence: s.headSequence?.toString() ?? null }));
      console.log(JSON.stringify({ ledger, streams: rows }, null, json ? 0 : 2));
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}".\n\n${USAGE}`);
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--archive ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
}

function requireRpc(rpc: string | undefined): string {
  if (!rpc) throw new UsageError('--rpc URL is required for this command (for example --rpc http://127.0.0.1:8545).');
  return rpc;
}

function parseAddress(v: string, flagName: string): Address {
  if (!isAddress(v, { strict: false })) throw new UsageError(`--${flagName} ${v}: expected a 0x-prefixed 20-byte address.`);
  return getAddress(v);
}

function etherFlag(name: string, v: string | undefined, fallback: string): bigint {
  const text = v ?? fallback;
  if (!/^\d+(\.\d{1,18})?$/.test(text)) throw new UsageError(`--${name} ${text}: expected an amount of ETH like 0.25.`);
  return parseEther(text);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof InvalidArchiveError || e instanceof UsageError) {
      console.error(e.message);
      process.exit(2);
    }
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
