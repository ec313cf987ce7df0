// Funding on L2 through L1 deposits, with two anvils: "L1" holds a test double of the portal, "L2" one
// of the L1Block predeploy, and the test plays op-node by crediting each deposit on "L2".
import { parseEther, type Address } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKeys } from './keys.js';
import { startAnvil, type Anvil } from './anvil.js';
import { connect, type RailConnection } from './connection.js';
import { fundOnL2, optimismPortalAbi } from './funding.js';
import { deployPortalDouble, installL1Block, relayDeposits as relay } from './testing/op-stack-doubles.js';

describe('fundOnL2', () => {
  let l1Anvil: Anvil;
  let l2Anvil: Anvil;
  let l1: RailConnection;
  let l2: RailConnection;
  let portal: Address;
  const funder = loadKeys(1).deployer;

  beforeAll(async () => {
    [l1Anvil, l2Anvil] = await Promise.all([startAnvil({ chainId: 11155111 }), startAnvil({ chainId: 16584 })]);
    [l1, l2] = await Promise.all([connect(l1Anvil.rpcUrl), connect(l2Anvil.rpcUrl)]);
    portal = await deployPortalDouble(l1, funder);
    await installL1Block(l2, await l1.publicClient.getBlockNumber());
  });
  afterAll(async () => {
    await Promise.all([l1Anvil.stop(), l2Anvil.stop()]);
  });

  const relayDeposits = (hold?: () => boolean) => relay(l1, l2, portal, { hold });

  it('tops up the accounts below the minimum and waits until the deposits arrive', async () => {
    const poor = [privateKeyToAccount(`0x${'a1'.repeat(32)}`).address, privateKeyToAccount(`0x${'a2'.repeat(32)}`).address];
    const stop = relayDeposits();
    try {
      const deposits = await fundOnL2(l1, l2, funder, [...poor, funder.address], {
        portal,
        minBalance: parseEther('0.05'),
        topUpTo: parseEther('0.2'),
        pollMs: 100,
        timeoutMs: 20_000,
      });
      // The funder is rich on this L2 (an anvil dev account), so only the two poor accounts get deposits.
      expect(deposits.map((d) => d.to)).toEqual(poor);
      expect(deposits.every((d) => d.value === parseEther('0.2'))).toBe(true);
      for (const a of poor) expect(await l2.publicClient.getBalance({ address: a })).toBe(parseEther('0.2'));
    } finally {
      stop();
    }
    // A re-run finds everyone funded and deposits nothing.
    expect(await fundOnL2(l1, l2, funder, poor, { portal, minBalance: parseEther('0.05'), topUpTo: parseEther('0.2') })).toEqual([]);
  });

  it('says which deposits did not arrive when nothing relays them', async () => {
    const poor = privateKeyToAccount(`0x${'b1'.repeat(32)}`).address;
    await expect(
      fundOnL2(l1, l2, funder, [poor], { portal, minBalance: 1n, topUpTo: parseEther('0.01'), pollMs: 100, timeoutMs: 500 }),
    ).rejects.toThrow(`funding: deposits to ${poor} have not arrived on L2 (chain 16584) after 1 s.`);
  });

  it('never sends a second deposit while the first is still on its way to L2', async () => {
    const poor = privateKeyToAccount(`0x${'d1'.repeat(32)}`).address;
    const opts = { portal, minBalance: parseEther('0.05'), topUpTo: parseEther('0.2'), pollMs: 100 };
    // Derivation is stalled: the first run deposits, then gives up waiting.
    let stalled = true;
    const stop = relayDeposits(() => stalled);
    try {
      await expect(fundOnL2(l1, l2, funder, [poor], { ...opts, timeoutMs: 500 })).rejects.toThrow(`deposits to ${poor} have not arrived`);
      // The re-run sees that deposit still on its way, sends nothing, and waits for it.
      let inTransit: Address[] = [];
      const rerun = fundOnL2(l1, l2, funder, [poor], { ...opts, timeoutMs: 20_000, onInTransit: (a) => (inTransit = a) });
      await new Promise((r) => setTimeout(r, 500));
      stalled = false;
      expect(await rerun).toEqual([]);
      expect(inTransit).toEqual([poor]);
    } finally {
      stop();
    }
    const deposits = await l1.publicClient.getContractEvents({ address: portal, abi: optimismPortalAbi, eventName: 'TransactionDeposited', args: { to: poor }, fromBlock: 0n });
    expect(deposits).toHaveLength(1);
    expect(await l2.publicClient.getBalance({ address: poor })).toBe(parseEther('0.2'));
  });

  it('refuses when the funder cannot pay for the deposits on L1, naming its address and balance', async () => {
    const broke = privateKeyToAccount(`0x${'c1'.repeat(32)}`);
    await expect(
      fundOnL2(l1, l2, broke, [privateKeyToAccount(`0x${'c2'.repeat(32)}`).address], { portal, minBalance: 1n, topUpTo: parseEther('1') }),
    ).rejects.toThrow(`funding: ${broke.address} holds 0 ETH on L1 (chain 11155111) but the deposits need 1 ETH plus L1 gas; send it more Sepolia ETH.`);
  });
});
