// Keys for the CLI. On a dev chain the well-known anvil accounts are used; anywhere else keys come
// from the environment, or for the long-running processes from a file only their owner can read
// (--key-file), and are never printed.
import { closeSync, constants, fchmodSync, fstatSync, fsyncSync, openSync, readSync, realpathSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Hex } from 'viem';
import { InputError, printable, UsageError } from './errors.js';
import { generatePrivateKey, mnemonicToAccount, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { signDigest } from './protocol/secp.js';

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
  return signingAccount(devKey(index));
}

/** viem's account for `key`, whose `sign` (a digest: votes and proposals, many per second in a
 *  witness) runs in libsecp256k1. Its signatures are the same bytes as viem's own (RFC 6979). */
export function signingAccount(key: Hex): PrivateKeyAccount {
  const account = privateKeyToAccount(key);
  return { ...account, sign: async ({ hash }) => signDigest(hash, key) };
}

function parseKey(name: string, value: string): PrivateKeyAccount {
  const v = value.trim();
  if (!/^0x[0-9a-fA-F]{64}$/.test(v)) {
    throw new InputError(`${name}: expected a private key as 0x followed by 64 hex digits (the value is not shown).`);
  }
  return signingAccount(v as Hex);
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

/** One key from the environment variable `name` for a long-running process. The anvil dev keys are
 *  refused on any chain that is not a dev chain unless `allowDevKeys`. */
export function loadProcessKey(name: string, chainId: number, allowDevKeys: boolean, env: NodeJS.ProcessEnv = process.env): PrivateKeyAccount {
  const value = env[name];
  if (!value) throw new UsageError(`${name} is not set: this process signs with the key in ${name} (0x and 64 hex digits), kept out of the command line.`);
  return refuseDevKey(parseKey(name, value), name, chainId, allowDevKeys);
}

/** The key of a witness or relayer, read before anything touches the chain: from `keyFile`
 *  (--key-file) when given, else from the environment variable `name`; never both. `source` names
 *  where it came from, for messages; pass both to refuseDevKey once the chain id is known. */
export function readProcessKey(name: string, keyFile: string | undefined, env: NodeJS.ProcessEnv = process.env): { account: PrivateKeyAccount; source: string } {
  if (keyFile === undefined) {
    const value = env[name];
    if (!value) {
      throw new UsageError(
        `${name} is not set and no --key-file is given: this process signs with the key in ${name} (0x and 64 hex digits), or in the file --key-file PATH (mode 0400), kept out of the command line.`,
      );
    }
    return { account: parseKey(name, value), source: name };
  }
  if (env[name]) throw new UsageError(`${name} is set and --key-file ${printable(keyFile)} is given: give the key one way only (unset ${name}, or drop --key-file).`);
  return { account: signingAccount(readKeyFile(keyFile, env)), source: `--key-file ${printable(keyFile)}` };
}

/** Refuses an anvil dev key (from `source`) on a chain that is not a dev chain, unless `allowDevKeys`. */
export function refuseDevKey(account: PrivateKeyAccount, source: string, chainId: number, allowDevKeys: boolean): PrivateKeyAccount {
  if (!allowDevKeys && !DEV_CHAIN_IDS.includes(chainId) && isDevAccount(account.address)) {
    throw new UsageError(`${source} holds an anvil dev key, which everyone knows, and chain ${chainId} is not a dev chain. Use a key of your own, or --allow-dev-keys on a throwaway chain.`);
  }
  return account;
}

/** Mode bits a key file may not have: any access for its group or for others. */
const SHARED_MODE_BITS = 0o077;
/** A key file holds 66 characters and perhaps a newline; anything much larger is not a key file. */
const MAX_KEY_FILE_BYTES = 4096;

/** True when `file` lies in systemd's credentials directory ($CREDENTIALS_DIRECTORY, LoadCredential=).
 *  systemd makes that directory readable by the unit's user only; a credential it grants through an
 *  ACL shows group bits in its mode, which are the ACL's mask, not access for a group. */
function inCredentialsDirectory(file: string, env: NodeJS.ProcessEnv): boolean {
  const dir = env.CREDENTIALS_DIRECTORY;
  if (!dir) return false;
  try {
    const real = realpathSync(file);
    const realDir = realpathSync(dir);
    return path.dirname(real) === realDir;
  } catch {
    return false;
  }
}

/** The private key in `file` (--key-file): one line, 0x and 64 hex digits. Refused when the file's
 *  group or others may access it, unless systemd put it in the unit's credentials directory. The
 *  key is never part of an error message. */
export function readKeyFile(file: string, env: NodeJS.ProcessEnv = process.env): Hex {
  const name = `--key-file ${printable(file)}`;
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO given by mistake is refused below instead of hanging the start.
    fd = openSync(file, constants.O_RDONLY | constants.O_NOCTTY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    const hint =
      code === 'ENOENT'
        ? 'no such file; give the path of the witness host\'s key file (`rail keygen --out FILE` makes one)'
        : code === 'EACCES'
          ? 'permission denied; the file must be owned by the user this process runs as (or be passed by systemd with LoadCredential=)'
          : code;
    throw new InputError(`${name}: cannot open it (${hint}).`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new InputError(`${name}: not a regular file; give the file that holds the key.`);
    if ((st.mode & SHARED_MODE_BITS) !== 0 && !inCredentialsDirectory(file, env)) {
      const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
      throw new InputError(
        `${name}: its mode is ${mode}, so its group or others may read it. A key file must be readable by its owner only: run \`chmod 0400 ${printable(file)}\` ` +
          '(and if anyone else may have read it, make a new key and have it replace this one in the witness set).',
      );
    }
    if (st.size > MAX_KEY_FILE_BYTES) throw new InputError(`${name}: ${st.size} bytes, too large for a key file (expected 0x and 64 hex digits).`);
    const buf = Buffer.alloc(MAX_KEY_FILE_BYTES + 1);
    let length = 0;
    for (let n; (n = readSync(fd, buf, length, buf.length - length, null)) > 0; ) length += n;
    const text = buf.subarray(0, length).toString('utf8').trim();
    buf.fill(0);
    if (!/^0x[0-9a-fA-F]{64}$/.test(text)) {
      throw new InputError(`${name}: expected one private key, 0x followed by 64 hex digits (the content is not shown).`);
    }
    return text as Hex;
  } finally {
    closeSync(fd);
  }
}

/** Writes a fresh private key to `file` (rail keygen --out), mode 0400, never over an existing file,
 *  and returns its address. The key itself is only ever in that file. */
export function writeNewKeyFile(file: string): PrivateKeyAccount {
  const key = generatePrivateKey();
  const account = privateKeyToAccount(key);
  let fd: number;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o400);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'EEXIST'
        ? 'it already exists, and a key file is never overwritten; choose another path, or remove the old file first if its key is no longer a member'
        : code === 'ENOENT'
          ? `its directory ${printable(path.dirname(file))} does not exist; create it first (mkdir -m 0700)`
          : code === 'EACCES'
            ? `permission denied; run as a user who may write to ${printable(path.dirname(file))}`
            : (code ?? (e as Error).message);
    throw new InputError(`--out ${printable(file)}: cannot create it (${why}).`);
  }
  try {
    // 0400 whatever the umask: the owner may read it, nobody may change it by accident.
    fchmodSync(fd, 0o400);
    writeSync(fd, `${key}\n`);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(file);
    throw new InputError(`--out ${printable(file)}: cannot write it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); nothing was kept.`);
  }
  closeSync(fd);
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
