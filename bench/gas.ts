// Whole-transaction gas per finalized observation, from anvil receipts (21,000 base and calldata
// included), for each sign-off mode. Run through `npm run bench` (bench/index.ts).
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  http,
  keccak256,
  toHex,
  zeroAddress,
  type Address,
  type Hex,
  type PublicClient,
} from 'viem';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { observationLedgerAbi, observationLedgerBytecode } from '../rail/contracts.js';
import { observationHash, type ObservationHeader } from '../rail/observation.js';
import { ledgerDomain, signSignOff, type WitnessSignature } from '../rail/signoff.js';

/** Targets per finalized observation, from the issue (about 1.08x the floor). */
export const GAS_TARGETS = {
  witnessTx: { k3: 165_000 },
  relayed: { k3: 80_000 },
  relayedBatch10: { k3: 50_000 },
  relayedBatch100: { k3: 46_000 },
} as const;

export interface GasResult {
  witnessTx: { k2: number; k3: number };
  relayed: { k2: number; k3: number };
  relayedBatch10: { k3: number };
  relayedBatch100: { k3: number };
  /** New storage words written per finalized observation (from a state-diff trace). */
  storageSlotsPerObservation: number;
  hardfork: string;
  /** Witness-set size per quorum: a quorum must be a strict majority, so k=2 runs with n=3. */
  witnesses: { k2: number; k3: number };
}

const SAMPLES = 5;

function benchKey(label: string): Hex {
  return keccak256(toHex(`ecp-forge bench key ${label}`));
}

interface Deployment {
  ledger: Address;
  witnesses: PrivateKeyAccount[];
  chainId: number;
}

