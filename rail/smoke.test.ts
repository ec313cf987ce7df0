// The smoke path against a real anvil: relayed and witness-transaction modes, an idempotent re-run,
// a crash in the middle of a submit, and bad archives.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAbiItem } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type Anvil } from './anvil.js';
import { deploy } from './client.js';
import { connect } from './connection.js';
import { deriveArchive } from './archive/derive.js';
import { planSlots, readLedger, submitRelayed } from './submit.js';
import { loadKeys } from './keys.js';
import { DEFAULT_ARCHIVE, InvalidArchiveError, runSmoke } from './smoke.js';

const BAD = path.join(path.dirname(DEFAULT_ARCHIVE), 'bad');

describe('npm run smoke, against its own anvil', () => {
  it('relayed: every observation finalizes, the dissenter is outvoted, chains are intact', async () => {
    const s = await runSmoke({ limit: 150, batchSize: 20 });
    expect(s.ok).toBe(true);
    expect(s.observations).toBe(150);
    expect(s.notFinalized).toEqual([]);
    expect(s.streams.map((x) => x.finalized).reduce((a, b) => a + b)).toBe(150);
    expect(s.streams.every((x) => x.chainIntact && x.pending === 0 && x.conflicting === 0)).toBe(true);
    expect(s.dissentingSignOffs).toBe(15); // every 10th observation of each stream
    expect(s.submit.transactions).toBe(8);
  });

  it('witness transactions: the same result, one sign-off transaction per witness', async () => {
    const s = await runSmoke({ limit: 45, mode: 'witness-tx' });
    expect(s.ok).toBe(true);
    expect(s.notFinalized).toEqual([]);
    expect(s.submit.transactions).toBe(45 * 3);
    expect(s.dissentingSignOffs).toBe(3); // sequence 9 of each stream, read back from the ledger
  });

  it('a window at a time: windows that cut streams and dissent apart give the same result', async () => {
    const s = await runSmoke({ limit: 64, batchSize: 5, windowSize: 7 });
    expect(s.ok).toBe(true);
    expect(s.observations).toBe(64);
    expect(s.notFinalizedCount).toBe(0);
    expect(s.streams.map((x) => x.finalized).reduce((a, b) => a + b)).toBe(64);
    expect(s.streams.every((x) => x.chainIntact)).toBe(true);
    // Sequences 9 and 19 of each of the 3 streams: dissent counted from the ledger, window by window.
    expect(s.dissentingSignOffs).toBe(6);
    // 10 windows, each sent in ceil(window/5) batches.
    expect(s.submit.transactions).toBe(9 * 2 + 1);
  });
});

describe('against an existing chain (--rpc)', () => {
  let anvil: Anvil;
  beforeAll(async () => {
    anvil = await startAnvil();
  });
  afterAll(async () => {
    await anvil.stop();
  });

  it('a re-run deploys nothing and submits nothing', async () => {
    const first = await runSmoke({ rpc: anvil.rpcUrl, limit: 90 });
    expect(first.ok).toBe(true);
    expect(first.deployment.actions).toHaveLength(2);
    const again = await runSmoke({ rpc: anvil.rpcUrl, limit: 90 });
    expect(again.ok).toBe(true);
    expect(again.deployment.actions).toEqual([]);
    expect(again.deployment.ledger).toBe(first.deployment.ledger);
    expect(again.submit.submitted).toBe(0);
    expect(again.submit.transactions).toBe(0);
    expect(again.submit.alreadyFinal).toBe(90);
  });
});

describe('a crash in the middle of a submit', () => {
  it('after anvil restarts from its dumped state, a re-run finalizes every observation exactly once', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ecp-crash-'));
    const statePath = path.join(dir, 'state.json');
    const derived = await deriveArchive(readFileSync(DEFAULT_ARCHIVE, 'utf8'), 'archive.jsonl');
    const headers = derived.observations.slice(0, 240).map((o) => o.header);
    const keys = loadKeys(5);
    const plans = planSlots(keys.witnesses.map((witness) => ({ witness, headers })), 3);

    let anvil = await startAnvil({ statePath });
    let conn = await connect(anvil.rpcUrl);
    const { ledger } = await deploy(conn, keys.deployer, { owner: keys.deployer.address, witnesses: keys.witnesses.map((w) => w.address), quorum: 3 });
    let stopping: Promise<void> | undefined;
    await expect(
      submitRelayed(conn, keys.deployer, plans, {
        ledger,
        batchSize: 10,
        maxInFlight: 1,
        onProgress: (p) => {
          if (p.done >= 100 && !stopping) stopping = anvil.stop();
        },
      }),
    ).rejects.toThrow();
    await stopping;

    anvil = await startAnvil({ statePath });
    try {
      conn = await connect(anvil.rpcUrl);
      const before = await readLedger(conn, ledger, plans);
      expect(before.finalized.size).toBeGreaterThanOrEqual(100);
      expect(before.finalized.size).toBeLessThan(240);
      const rerun = await submitRelayed(conn, keys.deployer, plans, { ledger, batchSize: 10 });
      expect(rerun.submitted).toBe(240 - before.finalized.size);
      const after = await readLedger(conn, ledger, plans);
      expect(after.finalized.size).toBe(240);
      const logs = await conn.publicClient.getLogs({
        address: ledger,
        event: parseAbiItem(
          'event ObservationFinalized(bytes32 indexed slot, bytes32 indexed observationHash, bytes32 indexed streamHash, (bytes32,bytes32,bytes32,bytes32,bytes32,uint64,uint64) header, uint256 countedWitnesses)',
        ),
        fromBlock: 0n,
      });
      expect(logs).toHaveLength(240);
      expect(new Set(logs.map((l) => l.topics[1])).size).toBe(240);
    } finally {
      await anvil.stop();
    }
  });
});

describe('bad input', () => {
  it('reports every invalid line and submits nothing', async () => {
    const err = await runSmoke({ archive: path.join(BAD, 'wrong-type.jsonl') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArchiveError);
    expect((err as Error).message).toBe(
      'wrong-type.jsonl:3: chunks[1].byteLength: expected a positive integer, got "812345"\n' +
        '1 invalid line(s); nothing was submitted. Fix them, or pass --skip-invalid to go on with the valid lines.',
    );
  });

  it('--skip-invalid goes on with the valid lines and lists the skipped ones', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ecp-bad-'));
    const file = path.join(dir, 'mixed.jsonl');
    writeFileSync(file, readFileSync(path.join(BAD, 'out-of-order.jsonl'), 'utf8'));
    const s = await runSmoke({ archive: file, skipInvalid: true });
    expect(s.ok).toBe(true);
    expect(s.skipped.map((k) => k.line)).toEqual([3]);
    expect(s.observations).toBe(4);
  });

  it('the CLI exits 3 (bad input) and names file:line; derive prints nothing after the first invalid line', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'rail/cli.ts', 'derive', '--archive', path.join(BAD, 'duplicate-epoch.jsonl')], { encoding: 'utf8' });
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('duplicate-epoch.jsonl:4: duplicate epoch: stream atsc/KQED/9.1');
    expect(r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { line: number }).line)).toEqual([1, 2, 3]);
  });

  it('the CLI refuses a quorum that is not a majority (usage, exit 2)', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'rail/cli.ts', 'smoke', '--witnesses', '5', '--quorum', '2'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--quorum 2: expected a strict majority of the 5 witnesses (3 to 5).');
  });
});
