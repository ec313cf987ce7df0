// L2 gas for the rail's accounts on a fresh OP Stack chain: accounts below a minimum balance are
// topped up with L1→L2 ETH deposits through the chain's OptimismPortal, then the L2 is watched until
// the deposits arrive (op-node derives them from L1, usually within a few minutes).
import { encodeFunctionData, formatEther, parseAbi, type Address } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import type { RailConnection } from './connection.js';
import { sendTx, waitForInFlight } from './tx.js';
import { ChainError, UsageError } from './errors.js';

/** OptimismPortal2's deposit entry point and event (packages/contracts-bedrock/src/L1/OptimismPortal2.sol). */
export const optimismPortalAbi = parseAbi([
  'function depositTransaction(address _to, uint256 _value, uint64 _gasLimit, bool _isCreation, bytes _data) payable',
  'event TransactionDeposited(address indexed from, address indexed to, uint256 indexed version, bytes opaqueData)',
]);

/** The L1Block predeploy: `number()` is the L1 block the latest L2 block derives from (its L1 origin).
 *  A deposit made in a later L1 block has not reached L2 yet. */
export const L1_BLOCK_PREDEPLOY: Address = '0x4200000000000000000000000000000000000015';
export const l1BlockAbi = parseAbi(['function number() view returns (uint64)']);

/** L2 gas for a plain ETH deposit to an account; well above the portal's 21,000 floor. */
export const DEPOSIT_GAS_LIMIT = 100_000n;

export interface FundingOptions {
  /** OptimismPortalProxy on L1. */
  portal: Address;
  /** Accounts holding less than this on L2 are topped up… */
  minBalance: bigint;
  /** …to this much. */
  topUpTo: bigint;
  /** How long to wait for the deposits to arrive on L2. */
  timeoutMs?: number;
  pollMs?: number;
  onWait?: (pending: Address[]) => void;
  /** How many L1 blocks back to look for this funder's deposits that have not reached L2 yet
   *  (default 1,800: six hours of Sepolia). */
  inTransitLookbackBlocks?: bigint;
  /** Called with the accounts whose earlier deposit is still on its way: they get no second one. */
  onInTransit?: (accounts: Address[]) => void;
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
  const below = unique.map((a, i) => ({ to: a, before: balances[i]! })).filter((x) => x.before < opts.minBalance);
  if (below.length === 0) return [];
  // An earlier run's deposit that L1 has mined but L2 has not derived yet is still on its way: its
  // account waits for it instead of getting a second one.
  const inTransit = await depositsInTransit(l1, l2, funder.address, opts.portal, below.map((x) => x.to), opts.inTransitLookbackBlocks ?? 1800n);
  if (inTransit.size) opts.onInTransit?.([...inTransit]);
  const short = below.filter((x) => !inTransit.has(x.to));

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
  const expected = new Map<Address, bigint>(short.map((x) => [x.to, x.before + (opts.topUpTo - x.before)]));
  for (const to of inTransit) expected.set(to, opts.minBalance);
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

/** Accounts among `accounts` with a deposit from `funder` through `portal` in an L1 block newer than
 *  L2's L1 origin (L1Block.number()), within the last `lookback` L1 blocks. */
async function depositsInTransit(
  l1: RailConnection,
  l2: RailConnection,
  funder: Address,
  portal: Address,
  accounts: Address[],
  lookback: bigint,
): Promise<Set<Address>> {
  const [latest, origin] = await Promise.all([
    l1.publicClient.getBlockNumber(),
    l2.publicClient.readContract({ address: L1_BLOCK_PREDEPLOY, abi: l1BlockAbi, functionName: 'number' }),
  ]);
  const fromBlock = origin + 1n > latest - lookback ? origin + 1n : latest - lookback;
  if (fromBlock > latest) return new Set();
  const logs = await l1.publicClient.getLogs({
    address: portal,
    event: optimismPortalAbi[1],
    args: { from: funder, to: accounts },
    fromBlock,
    toBlock: latest,
  });
  return new Set(logs.map((l) => l.args.to!).filter((to) => accounts.includes(to)));
}