export async function measureGas(rpcUrl: string, hardfork: string): Promise<GasResult> {
  const transport = http(rpcUrl);
  const chain = { ...foundry, id: await createPublicClient({ transport }).getChainId() };
  const pub = createPublicClient({ chain, transport }) as PublicClient;
  const test = createTestClient({ chain, transport, mode: 'anvil' });
  const deployer = privateKeyToAccount(benchKey('deployer'));
  const relayer = privateKeyToAccount(benchKey('relayer'));
  const fund = async (a: Address) => test.setBalance({ address: a, value: 10n ** 24n });
  await fund(deployer.address);
  await fund(relayer.address);

  const deploy = async (n: number, k: number, label: string): Promise<Deployment> => {
    const witnesses = Array.from({ length: n }, (_, i) => privateKeyToAccount(benchKey(`${label} witness ${i}`)));
    await Promise.all(witnesses.map((w) => fund(w.address)));
    const wallet = createWalletClient({ chain, transport, account: deployer });
    const ledTx = await wallet.deployContract({
      abi: observationLedgerAbi,
      bytecode: observationLedgerBytecode,
      args: [deployer.address, witnesses.map((w) => w.address), BigInt(k), zeroAddress],
    });
    const ledger = (await pub.waitForTransactionReceipt({ hash: ledTx })).contractAddress!;
    return { ledger, witnesses, chainId: chain.id };
  };

  const chainOf = (label: string, count: number): ObservationHeader[] => {
    const streamHash = keccak256(toHex(`bench/${label}`));
    const out: ObservationHeader[] = [];
    let parent: Hex = `0x${'00'.repeat(32)}`;
    for (let i = 0; i < count; i++) {
      const h: ObservationHeader = {
        streamHash,
        epochHash: keccak256(toHex(`bench/${label}/epoch/${i}`)),
        parentObservationHash: parent,
        dataRoot: keccak256(toHex(`bench/${label}/data/${i}`)),
        locatorHash: keccak256(toHex(`bench/${label}/locator/${i}`)),
        observedUnixMs: 1_790_000_000_000n + BigInt(i) * 6000n,
        sequence: BigInt(i),
      };
      out.push(h);
      parent = observationHash(h);
    }
    return out;
  };

  const deadline = BigInt(Math.floor(Date.now() / 1000) + 3600);
  const sign = async (d: Deployment, h: ObservationHeader, k: number): Promise<WitnessSignature[]> => {
    const domain = ledgerDomain(d.chainId, d.ledger);
    // The bench ledgers register their witnesses in this order, so witness i holds index i.
    return Promise.all(d.witnesses.slice(0, k).map((w, i) => signSignOff(w, domain, observationHash(h), deadline, i)));
  };

  const gasOf = async (hash: Hex): Promise<bigint> => {
    const receipt = await pub.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new Error(`bench transaction ${hash} reverted`);
    return receipt.gasUsed;
  };

  const relay = async (d: Deployment, h: ObservationHeader, k: number) => {
    const wallet = createWalletClient({ chain, transport, account: relayer });
    return wallet.writeContract({
      address: d.ledger,
      abi: observationLedgerAbi,
      functionName: 'submitSignOffs',
      args: [h, deadline, await sign(d, h, k)],
    });
  };

  // Each scenario runs on its own deployment and stream; observation 0 (the stream's first, which
  // also creates its head word) is finalized first and not measured: steady state is what repeats.
  const witnessTx = async (k: number, n: number): Promise<number> => {
    const d = await deploy(n, k, `witnessTx k${k}`);
    const headers = chainOf(`witnessTx-k${k}`, SAMPLES + 1);
    await gasOf(await relay(d, headers[0]!, k));
    let total = 0n;
    for (const h of headers.slice(1)) {
      for (const w of d.witnesses.slice(0, k)) {
        const wallet = createWalletClient({ chain, transport, account: w });
        total += await gasOf(await wallet.writeContract({ address: d.ledger, abi: observationLedgerAbi, functionName: 'signOff', args: [h] }));
      }
    }
    return Number(total / BigInt(SAMPLES));
  };

  const relayed = async (k: number, n: number): Promise<number> => {
    const d = await deploy(n, k, `relayed k${k}`);
    const headers = chainOf(`relayed-k${k}`, SAMPLES + 1);
    await gasOf(await relay(d, headers[0]!, k));
    let total = 0n;
    for (const h of headers.slice(1)) total += await gasOf(await relay(d, h, k));
    return Number(total / BigInt(SAMPLES));
  };

  const batch = async (size: number, k: number, n: number): Promise<{ perObservation: number; txHash: Hex }> => {
    const d = await deploy(n, k, `batch${size} k${k}`);
    const headers = chainOf(`batch${size}-k${k}`, size + 1);
    await gasOf(await relay(d, headers[0]!, k));
    const items = await Promise.all(headers.slice(1).map(async (header) => ({ header, deadline, signatures: await sign(d, header, k) })));
    const wallet = createWalletClient({ chain, transport, account: relayer });
    const txHash = await wallet.writeContract({ address: d.ledger, abi: observationLedgerAbi, functionName: 'submitSignOffBatch', args: [items] });
    return { perObservation: Number((await gasOf(txHash)) / BigInt(size)), txHash };
  };

  const k2n = 3;
  const k3n = 5;
  const b10 = await batch(10, 3, k3n);
  const b100 = await batch(100, 3, k3n);
  return {
    witnessTx: { k2: await witnessTx(2, k2n), k3: await witnessTx(3, k3n) },
    relayed: { k2: await relayed(2, k2n), k3: await relayed(3, k3n) },
    relayedBatch10: { k3: b10.perObservation },
    relayedBatch100: { k3: b100.perObservation },
    storageSlotsPerObservation: (await newStorageWords(pub, b10.txHash)) / 10,
    hardfork,
    witnesses: { k2: k2n, k3: k3n },
  };
}

/** Storage words that went from zero to non-zero in `txHash`, from a prestateTracer diff. */
async function newStorageWords(pub: PublicClient, txHash: Hex): Promise<number> {
  type Account = { storage?: Record<string, Hex> };
  const trace = (await pub.request({
    method: 'debug_traceTransaction' as never,
    params: [txHash, { tracer: 'prestateTracer', tracerConfig: { diffMode: true } }] as never,
  })) as { pre: Record<string, Account>; post: Record<string, Account> };
  let created = 0;
  for (const [address, post] of Object.entries(trace.post)) {
    for (const [slot, value] of Object.entries(post.storage ?? {})) {
      const before = trace.pre[address]?.storage?.[slot];
      const wasZero = before === undefined || BigInt(before) === 0n;
      if (wasZero && BigInt(value) !== 0n) created++;
    }
  }
  return created;
}
