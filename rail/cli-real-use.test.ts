// The rail CLI under real use: pipes, exit codes, reads that stay reads, the dev keys, success that
// has to mean something, and the rough edges, each against a real anvil where a chain is involved.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPublicClient, http } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startAnvil, type Anvil } from './anvil.js';
import { observationLedgerAbi } from './contracts.js';
import { EXIT } from './errors.js';
import { RAIL_CALL_RESERVE } from './submit.js';
import { DEFAULT_ARCHIVE } from './smoke.js';

const CLI = ['--import', 'tsx', 'rail/cli.ts'];
const cli = (args: string[], env: NodeJS.ProcessEnv = {}, input?: string | Buffer) =>
  spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, input, maxBuffer: 64 * 1024 * 1024 });

/** Runs the CLI with stdout through a real pipe into `consumer` (a shell command), as a user would. */
function piped(args: string[], consumer: string, env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string; cliStatus: string }> {
  const quoted = [process.execPath, ...CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', `set -o pipefail; ${quoted} | ${consumer}; echo "cli=\${PIPESTATUS[0]}" >&2`], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr, cliStatus: /cli=(\d+)/.exec(stderr)?.[1] ?? '' }));
  });
}

const fixtureLines = readFileSync(DEFAULT_ARCHIVE, 'utf8').trim().split('\n');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ecp-cli-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

describe('output through pipes', () => {
  it('derive sends all 3,600 lines through a pipe', async () => {
    const r = await piped(['derive'], 'wc -l');
    expect(r.cliStatus).toBe('0');
    expect(r.stdout.trim()).toBe('3600');
  });

  it('a --json larger than 1 MB arrives whole through a pipe', async () => {
    // 3,000 streams with long names, one epoch each: the summary has a row per stream.
    const first = JSON.parse(fixtureLines[0]!) as { stream: string };
    const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ ...first, stream: `atsc/${'x'.repeat(200)}/${i}` }));
    const archive = file('many-streams.jsonl', lines.join('\n'));
    const r = await piped(['smoke', '--archive', archive, '--dissent-every', '0', '--json'], 'cat');
    expect(r.cliStatus, r.stderr).toBe('0');
    expect(r.stdout.length).toBeGreaterThan(1024 * 1024);
    const summary = JSON.parse(r.stdout) as { ok: boolean; streams: { finalized: number }[]; observations: number };
    expect(summary.ok).toBe(true);
    expect(summary.streams).toHaveLength(3000);
    expect(summary.streams.every((s) => s.finalized === 1)).toBe(true);
  });

  it('--skip-invalid over thousands of invalid lines lists the first 50 and counts them all', async () => {
    const bad = Array.from({ length: 6000 }, (_, i) => JSON.stringify({ version: 1, stream: `not a stream ${i}`, note: 'x'.repeat(40) }));
    const archive = file('mostly-bad.jsonl', [...fixtureLines.slice(0, 30), ...bad].join('\n'));
    const r = await piped(['smoke', '--archive', archive, '--skip-invalid', '--json'], 'cat');
    expect(r.cliStatus).toBe('0');
    const summary = JSON.parse(r.stdout) as { ok: boolean; skipped: { line: number }[]; skippedCount: number; observations: number };
    expect(summary.skippedCount).toBe(6000);
    expect(summary.skipped.map((s) => s.line)).toEqual(Array.from({ length: 50 }, (_, i) => 31 + i));
    expect(summary.observations).toBe(30);
  });
});

describe('no false success', () => {
  it('an empty or blank archive is bad input, never "0 observations"', () => {
    for (const content of ['', '\n\n  \n']) {
      const r = cli(['smoke', '--archive', file('empty.jsonl', content)]);
      expect(r.status).toBe(EXIT.input);
      expect(r.stderr).toContain('no archive lines (the file is empty or blank)');
      expect(r.stdout).toBe('');
    }
    const d = cli(['derive', '--archive', file('empty.jsonl', '')]);
    expect(d.status).toBe(EXIT.input);
  });

  it('an archive whose every line is invalid yields nothing and fails even with --skip-invalid', () => {
    const r = cli(['derive', '--skip-invalid', '--archive', file('all-bad.jsonl', '{"version":2}\n{"version":3}\n')]);
    expect(r.status).toBe(EXIT.input);
    expect(r.stderr).toContain('none of its 2 line(s) yields an observation');
  });
});

