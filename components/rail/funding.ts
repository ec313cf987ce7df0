// L2 gas for the rail's accounts on a fresh OP Stack chain: accounts below a minimum balance are
// topped up with L1→L2 ETH deposits through the chain's OptimismPortal, then the L2 is watched until
// the deposits arrive (op-node derives them from L1, usually within a few minutes).
import { encodeFunctionData, formatEther, parseAbi, type Address } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import type { RailConnection } from './client.js';
import { sendTx, waitForInFlight } from './tx.js';
import { ChainError, UsageError } from './errors.js';

/** OptimismPortal2's deposit entry point (packages/contracts-bedrock/src/L1/OptimismPortal2.sol). */
export const optimismPortalAbi = parseAbi([
  'function depositTransaction(address _to, uint256 _value, uint64 _gasLimit, bool _isCreation, bytes _data) payable',
]);

/** L2 gas for a plain ETH deposit to an account; well above the portal's 21,000 floor. */
export const DEPOSIT_GAS_LIMIT = 100_000n;

export interface FundingOptions {
  /** OptimismPortalProxy on L1. */
  portal: Address;
  /** Accounts holding less than this on L2 are topped up… */
  minBalance: bigint;
  /** …to this much. */
  topUpTo: bigint;
  /** How long to wait for the deposits to arrive on L2. A re-run while a deposit is still on its way
   *  may deposit again; the extra ETH lands in the same account. */
  timeoutMs?: number;
  pollMs?: number;
  onWait?: (pending: Address[]) => void;
}

export interface Deposit {
  to: Address;
  value: bigint;
  l1Transaction: `0x${string}`;
}

export async function fundOnL2(
  l1: RailConnection,
  l2: RailConnection,
  funder: PrivateKeyAccount,
  accounts: Address[],
  opts: FundingOptions,
): Promise<Deposit[]> {
  if (opts.topUpTo < opts.minBalance) throw new UsageError(`funding: topUpTo (${formatEther(opts.topUpTo)} ETH) is below minBalance (${formatEther(opts.minBalance)} ETH).`);
  // A deposit an interrupted run still has in L1's mempool lands before balances are read.
  await waitForInFlight(l1, funder.address);
  const unique = [...new Set(accounts)];
  const balances = await Promise.all(unique.map((a) => l2.publicClient.getBalance({ address: a })));
  const short = unique.map((a, i) => ({ to: a, before: balances[i]! })).filter((x) => x.before < opts.minBalance);
  if (short.length === 0) return [];

  const total = short.reduce((sum, x) => sum + (opts.topUpTo - x.before), 0n);
  const l1Balance = await l1.publicClient.getBalance({ address: funder.address });
  if (l1Balance < total) {
    throw new ChainError(
      `funding: ${funder.address} holds ${formatEther(l1Balance)} ETH on L1 (chain ${l1.chain.id}) but the deposits need ${formatEther(total)} ETH plus L1 gas; send it more Sepolia ETH.`,
    );
  }
  const deposits: Deposit[] = [];
  for (const x of short) {
    const value = opts.topUpTo - x.before;
    const receipt = await sendTx(
      l1,
      funder,
      {
        to: opts.portal,
        value,
        data: encodeFunctionData({ abi: optimismPortalAbi, functionName: 'depositTransaction', args: [x.to, value, DEPOSIT_GAS_LIMIT, false, '0x'] }),
        abi: optimismPortalAbi,
      },
      `depositing ${formatEther(value)} ETH to ${x.to} through ${opts.portal}`,
    );
    deposits.push({ to: x.to, value, l1Transaction: receipt.transactionHash });
  }

  const deadline = Date.now() + (opts.timeoutMs ?? 15 * 60_000);
  const expected = new Map(short.map((x) => [x.to, x.before + (opts.topUpTo - x.before)]));
  for (;;) {
    const pending: Address[] = [];
    for (const [to, want] of expected) {
      if ((await l2.publicClient.getBalance({ address: to })) < want) pending.push(to);
    }
    if (pending.length === 0) return deposits;
    if (Date.now() > deadline) {
      throw new ChainError(
        `funding: deposits to ${pending.join(', ')} have not arrived on L2 (chain ${l2.chain.id}) after ${Math.round((opts.timeoutMs ?? 900_000) / 1000)} s. ` +
          `Check that op-node is deriving from L1 (its safe head moves) and re-run: accounts already funded are skipped.`,
      );
    }
    opts.onWait?.(pending);
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 5000));
  }
}
