// Funding on L2 through L1 deposits, with two anvils: "L1" holds a test double of the portal, and
// the test plays op-node by crediting each requested deposit on "L2".
import { readFileSync } from 'node:fs';
import { createTestClient, http, parseAbiItem, parseEther, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKeys } from '../../smoke/keys.js';
import { startAnvil, type Anvil } from './anvil.js';
import { connect, wallet, type RailConnection } from './client.js';
import { fundOnL2 } from './funding.js';

const portalArtifact = JSON.parse(readFileSync('contracts/out/OptimismPortalDouble.sol/OptimismPortalDouble.json', 'utf8')) as {
  bytecode: { object: Hex };
};
const depositEvent = parseAbiItem('event DepositRequested(address indexed from, address indexed to, uint256 value, uint64 gasLimit)');

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
    const hash = await wallet(l1, funder).deployContract({ abi: [], bytecode: portalArtifact.bytecode.object });
    portal = (await l1.publicClient.waitForTransactionReceipt({ hash })).contractAddress!;
  });
  afterAll(async () => {
    await Promise.all([l1Anvil.stop(), l2Anvil.stop()]);
  });

  /** Plays op-node: credits every deposit the portal double records, after a short delay. */
  function relayDeposits(): () => void {
    const l2Test = createTestClient({ chain: l2.chain, transport: http(l2Anvil.rpcUrl), mode: 'anvil' });
    return l1.publicClient.watchEvent({
      address: portal,
      event: depositEvent,
      pollingInterval: 100,
      onLogs: async (logs) => {
        for (const log of logs) {
          const to = log.args.to!;
          const before = await l2.publicClient.getBalance({ address: to });
          await new Promise((r) => setTimeout(r, 300));
          await l2Test.setBalance({ address: to, value: before + log.args.value! });
        }
      },
    });
  }

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

  it('refuses when the funder cannot pay for the deposits on L1, naming its address and balance', async () => {
    const broke = privateKeyToAccount(`0x${'c1'.repeat(32)}`);
    await expect(
      fundOnL2(l1, l2, broke, [privateKeyToAccount(`0x${'c2'.repeat(32)}`).address], { portal, minBalance: 1n, topUpTo: parseEther('1') }),
    ).rejects.toThrow(`funding: ${broke.address} holds 0 ETH on L1 (chain 11155111) but the deposits need 1 ETH plus L1 gas; send it more Sepolia ETH.`);
  });
});