describe('rough edges: usage errors name the flag and the fix', () => {
  it.each([
    [['smoke', '--batch-size', '0'], '--batch-size 0: expected a whole number from 1 to 500.'],
    [['smoke', '--limit', '0'], '--limit 0: expected a whole number from 1 to'],
    [['smoke', '--witnesses', 'five'], '--witnesses five: expected a whole number from 1 to 192.'],
    [['status', '--rpc', 'notaurl'], '--rpc notaurl: not a URL; expected http(s)://host:port'],
    [['status', '--rpc', 'ftp://example.org'], '--rpc: expected an http:// or https:// URL, got the scheme "ftp:"'],
    [['smoke', '--no-such-flag'], "Unknown option '--no-such-flag'"],
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['submit', '--rpc', 'http://127.0.0.1:1'], 'submit needs --ledger ADDRESS'],
    [['witness'], 'witness needs --ledger ADDRESS'],
    [['witness', '--ledger', '0x0000000000000000000000000000000000000001'], 'witness needs --archive PATH'],
    [['witness', '--ledger', '0x0000000000000000000000000000000000000001', '--archive', 'a'], 'witness needs --state-dir DIR'],
    [['witness', '--ledger', '0x0000000000000000000000000000000000000001', '--archive', 'a', '--state-dir', 's'], 'witness needs at least one --relayer URL'],
    [['relayer', '--ledger', '0x0000000000000000000000000000000000000001', '--listen', 'nope'], '--listen nope: expected HOST:PORT'],
    [['relayer', '--ledger', '0x0000000000000000000000000000000000000001', '--max-batch', '0'], '--max-batch 0: expected a whole number from 1 to 500.'],
  ])('%j', (args, message) => {
    const r = cli(args);
    expect(r.status).toBe(EXIT.usage);
    expect(r.stderr).toContain(message);
  });

  it('derive honours --limit', () => {
    const r = cli(['derive', '--limit', '5']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(5);
  });

  it('a binary file is reported with its bytes escaped, never echoed raw', () => {
    const bytes = Buffer.from([0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x00, 0xff, 0xfe, 0x0a]);
    const r = cli(['derive', '--archive', file('binary.bin', bytes)]);
    expect(r.status).toBe(EXIT.input);
    expect(r.stderr).toContain('binary.bin:1: not valid JSON');
    expect(r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(r.stderr).toContain('\\x1b');
  });

  it('a directory or a missing file is bad input naming the path', () => {
    expect(cli(['derive', '--archive', dir]).stderr).toContain(`--archive ${dir}: is a directory`);
    const missing = cli(['derive', '--archive', path.join(dir, 'nope.jsonl')]);
    expect(missing.status).toBe(EXIT.input);
    expect(missing.stderr).toContain('cannot read it (ENOENT)');
  });

  it('reads the archive from stdin with --archive -', () => {
    const r = cli(['derive', '--archive', '-'], {}, fixtureLines.slice(0, 12).join('\n'));
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(12);
  });

  it('a line longer than the limit is refused without being buffered whole', () => {
    const r = cli(['derive', '--archive', file('huge-line.jsonl', `${fixtureLines[0]}\n${'x'.repeat(5 * 1024 * 1024)}\n`)]);
    expect(r.status).toBe(EXIT.input);
    expect(r.stderr).toContain('huge-line.jsonl:2: line is 5242880 bytes, longer than the 4194304 allowed');
  });

  it('an RPC that refuses connections is a chain error that says so', async () => {
    const port = await freePort();
    const r = cli(['status', '--rpc', `http://127.0.0.1:${port}`]);
    expect(r.status).toBe(EXIT.chain);
    expect(r.stderr).toContain('the RPC does not answer eth_chainId (ECONNREFUSED');
  });

  it('an RPC URL on a port fetch never connects to says so, instead of a bare "request failed"', () => {
    const r = cli(['status', '--rpc', 'http://127.0.0.1:1']);
    expect(r.status).toBe(EXIT.chain);
    expect(r.stderr).toContain('the RPC does not answer eth_chainId (HTTP request failed. fetch refuses port 1 (a blocked port), so nothing was tried)');
  });
});

describe('on a chain that is not a dev chain (anvil as chain 11155111)', () => {
  let anvil: Anvil;
  const blockNumber = () => createPublicClient({ transport: http(anvil.rpcUrl) }).getBlockNumber();
  beforeAll(async () => {
    anvil = await startAnvil({ chainId: 11155111 });
  });
  afterAll(async () => {
    await anvil.stop();
  });

  it('status with nothing deployed reads only, and says what is missing', async () => {
    const before = await blockNumber();
    const r = cli(['status', '--rpc', anvil.rpcUrl, '--limit', '10']);
    expect(r.status).toBe(EXIT.chain);
    expect(r.stderr).toContain('no contract there on chain 11155111. Nothing is deployed for these keys');
    expect(await blockNumber()).toBe(before);
  });

  it('refuses the anvil dev keys for writes, and names the way out', async () => {
    const before = await blockNumber();
    for (const args of [['deploy'], ['submit', '--deploy'], ['smoke']]) {
      const r = cli([...args, '--rpc', anvil.rpcUrl, '--limit', '10']);
      expect(r.status).toBe(EXIT.usage);
      expect(r.stderr).toContain('chain 11155111 is not a dev chain');
      expect(r.stderr).toContain('--allow-dev-keys');
    }
    expect(await blockNumber()).toBe(before);
  });

  it('with --allow-dev-keys it deploys, and status then reads without writing', async () => {
    const deployed = cli(['deploy', '--rpc', anvil.rpcUrl, '--allow-dev-keys', '--json']);
    expect(deployed.status).toBe(0);
    const submitted = cli(['submit', '--rpc', anvil.rpcUrl, '--deploy', '--allow-dev-keys', '--limit', '12', '--json']);
    expect(submitted.status).toBe(0);
    const before = await blockNumber();
    const r = cli(['status', '--rpc', anvil.rpcUrl, '--limit', '12', '--json']);
    expect(r.status).toBe(0);
    const streams = (JSON.parse(r.stdout) as { streams: { finalized: number }[] }).streams;
    expect(streams.reduce((a, s) => a + s.finalized, 0)).toBe(12);
    expect(await blockNumber()).toBe(before);
  });
});

describe('submit against a ledger on anvil', () => {
  let anvil: Anvil;
  let ledger: string;
  beforeAll(async () => {
    anvil = await startAnvil();
    const r = cli(['deploy', '--rpc', anvil.rpcUrl, '--json']);
    ledger = (JSON.parse(r.stdout) as { ledger: string }).ledger;
  });
  afterAll(async () => {
    await anvil.stop();
  });

  it('--ledger with no contract is a chain error naming the address', () => {
    const nowhere = '0x000000000000000000000000000000000000dEaD';
    const r = cli(['submit', '--rpc', anvil.rpcUrl, '--ledger', nowhere, '--limit', '3']);
    expect(r.status).toBe(EXIT.chain);
    expect(r.stderr).toContain(`--ledger ${nowhere}: no contract there on chain 31337`);
  });

  it('a quorum the given witnesses cannot reach is refused before anything is sent', () => {
    // Five keys the ledger has never heard of.
    const env = {
      ECP_DEPLOYER_KEY: `0x${'0a'.repeat(32)}`,
      ECP_WITNESS_KEYS: ['11', '22', '33', '44', '55'].map((b) => `0x${b.repeat(32)}`).join(','),
    };
    const r = cli(['submit', '--rpc', anvil.rpcUrl, '--ledger', ledger, '--limit', '3'], env);
    expect(r.status).toBe(EXIT.chain);
    expect(r.stderr).toContain(`the ledger ${ledger} needs 3 sign-offs, but only 0 of the 5 witness keys given are its members`);
    expect(r.stderr).toContain('Nothing was sent.');
  });

  it('a witness whose observations lost reports "lost to" and exits 1', () => {
    const mine = fixtureLines.slice(0, 9);
    expect(cli(['submit', '--rpc', anvil.rpcUrl, '--ledger', ledger, '--archive', file('a.jsonl', mine.join('\n'))]).status).toBe(0);
    // Another archive of the same epochs: the 4th line stored elsewhere, so its observation differs.
    const entry = JSON.parse(mine[3]!) as { locator: string };
    const theirs = [...mine.slice(0, 3), JSON.stringify({ ...entry, locator: `${entry.locator}-moved` }), ...mine.slice(4)];
    const r = cli(['submit', '--rpc', anvil.rpcUrl, '--ledger', ledger, '--archive', file('b.jsonl', theirs.join('\n')), '--json']);
    expect(r.status).toBe(EXIT.verification);
    expect(r.stderr).toMatch(/observation\(s\) lost to another finalized observation:\nslot 0x[0-9a-f]{64} \(sequence 1\): ours 0x[0-9a-f]{64} lost to 0x[0-9a-f]{64}/);
    const report = JSON.parse(r.stdout) as { alreadyFinal: number; lost: { ours: string; finalized: string }[] };
    expect(report.lost.length).toBeGreaterThanOrEqual(1);
    expect(report.alreadyFinal).toBe(9 - report.lost.length);
    expect(report.lost.every((l) => l.ours !== l.finalized)).toBe(true);
  });

  it('submit reads stdin whole before sending: an invalid last line sends nothing; valid, every window lands', async () => {
    const client = createPublicClient({ transport: http(anvil.rpcUrl) });
    const lines = fixtureLines.slice(0, 2_100); // more than one window of 2,000
    const before = await client.getBlockNumber();
    const bad = cli(['submit', '--rpc', anvil.rpcUrl, '--ledger', ledger, '--archive', '-'], {}, `${[...lines, '{"oops":'].join('\n')}\n`);
    expect(bad.status).toBe(EXIT.input);
    expect(bad.stderr).toContain('stdin:2101:');
    expect(bad.stderr).toContain('nothing was submitted');
    expect(await client.getBlockNumber()).toBe(before);
    const r = cli(['submit', '--rpc', anvil.rpcUrl, '--ledger', ledger, '--archive', '-', '--json'], {}, `${lines.join('\n')}\n`);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { submitted: number; alreadyFinal: number; lostCount: number };
    expect(report.submitted + report.alreadyFinal).toBe(2_100);
    expect(report.lostCount).toBe(0);
  });

  it("the relayer's gas limit carries the bridging ledger's rail reserve", async () => {
    const bridgeGas = await createPublicClient({ transport: http(anvil.rpcUrl) }).readContract({
      address: ledger as `0x${string}`,
      abi: observationLedgerAbi,
      functionName: 'BRIDGE_GAS',
    });
    expect(RAIL_CALL_RESERVE).toBe((bridgeGas * 64n) / 63n + 5_000n);
  });

  it('a bridged batch of 100 first observations of 100 streams fits the gas the relayer gives it', () => {
    // Every observation opens a new stream: the costliest batch for a bridging ledger.
    const first = JSON.parse(fixtureLines[0]!) as { stream: string };
    const archive = file('hundred-streams.jsonl', Array.from({ length: 100 }, (_, i) => JSON.stringify({ ...first, stream: `atsc/S${i}/1.1` })).join('\n'));
    const r = cli(['submit', '--rpc', anvil.rpcUrl, '--deploy', '--bridge', '--archive', archive, '--batch-size', '100', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ submitted: 100, transactions: 1 });
  });

  it('a constructor revert is named, and nothing is sent', () => {
    const same = `0x${'66'.repeat(32)}`;
    const r = cli(['deploy', '--rpc', anvil.rpcUrl, '--witnesses', '3', '--quorum', '2'], {
      ECP_DEPLOYER_KEY: '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
      ECP_WITNESS_KEYS: [same, same, same].join(','),
    });
    expect(r.status).toBe(EXIT.chain);
    expect(r.stderr).toMatch(/deploying the ledger would revert: AlreadyWitness\(0x[0-9a-fA-F]{40}\)\. Nothing was sent\./);
  });
});
