// Test doubles for an OP Stack chain on two anvils: the OptimismPortal on "L1", the L1Block predeploy
// on "L2", and a relay that plays op-node, crediting each deposit on L2 and moving L2's L1 origin to
// the deposit's L1 block. Used by the funding and rail-step tests; nothing here runs on a real chain.
import { readFileSync } from 'node:fs';
import { createTestClient, decodeAbiParameters, http, pad, toHex, type Address, type Hex } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { wallet, type RailConnection } from '../connection.js';
import { L1_BLOCK_PREDEPLOY, optimismPortalAbi } from '../funding.js';

const artifact = (name: string) =>
  JSON.parse(readFileSync(`contracts/out/${name}.sol/${name}.json`, 'utf8')) as { bytecode: { object: Hex }; deployedBytecode: { object: Hex } };

/** Deploys the portal double on L1 and returns its address. */
export async function deployPortalDouble(l1: RailConnection, deployer: PrivateKeyAccount): Promise<Address> {
  const hash = await wallet(l1, deployer).deployContract({ abi: [], bytecode: artifact('OptimismPortalDouble').bytecode.object });
  return (await l1.publicClient.waitForTransactionReceipt({ hash })).contractAddress!;
}

/** Puts the L1Block double at the predeploy address on L2, with L1 origin `number`. */
export async function installL1Block(l2: RailConnection, number = 0n): Promise<void> {
  const test = createTestClient({ chain: l2.chain, transport: http(l2.rpcUrl), mode: 'anvil' });
  await test.setCode({ address: L1_BLOCK_PREDEPLOY, bytecode: artifact('L1BlockDouble').deployedBytecode.object });
  await setL1Origin(l2, number);
}

export async function setL1Origin(l2: RailConnection, number: bigint): Promise<void> {
  const test = createTestClient({ chain: l2.chain, transport: http(l2.rpcUrl), mode: 'anvil' });
  await test.setStorageAt({ address: L1_BLOCK_PREDEPLOY, index: 0, value: pad(toHex(number)) });
}

/** The ETH value a TransactionDeposited carries: opaqueData = mint ‖ value ‖ gasLimit ‖ isCreation ‖ data. */
export function depositedValue(opaqueData: Hex): bigint {
  const [value] = decodeAbiParameters([{ type: 'uint256' }], `0x${opaqueData.slice(2 + 64, 2 + 128)}`);
  return value;
}

/** Plays op-node: credits every deposit on L2 after `delayMs`, then moves L2's L1 origin to the
 *  deposit's L1 block. `hold()` true keeps deposits waiting (derivation stalled). Returns a stop. */
export function relayDeposits(l1: RailConnection, l2: RailConnection, portal: Address, opts: { delayMs?: number; hold?: () => boolean } = {}): () => void {
  const test = createTestClient({ chain: l2.chain, transport: http(l2.rpcUrl), mode: 'anvil' });
  const queue: { to: Address; value: bigint; l1Block: bigint }[] = [];
  let busy = false;
  const drain = async () => {
    if (busy) return;
    busy = true;
    try {
      while (queue.length && !opts.hold?.()) {
        const d = queue.shift()!;
        await new Promise((r) => setTimeout(r, opts.delayMs ?? 300));
        const before = await l2.publicClient.getBalance({ address: d.to });
        await test.setBalance({ address: d.to, value: before + d.value });
        await setL1Origin(l2, d.l1Block);
      }
    } finally {
      busy = false;
    }
  };
  const stopWatch = l1.publicClient.watchContractEvent({
    address: portal,
    abi: optimismPortalAbi,
    eventName: 'TransactionDeposited',
    pollingInterval: 100,
    onLogs: (logs) => {
      for (const log of logs) queue.push({ to: log.args.to!, value: depositedValue(log.args.opaqueData!), l1Block: log.blockNumber! });
      void drain();
    },
  });
  const timer = setInterval(() => void drain(), 100);
  return () => {
    stopWatch();
    clearInterval(timer);
  };
}
