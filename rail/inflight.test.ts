// A resumed run never re-sends what an interrupted run left in the mempool: it waits for the
// account's in-flight transactions, then reads the ledger. anvil with automine off holds them.
import { encodeFunctionData, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadKeys } from './keys.js';
import { DEFAULT_ARCHIVE } from './smoke.js';
import { startAnvil, type Anvil } from './anvil.js';
import { deploy } from './client.js';
import { connect, wallet as walletFor, type RailConnection } from './connection.js';
import { observationLedgerAbi } from './contracts.js';
import { deriveArchive } from './archive/derive.js';
import { planSlots, readLedger, submitRelayed } from './submit.js';
import { ledgerDomain, signOffDigest, signSignOffDigest } from './signoff.js';

async function rpc(anvil: Anvil, method: string, params: unknown[] = []): Promise<unknown> {
  const r = await fetch(anvil.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return ((await r.json()) as { result: unknown }).result;
}

describe('resuming with transactions still in flight', () => {
  let anvil: Anvil;
  let conn: RailConnection;
  beforeAll(async () => {
    anvil = await startAnvil();
    conn = await connect(anvil.rpcUrl);
  });
  afterAll(async () => {
    await anvil.stop();
  });

  it('waits for the relayer\'s pending batch, then sends only what it did not cover', async () => {
    const keys = loadKeys(5);
    const { ledger } = await deploy(conn, keys.deployer, { owner: keys.deployer.address, witnesses: keys.witnesses.map((w) => w.address), quorum: 3 });
    const derived = await deriveArchive(readFileSync(DEFAULT_ARCHIVE, 'utf8').split('\n').slice(0, 30).join('\n'), 'archive.jsonl');
    const plans = planSlots(keys.witnesses.map((witness) => ({ witness, headers: derived.observations.map((o) => o.header) })), 3);

    // An interrupted run's batch: the first 20 observations, sent and still in the mempool.
    await rpc(anvil, 'evm_setAutomine', [false]);
    const domain = ledgerDomain(conn.chain.id, ledger);
    const block = await conn.publicClient.getBlock();
    const deadline = block.timestamp + 3600n;
    const items = await Promise.all(
      plans.slice(0, 20).map(async (p) => ({
        header: p.agreed!.header,
        deadline,
        signatures: await Promise.all(keys.witnesses.slice(0, 3).map((w, i) => signSignOffDigest(w, signOffDigest(domain, p.agreed!.hash, deadline, i), i))),
      })),
    );
    const wallet = walletFor(conn, keys.deployer);
    await wallet.sendTransaction({ to: ledger, data: encodeFunctionData({ abi: observationLedgerAbi, functionName: 'submitSignOffBatch', args: [items] }), gas: 5_000_000n, chain: conn.chain });
    expect(await conn.publicClient.getTransactionCount({ address: keys.deployer.address, blockTag: 'pending' })).toBe(
      (await conn.publicClient.getTransactionCount({ address: keys.deployer.address, blockTag: 'latest' })) + 1,
    );

    // The resumed run starts while that batch is still pending.
    let waitedFor = 0;
    const resumed = submitRelayed(conn, keys.deployer, plans, { ledger, batchSize: 100, onInFlight: (n) => (waitedFor = n) });
    await new Promise((r) => setTimeout(r, 1500));
    expect(waitedFor).toBe(1);
    // Nothing new was sent while it waited.
    const pendingBlock = (await rpc(anvil, 'eth_getBlockByNumber', ['pending', false])) as { transactions: Hex[] };
    expect(pendingBlock.transactions).toHaveLength(1);

    await rpc(anvil, 'evm_setAutomine', [true]);
    await rpc(anvil, 'evm_mine');
    const report = await resumed;
    expect(report.alreadyFinal).toBe(20);
    expect(report.submitted).toBe(10);
    expect(report.transactions).toBe(1);
    const view = await readLedger(conn, ledger, plans);
    expect(view.finalized.size).toBe(30);
  });
});
