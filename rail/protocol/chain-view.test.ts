// The chain view reads the ledger once per new block: a poll between blocks costs one call.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Address } from 'viem';
import { startAnvil, type Anvil } from '../anvil.js';
import { deploy } from '../client.js';
import { connect, type RailConnection } from '../connection.js';
import { loadKeys } from '../keys.js';
import { ChainView } from './chain-view.js';

describe('ChainView', () => {
  let anvil: Anvil;
  let conn: RailConnection;
  let ledger: Address;
  const keys = loadKeys(5);
  beforeAll(async () => {
    anvil = await startAnvil();
    conn = await connect(anvil.rpcUrl, { pollingIntervalMs: 50 });
    ledger = (await deploy(conn, keys.deployer, { owner: keys.deployer.address, witnesses: keys.witnesses.map((w) => w.address), quorum: 3 })).ledger;
  });
  afterAll(async () => {
    await anvil?.stop();
  });

  it('reads the membership and the logs only when a block has come since the last refresh', async () => {
    const view = new ChainView(conn, ledger, 0n);
    await view.refresh();
    expect(view.membership.quorum).toBe(3);
    expect(view.membership.addressOf.size).toBe(5);
    const reads = vi.spyOn(conn.publicClient, 'readContract');
    const logs = vi.spyOn(conn.publicClient, 'getLogs');
    const before = view.lastRefreshAt;
    await new Promise((r) => setTimeout(r, 5));
    expect(await view.refresh()).toEqual([]);
    expect(reads).not.toHaveBeenCalled();
    expect(logs).not.toHaveBeenCalled();
    expect(view.lastRefreshAt).toBeGreaterThan(before);
    await conn.publicClient.request({ method: 'evm_mine' } as never);
    await view.refresh();
    expect(reads).toHaveBeenCalledTimes(1);
    expect(logs).toHaveBeenCalledTimes(1);
    reads.mockRestore();
    logs.mockRestore();
  });
});
