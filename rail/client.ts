// The rail client: connects to a chain, deploys the ledger and the rail deterministically, reads
// the ledger's state, and submits sign-offs. The local smoke and the Pulumi stack both use it; it
// has no Pulumi imports.
import {
  concatHex,
  encodeDeployData,
  encodeFunctionData,
  getContractAddress,
  keccak256,
  toHex,
  zeroAddress,
  type Address,
  type Hex,
} from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { observationLedgerAbi, observationLedgerBytecode, railAbi, railBytecode } from './contracts.js';
import { ChainError } from './errors.js';
import { describeError, sendTx } from './tx.js';
import { type RailConnection } from './connection.js';

/** The deterministic-deployment proxy: anvil ships it at genesis; OP Stack chains carry it as a
 *  preinstall. A CREATE2 address through it depends only on salt and init code. */
export const CREATE2_PROXY: Address = '0x4e59b44847b379578588920cA78FbF26c0B4956C';
export const DEFAULT_SALT: Hex = keccak256(toHex('every.channel observation rail v1'));

// -- Deterministic deployment --

export interface DeployParams {
  owner: Address;
  witnesses: Address[];
  quorum: number;
  /** Record finalized slots into the rail (ECP-0093's open question); off by default. */
  bridge?: boolean;
  salt?: Hex;
}

export interface DeployPlan {
  rail: { address: Address; initCode: Hex };
  ledger: { address: Address; initCode: Hex };
  salt: Hex;
}

/** The one member a ledger deployed for a witness set given later has: an address nobody holds a
 *  key for, so nothing can finalize before the set is brought in (`reconcileMembership`). The ledger's
 *  address then depends only on the deployer, the salt and bridging, never on the witnesses. */
export const PLACEHOLDER_WITNESS: Address = '0x000000000000000000000000000000000000dEaD';

/** Deploy parameters for a ledger whose witness set is managed in place (by address). */
export function setLaterParams(owner: Address, bridge?: boolean, salt?: Hex): DeployParams {
  return { owner, witnesses: [PLACEHOLDER_WITNESS], quorum: 1, bridge, salt };
}

/** The addresses, known before anything is deployed. */
export function planDeployment(p: DeployParams): DeployPlan {
  const salt = p.salt ?? DEFAULT_SALT;
  const railInit = encodeDeployData({ abi: railAbi, bytecode: railBytecode, args: [p.owner] });
  const railAddress = create2(salt, railInit);
  const ledgerInit = encodeDeployData({
    abi: observationLedgerAbi,
    bytecode: observationLedgerBytecode,
    args: [p.owner, p.witnesses, BigInt(p.quorum), p.bridge ? railAddress : zeroAddress],
  });
  return { salt, rail: { address: railAddress, initCode: railInit }, ledger: { address: create2(salt, ledgerInit), initCode: ledgerInit } };
}

function create2(salt: Hex, initCode: Hex): Address {
  return getContractAddress({ opcode: 'CREATE2', from: CREATE2_PROXY, salt, bytecode: initCode });
}

export interface DeployResult {
  chainId: number;
  ledger: Address;
  rail: Address;
  bridge: boolean;
  owner: Address;
  witnesses: Address[];
  quorum: number;
  /** What this run deployed or changed; empty when everything was already in place. */
  actions: string[];
}

/** Deploys the rail and the ledger through CREATE2 unless their code is already there, then makes
 *  sure the ledger may publish to the rail when bridging is on. A re-run deploys nothing. */
