// Keys for the CLI. On a dev chain the well-known anvil accounts are used; anywhere else keys come
// from the environment and are never printed.
import type { Hex } from 'viem';
import { InputError, UsageError } from './errors.js';
import { mnemonicToAccount, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';

/** anvil's default mnemonic: its accounts are funded on every anvil and worthless elsewhere. */
const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk';

export interface Keys {
  deployer: PrivateKeyAccount;
  witnesses: PrivateKeyAccount[];
  source: 'anvil-dev-accounts' | 'environment';
}

/** The private key of anvil's dev account `index` (public knowledge: anvil's default mnemonic). */
export function devKey(index: number): Hex {
  const hd = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: index });
  return `0x${Buffer.from(hd.getHdKey().privateKey!).toString('hex')}` as Hex;
}

export function devAccount(index: number): PrivateKeyAccount {
  return privateKeyToAccount(devKey(index));
}

function parseKey(name: string, value: string): PrivateKeyAccount {
  const v = value.trim();
  if (!/^0x[0-9a-fA-F]{64}$/.test(v)) {
    throw new InputError(`${name}: expected a private key as 0x followed by 64 hex digits (the value is not shown).`);
  }
  return privateKeyToAccount(v as Hex);
}

/** ECP_DEPLOYER_KEY and ECP_WITNESS_KEYS (comma-separated) when set, else anvil's accounts 0 and 1..n. */
export function loadKeys(witnessCount: number, env: NodeJS.ProcessEnv = process.env): Keys {
  const deployerEnv = env.ECP_DEPLOYER_KEY;
  const witnessEnv = env.ECP_WITNESS_KEYS;
  if (deployerEnv || witnessEnv) {
    if (!deployerEnv || !witnessEnv) {
      throw new InputError('ECP_DEPLOYER_KEY and ECP_WITNESS_KEYS go together: set both, or neither to use the anvil dev accounts.');
    }
    const witnesses = witnessEnv.split(',').map((k, i) => parseKey(`ECP_WITNESS_KEYS[${i}]`, k));
    if (witnesses.length < witnessCount) {
      throw new InputError(`ECP_WITNESS_KEYS holds ${witnesses.length} keys but --witnesses is ${witnessCount}; add keys or lower --witnesses.`);
    }
    return { deployer: parseKey('ECP_DEPLOYER_KEY', deployerEnv), witnesses: witnesses.slice(0, witnessCount), source: 'environment' };
  }
  if (witnessCount > 19) throw new UsageError(`--witnesses ${witnessCount}: anvil's dev accounts allow at most 19 witnesses; set ECP_WITNESS_KEYS for more.`);
  return { deployer: devAccount(0), witnesses: Array.from({ length: witnessCount }, (_, i) => devAccount(i + 1)), source: 'anvil-dev-accounts' };
}

/** Chain ids where the anvil dev keys may sign: anvil's default. Anywhere else their transactions
 *  are signed with keys the whole world knows. */
export const DEV_CHAIN_IDS: readonly number[] = [31337];

/** Refuses to write with the anvil dev keys on a chain that is not a known dev chain, unless the
 *  operator says so. */
export function assertKeysFitChain(keys: Keys, chainId: number, allowDevKeys: boolean): void {
  if (keys.source !== 'anvil-dev-accounts' || allowDevKeys || DEV_CHAIN_IDS.includes(chainId)) return;
  throw new UsageError(
    `chain ${chainId} is not a dev chain (anvil's is ${DEV_CHAIN_IDS.join(', ')}), and no keys were given, so this would sign with the anvil dev keys, which everyone knows. ` +
      'Set ECP_DEPLOYER_KEY and ECP_WITNESS_KEYS, or pass --allow-dev-keys if this chain is a throwaway dev chain.',
  );
}

/** One key from the environment variable `name` for a long-running process (witness, relayer). The
 *  anvil dev keys are refused on any chain that is not a dev chain unless `allowDevKeys`. */
export function loadProcessKey(name: string, chainId: number, allowDevKeys: boolean, env: NodeJS.ProcessEnv = process.env): PrivateKeyAccount {
  const value = env[name];
  if (!value) throw new UsageError(`${name} is not set: this process signs with the key in ${name} (0x and 64 hex digits), kept out of the command line.`);
  const account = parseKey(name, value);
  if (!allowDevKeys && !DEV_CHAIN_IDS.includes(chainId) && isDevAccount(account.address)) {
    throw new UsageError(`${name} holds an anvil dev key, which everyone knows, and chain ${chainId} is not a dev chain. Use a key of your own, or --allow-dev-keys on a throwaway chain.`);
  }
  return account;
}

let devAddresses: Set<string> | undefined;
function isDevAccount(address: string): boolean {
  devAddresses ??= new Set(Array.from({ length: 20 }, (_, i) => devAccount(i).address.toLowerCase()));
  return devAddresses.has(address.toLowerCase());
}

/** The keys in the comma-separated variable `name` themselves, checked, for handing on to child
 *  processes through their environment (never a command line). At least `count`; the first `count`. */
export function keyList(name: string, count: number, env: NodeJS.ProcessEnv = process.env): Hex[] {
  const value = env[name];
  if (!value) throw new UsageError(`${name} is not set: give ${count} key(s), comma-separated (0x and 64 hex digits each), kept out of the command line.`);
  const keys = value.split(',').map((k, i) => {
    parseKey(`${name}[${i}]`, k);
    return k.trim() as Hex;
  });
  if (keys.length < count) throw new InputError(`${name} holds ${keys.length} keys but ${count} are needed; add keys or lower --witnesses.`);
  return keys.slice(0, count);
}
