// The rail CLI's commands against a real anvil, and its key and URL handling.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type Anvil } from './anvil.js';
import { planDeployment } from './client.js';
import { redactUrl } from './connection.js';
import { loadKeys } from './keys.js';

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'rail/cli.ts', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

describe('rail CLI on an existing chain', () => {
  let anvil: Anvil;
  beforeAll(async () => {
    anvil = await startAnvil();
  });
  afterAll(async () => {
    await anvil.stop();
  });

  it('deploy prints the addresses it planned, and a re-run deploys nothing', () => {
    const keys = loadKeys(5);
    const plan = planDeployment({ owner: keys.deployer.address, witnesses: keys.witnesses.map((w) => w.address), quorum: 3 });
    const first = cli(['deploy', '--rpc', anvil.rpcUrl, '--json']);
    expect(first.status).toBe(0);
    const out = JSON.parse(first.stdout) as { ledger: string; rail: string; actions: string[]; quorum: number };
    expect(out.ledger).toBe(plan.ledger.address);
    expect(out.rail).toBe(plan.rail.address);
    expect(out.actions).toHaveLength(2);
    expect(out.quorum).toBe(3);
    const again = JSON.parse(cli(['deploy', '--rpc', anvil.rpcUrl, '--json']).stdout) as { actions: string[] };
    expect(again.actions).toEqual([]);
  });

  it('submit then status: every observation of the slice finalized, per stream', () => {
    const submit = cli(['submit', '--rpc', anvil.rpcUrl, '--deploy', '--limit', '30', '--json']);
    expect(submit.status).toBe(0);
    expect(JSON.parse(submit.stdout)).toMatchObject({ mode: 'relayed', submitted: 30, transactions: 1 });
    const status = cli(['status', '--rpc', anvil.rpcUrl, '--limit', '30', '--json']);
    expect(status.status).toBe(0);
    const streams = (JSON.parse(status.stdout) as { streams: { stream: string; finalized: number; pending: number; headSequence: string }[] }).streams;
    expect(streams.map((s) => s.finalized).reduce((a, b) => a + b)).toBe(30);
    expect(streams.every((s) => s.pending === 0 && s.headSequence === '9')).toBe(true);
  });

  it('a deploy --bridge authorizes the ledger on the rail', () => {
    const r = cli(['deploy', '--rpc', anvil.rpcUrl, '--bridge', '--json']);
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as { actions: string[] }).actions).toContain('authorized the ledger as a rail publisher');
  });

  it('deploy without --rpc is a usage error', () => {
    const r = cli(['deploy']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--rpc URL is required for this command');
  });
});

describe('keys', () => {
  it('rejects a malformed key without printing it', () => {
    const secret = '0xnot-a-key-but-secret';
    expect(() => loadKeys(1, { ECP_DEPLOYER_KEY: secret, ECP_WITNESS_KEYS: `0x${'11'.repeat(32)}` })).toThrow(
      'ECP_DEPLOYER_KEY: expected a private key as 0x followed by 64 hex digits (the value is not shown).',
    );
    try {
      loadKeys(1, { ECP_DEPLOYER_KEY: secret, ECP_WITNESS_KEYS: `0x${'11'.repeat(32)}` });
    } catch (e) {
      expect((e as Error).message).not.toContain(secret);
    }
  });

  it('needs both variables, and enough witness keys', () => {
    expect(() => loadKeys(1, { ECP_DEPLOYER_KEY: `0x${'11'.repeat(32)}` })).toThrow('ECP_DEPLOYER_KEY and ECP_WITNESS_KEYS go together');
    expect(() => loadKeys(3, { ECP_DEPLOYER_KEY: `0x${'11'.repeat(32)}`, ECP_WITNESS_KEYS: `0x${'22'.repeat(32)}` })).toThrow(
      'ECP_WITNESS_KEYS holds 1 keys but --witnesses is 3',
    );
  });

  it('defaults to anvil account 0 as deployer and 1..n as witnesses', () => {
    const k = loadKeys(2, {});
    expect(k.source).toBe('anvil-dev-accounts');
    expect(k.deployer.address).toBe('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266');
    expect(k.witnesses[0]!.address).toBe('0x70997970C51812dc3A010C7d01b50e0d17dc79C8');
  });
});

describe('redactUrl', () => {
  it.each([
    ['https://user:pass@rpc.example/v3', 'https://***@rpc.example/v3'],
    ['https://sepolia.example.io/v2/abcdef0123456789abcdef', 'https://sepolia.example.io/v2/***'],
    ['https://rpc.example/?apikey=s3cr3t', 'https://rpc.example/?***'],
    ['http://127.0.0.1:8545', 'http://127.0.0.1:8545/'],
  ])('%s → %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });
});

describe('rail --help', () => {
  it('each command prints its own usage and flags; --help alone lists every command', () => {
    const witness = cli(['witness', '--help']);
    expect(witness.status).toBe(0);
    expect(witness.stdout).toMatch(/^usage: tsx rail\/cli.ts witness \[flags\]/);
    for (const f of ['--relayer URL', '--state-dir DIR', '--give-up-ms N', '--tolerance-ms N', '--key-file PATH']) expect(witness.stdout).toContain(f);
    for (const f of ['--portal', '--max-batch', '--batch-size', '--dissent-every']) expect(witness.stdout).not.toContain(f);
    expect(witness.stdout).toContain('keys: ECP_WITNESS_KEY');
    const relayer = cli(['relayer', '-h']);
    expect(relayer.status).toBe(0);
    for (const f of ['--max-batch N', '--listen HOST:PORT', '--poll-ms N', '--key-file PATH']) expect(relayer.stdout).toContain(f);
    for (const f of ['--relayer URL', '--archive', '--tolerance-ms']) expect(relayer.stdout).not.toContain(f);
    expect(relayer.stdout).toContain('keys: ECP_RELAYER_KEY');
    const all = cli(['--help']);
    expect(all.status).toBe(0);
    for (const c of ['smoke', 'derive', 'deploy', 'submit', 'status', 'witness', 'relayer', 'keygen']) expect(all.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    expect(all.stdout).toContain('--portal ADDRESS');
  });
});