export async function deploy(conn: RailConnection, deployer: PrivateKeyAccount, p: DeployParams): Promise<DeployResult> {
  const pub = conn.publicClient;
  if (!(await pub.getCode({ address: CREATE2_PROXY }))) {
    throw new ChainError(
      `chain ${conn.chain.id}: no deterministic-deployment proxy at ${CREATE2_PROXY}. anvil has it by default and OP Stack chains carry it as a preinstall; deploy it first on other chains.`,
    );
  }
  const plan = planDeployment(p);
  const actions: string[] = [];
  const items = [['rail', plan.rail], ['ledger', plan.ledger]] as const;
  const missing = new Set<string>();
  for (const [name, item] of items) if (!(await pub.getCode({ address: item.address }))) missing.add(name);
  // The proxy swallows a constructor's revert data, so each creation is simulated first to name it:
  // all before anything is sent, except a bridging ledger whose rail is not there yet (its
  // constructor checks the rail's code), which is simulated right before it is sent.
  const simulate = async (name: string, initCode: Hex, sent: string) =>
    pub.call({ account: deployer.address, data: initCode }).catch((e: unknown) => {
      throw new ChainError(`deploying the ${name} would revert: ${describeError(e, name === 'ledger' ? observationLedgerAbi : railAbi)}. ${sent}`);
    });
  const ledgerWaitsForRail = Boolean(p.bridge) && missing.has('rail');
  for (const [name, item] of items) {
    if (missing.has(name) && !(name === 'ledger' && ledgerWaitsForRail)) await simulate(name, item.initCode, 'Nothing was sent.');
  }
  for (const [name, item] of items) {
    if (!missing.has(name)) continue;
    if (name === 'ledger' && ledgerWaitsForRail) await simulate(name, item.initCode, 'The rail was deployed; the ledger was not sent.');
    const receipt = await sendTx(conn, deployer, { to: CREATE2_PROXY, data: concatHex([plan.salt, item.initCode]) }, `deploying the ${name}`);
    if (!(await pub.getCode({ address: item.address }))) {
      throw new ChainError(`deploying the ${name} through ${CREATE2_PROXY} left no code at ${item.address} (transaction ${receipt.transactionHash}).`);
    }
    actions.push(`deployed ${name} at ${item.address}`);
  }
  if (p.bridge) {
    const allowed = await pub.readContract({ address: plan.rail.address, abi: railAbi, functionName: 'isPublisher', args: [plan.ledger.address] });
    if (!allowed) {
      await sendTx(
        conn,
        deployer,
        { to: plan.rail.address, data: encodeFunctionData({ abi: railAbi, functionName: 'setPublisher', args: [plan.ledger.address, true] }), abi: railAbi },
        'authorizing the ledger on the rail',
      );
      actions.push(`authorized the ledger as a rail publisher`);
    }
  }
  return {
    chainId: conn.chain.id,
    ledger: plan.ledger.address,
    rail: plan.rail.address,
    bridge: Boolean(p.bridge),
    owner: p.owner,
    witnesses: p.witnesses,
    quorum: p.quorum,
    actions,
  };
}

/** Refuses an address with no contract on this chain, naming it and the chain. */
export async function requireContract(conn: RailConnection, address: Address, what: string, fix: string): Promise<void> {
  const code = await conn.publicClient.getCode({ address });
  if (!code || code === '0x') throw new ChainError(`${what} ${address}: no contract there on chain ${conn.chain.id}. ${fix}`);
}

/** The block `address` got its code in: found by bisection over `eth_getCode` (about log2(head) reads),
 *  so witnesses and relayers can read the ledger's logs from there instead of from block 0. A node that
 *  does not serve old state (pruned) gives an earlier block, 0 at worst, never one after the deployment:
 *  reading from too early costs time, from too late loses logs. */
export async function deployBlockOf(conn: RailConnection, address: Address): Promise<bigint> {
  const pub = conn.publicClient;
  const head = await pub.getBlockNumber();
  const hasCode = async (block: bigint) => {
    try {
      const code = await pub.getCode({ address, blockNumber: block });
      return code !== undefined && code !== '0x';
    } catch {
      // Historical state not served: count it as "had code", so the answer can only move earlier.
      return true;
    }
  };
  if (!(await hasCode(head))) throw new ChainError(`${address}: no contract there on chain ${conn.chain.id} at block ${head}.`);
  let lo = 0n;
  let hi = head;
  while (lo < hi) {
    const mid = (lo + hi) / 2n;
    if (await hasCode(mid)) hi = mid;
    else lo = mid + 1n;
  }
  return lo;
}
