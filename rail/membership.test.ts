// The witness set changed in place: the plan (pure), and `rail members` as a separate process against
// a real ledger on anvil: add, remove, a quorum change, refusals that send nothing, and a run killed
// with -9 after its send, which the next run finishes without sending again.
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getAddress, type Address } from 'viem';
import { startAnvil, type Anvil } from './anvil.js';
import { deploy } from './client.js';
import { connect, type RailConnection } from './connection.js';
import { devAccount, devKey } from './keys.js';
import { planMembership, readMembership } from './membership.js';

const A = (i: number) => devAccount(i).address;

describe('planMembership', () => {
  it('adds what is missing, removes what is not wanted, and carries the quorum', () => {
    expect(planMembership({ witnesses: [A(1), A(2), A(3)], quorum: 2 }, { witnesses: [A(2), A(3), A(4)], quorum: 2 })).toEqual({ toAdd: [A(4)], toRemove: [A(1)], quorum: 2, changed: true });
    expect(planMembership({ witnesses: [A(1), A(2), A(3)], quorum: 2 }, { witnesses: [A(3), A(1), A(2)].map((a) => a.toLowerCase() as Address), quorum: 2 })).toEqual({ toAdd: [], toRemove: [], quorum: 2, changed: false });
    expect(planMembership({ witnesses: [A(1), A(2), A(3)], quorum: 2 }, { witnesses: [A(1), A(2), A(3)], quorum: 3 }).changed).toBe(true);
  });

  it('refuses a set that cannot be a membership, naming every problem and the fix', () => {
    expect(() => planMembership({ witnesses: [A(1)], quorum: 1 }, { witnesses: [A(1), A(1), '0x0000000000000000000000000000000000000000', A(2)], quorum: 2 })).toThrow(
      [
        'the wanted witness set cannot be a membership:',
        `  - ${A(1)} is listed twice`,
        '  - the zero address cannot be a witness',
        '  - a quorum of 2 is not a strict majority of 4 witnesses (two disjoint groups could each finalize); choose from 3 to 4',
      ].join('\n'),
    );
    expect(() => planMembership({ witnesses: [A(1)], quorum: 1 }, { witnesses: [A(1), A(2), A(3)], quorum: 4 })).toThrow('a quorum of 4 is out of reach with 3 witness(es); choose from 2 to 3');
    expect(() => planMembership({ witnesses: [A(1)], quorum: 1 }, { witnesses: [], quorum: 1 })).toThrow('the set is empty');
  });
});

describe('rail members on anvil', () => {
  let anvil: Anvil;
  let conn: RailConnection;
  let ledger: Address;
  const members = (args: string[], key = devKey(0)) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'rail/cli.ts', 'members', '--rpc', anvil.rpcUrl, '--ledger', ledger, '--json', ...args], { encoding: 'utf8', env: { ...process.env, ECP_DEPLOYER_KEY: key } });
  const set = (...indices: number[]) => indices.flatMap((i) => ['--witness', A(i)]);
  const nonce = () => conn.publicClient.getTransactionCount({ address: A(0), blockTag: 'pending' });

  beforeAll(async () => {
    anvil = await startAnvil();
    conn = await connect(anvil.rpcUrl, { pollingIntervalMs: 50 });
    ledger = (await deploy(conn, devAccount(0), { owner: A(0), witnesses: [1, 2, 3, 4, 5].map(A), quorum: 3 })).ledger;
  });
  afterAll(async () => {
    await anvil?.stop();
  });

  it('adds a witness, removes two, changes the quorum: one call each, read back, the ledger where it was', async () => {
    const add = members([...set(1, 2, 3, 4, 5, 6), '--quorum', '4']);
    expect(add.stderr).toBe('');
    expect(add.status).toBe(0);
    expect(JSON.parse(add.stdout)).toMatchObject({ ledger, changed: true, added: [A(6)], removed: [], quorum: 4, witnesses: [1, 2, 3, 4, 5, 6].map(A) });
    const remove = members([...set(1, 2, 3, 6), '--quorum', '3']);
    expect(JSON.parse(remove.stdout)).toMatchObject({ changed: true, added: [], removed: [A(4), A(5)], quorum: 3 });
    const quorum = members([...set(1, 2, 3, 6), '--quorum', '4']);
    expect(JSON.parse(quorum.stdout)).toMatchObject({ changed: true, added: [], removed: [], quorum: 4 });
    const before = await nonce();
    const again = members([...set(6, 3, 2, 1), '--quorum', '4']);
    expect(JSON.parse(again.stdout)).toMatchObject({ changed: false });
    expect(await nonce()).toBe(before);
    expect(await readMembership(conn, ledger)).toEqual({ owner: A(0), witnesses: [1, 2, 3, 6].map(A), quorum: 4 });
  });

  it('refuses an unreachable or minority quorum and a key that is not the owner, sending nothing', async () => {
    const before = await nonce();
    const unreachable = members([...set(1, 2, 3), '--quorum', '4']);
    expect(unreachable.status).toBe(3);
    expect(unreachable.stderr).toContain('a quorum of 4 is out of reach with 3 witness(es); choose from 2 to 3');
    const minority = members([...set(1, 2, 3, 6), '--quorum', '2']);
    expect(minority.status).toBe(3);
    expect(minority.stderr).toContain('is not a strict majority of 4 witnesses');
    const stranger = members([...set(1, 2, 3), '--quorum', '2'], devKey(7));
    expect(stranger.status).toBe(3);
    expect(stranger.stderr).toContain(`is owned by ${A(0)}, not by ${A(7)}: only its owner can change the witness set. Nothing was sent.`);
    expect(stranger.stderr).not.toContain(devKey(7).slice(2));
    expect(await nonce()).toBe(before);
  });

  it('a run killed with -9 after its send is finished by the next run, which sends nothing again', async () => {
    await conn.publicClient.request({ method: 'evm_setAutomine', params: [false] } as never);
    try {
      const before = await nonce();
      const child = spawn(process.execPath, ['--import', 'tsx', 'rail/cli.ts', 'members', '--rpc', anvil.rpcUrl, '--ledger', ledger, '--json', ...set(1, 2, 3, 6, 7), '--quorum', '3'], {
        env: { ...process.env, ECP_DEPLOYER_KEY: devKey(0) },
        stdio: 'ignore',
      });
      const exited = new Promise((r) => child.once('exit', r));
      for (let i = 0; i < 300 && (await nonce()) === before; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await nonce()).toBe(before + 1);
      child.kill('SIGKILL');
      await exited;
      // The next run finds the transaction in flight and waits for it; mining it lets the run read on.
      // (Without --json, so it says what it waits for.)
      const resumed = spawn(process.execPath, ['--import', 'tsx', 'rail/cli.ts', 'members', '--rpc', anvil.rpcUrl, '--ledger', ledger, ...set(1, 2, 3, 6, 7), '--quorum', '3'], {
        env: { ...process.env, ECP_DEPLOYER_KEY: devKey(0) },
      });
      let stdout = '';
      let stderr = '';
      resumed.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      resumed.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      for (let i = 0; i < 300 && !stderr.includes('still in flight'); i++) await new Promise((r) => setTimeout(r, 50));
      expect(stderr).toContain('waiting for 1 transaction(s)');
      await conn.publicClient.request({ method: 'evm_mine', params: [] } as never);
      const code = await new Promise((r) => resumed.once('exit', r));
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({ changed: false, quorum: 3, witnesses: [1, 2, 3, 6, 7].map(A) });
      expect(await nonce()).toBe(before + 1);
    } finally {
      await conn.publicClient.request({ method: 'evm_setAutomine', params: [true] } as never);
    }
  });

  it('deploy --witness: the ledger address depends on the deployer and the salt only; a later set is brought in place', async () => {
    const fresh = await startAnvil();
    try {
      const run = (...args: string[]) =>
        spawnSync(process.execPath, ['--import', 'tsx', 'rail/cli.ts', 'deploy', '--rpc', fresh.rpcUrl, '--json', ...args], { encoding: 'utf8', env: { ...process.env, ECP_DEPLOYER_KEY: devKey(0) } });
      const first = run(...set(1, 2, 3));
      expect(first.stderr).toBe('');
      const a = JSON.parse(first.stdout) as { ledger: Address; witnesses: Address[]; quorum: number; actions: string[] };
      expect(a).toMatchObject({ witnesses: [1, 2, 3].map(A), quorum: 2 });
      expect(a.actions.some((x) => x.startsWith('witness set: +3 -1, quorum 2'))).toBe(true);
      const second = JSON.parse(run(...set(2, 3, 4, 5), '--quorum', '3').stdout) as typeof a;
      expect(second.ledger).toBe(a.ledger);
      expect(second).toMatchObject({ witnesses: [2, 3, 4, 5].map(A), quorum: 3 });
      expect(second.actions.filter((x) => x.startsWith('deployed'))).toEqual([]);
      // Another deployer's ledger is elsewhere; the witnesses never enter the address.
      const other = spawnSync(process.execPath, ['--import', 'tsx', 'rail/cli.ts', 'deploy', '--rpc', fresh.rpcUrl, '--json', ...set(2, 3, 4, 5), '--quorum', '3'], { encoding: 'utf8', env: { ...process.env, ECP_DEPLOYER_KEY: devKey(9) } });
      expect((JSON.parse(other.stdout) as typeof a).ledger).not.toBe(a.ledger);
    } finally {
      await fresh.stop();
    }
  });

  it('rail members --help names its own flags', () => {
    const help = spawnSync(process.execPath, ['--import', 'tsx', 'rail/cli.ts', 'members', '--help'], { encoding: 'utf8' });
    expect(help.stdout).toContain('--witness ADDRESS');
    expect(help.stdout).toContain('keys: ECP_DEPLOYER_KEY');
    expect(getAddress(A(1))).toBe(A(1));
  });
});
