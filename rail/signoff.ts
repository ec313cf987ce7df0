// EIP-712 sign-offs: what a witness signs so that anyone can relay its sign-off to the ledger.
// The ledger (contracts/src/EveryChannelObservationLedger.sol) checks the same domain and type.
import {
  getTypesForEIP712Domain,
  hashDomain,
  hashTypedData,
  parseSignature,
  signatureToCompactSignature,
  type Address,
  type Hex,
} from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { bytes32, fromHex, keccak, keccakHex } from './archive/merkle.js';

/** The ledger's EIP-712 domain name and version (its constructor's EIP712(...) arguments). */
export const LEDGER_EIP712_NAME = 'EveryChannelObservationLedger';
export const LEDGER_EIP712_VERSION = '1';

/** ObservationSignOff(bytes32 observationHash,uint64 deadline,uint8 witnessIndex). The witness's
 *  registry index binds the signature to one membership: if the witness is removed, the signature
 *  never counts again, not even after the same address is added back (under a new index). */
export const SIGN_OFF_TYPES = {
  ObservationSignOff: [
    { name: 'observationHash', type: 'bytes32' },
    { name: 'deadline', type: 'uint64' },
    { name: 'witnessIndex', type: 'uint8' },
  ],
} as const;

export interface LedgerDomain {
  name: typeof LEDGER_EIP712_NAME;
  version: typeof LEDGER_EIP712_VERSION;
  chainId: number;
  verifyingContract: Address;
}

/** A relayed sign-off in the ledger's calldata form: the registry index the witness signed under, and
 *  EIP-2098 (r, yParity|s). The deadline it covers travels once per observation
 *  (submitSignOffs(header, deadline, signatures)). */
export interface WitnessSignature {
  witnessIndex: number;
  r: Hex;
  vs: Hex;
}

export function ledgerDomain(chainId: number, ledger: Address): LedgerDomain {
  return { name: LEDGER_EIP712_NAME, version: LEDGER_EIP712_VERSION, chainId, verifyingContract: ledger };
}

/** The digest witness `witnessIndex` signs: EIP-712 over ObservationSignOff(observationHash,
 *  deadline, witnessIndex). */
export function signOffDigest(domain: LedgerDomain, observationHash: Hex, deadline: bigint, witnessIndex: number): Hex {
  return hashTypedData({
    domain,
    types: SIGN_OFF_TYPES,
    primaryType: 'ObservationSignOff',
    message: { observationHash, deadline, witnessIndex },
  });
}

/** signOffDigest for many observations under one domain (structDigester). */
export function signOffDigester(domain: LedgerDomain): (observationHash: Hex, deadline: bigint, witnessIndex: number) => Hex {
  const digest = structDigester(domain, SIGN_OFF_TYPES, 'ObservationSignOff');
  return (observationHash, deadline, witnessIndex) => digest(observationHash, deadline, witnessIndex);
}

/** EIP-712 digests of one struct type whose fields are all bytes32 or uintN, under one domain: the
 *  domain separator and the type hash are hashed once, and each digest is two keccaks over 32-byte
 *  words (the WebAssembly keccak once loaded). Values go in the fields' order; one that does not fit
 *  its field is refused, as viem's encoder would. Equal to viem's hashTypedData (signoff.test.ts). */
export function structDigester(
  domain: LedgerDomain,
  types: Record<string, readonly { name: string; type: string }[]>,
  primaryType: string,
): (...values: (Hex | bigint | number)[]) => Hex {
  const fields = types[primaryType];
  if (!fields) throw new Error(`structDigester: no type ${primaryType}`);
  const bits = fields.map((f) => {
    if (f.type === 'bytes32') return 0;
    const m = /^uint(\d+)$/.exec(f.type);
    if (!m || Number(m[1]) % 8 !== 0 || Number(m[1]) < 8 || Number(m[1]) > 256) throw new Error(`structDigester: ${primaryType}.${f.name} is ${f.type}; only bytes32 and uintN fields are supported`);
    return Number(m[1]);
  });
  const typeHash = keccak(new TextEncoder().encode(`${primaryType}(${fields.map((f) => `${f.type} ${f.name}`).join(',')})`));
  const separator = fromHex(hashDomain({ domain: { ...domain }, types: { EIP712Domain: getTypesForEIP712Domain({ domain }) } } as Parameters<typeof hashDomain>[0]));
  return (...values) => {
    if (values.length !== fields.length) throw new Error(`${primaryType}: expected ${fields.length} values, got ${values.length}`);
    const struct = new Uint8Array(32 * (fields.length + 1));
    struct.set(typeHash, 0);
    values.forEach((v, i) => {
      const f = fields[i]!;
      if (bits[i] === 0) {
        struct.set(bytes32(String(v), `${primaryType}.${f.name}`), 32 * (i + 1));
        return;
      }
      const n = typeof v === 'string' || (typeof v === 'number' && !Number.isSafeInteger(v)) ? -1n : BigInt(v);
      if (n < 0n || n >= 1n << BigInt(bits[i]!)) throw new RangeError(`${primaryType}.${f.name}: ${String(v)} is not a ${f.type}`);
      struct.set(Buffer.from(n.toString(16).padStart(64, '0'), 'hex'), 32 * (i + 1));
    });
    const outer = new Uint8Array(66);
    outer[0] = 0x19;
    outer[1] = 0x01;
    outer.set(separator, 2);
    outer.set(keccak(struct), 34);
    return keccakHex(outer);
  };
}

/** Signs off on `observationHash` as `account`, the holder of registry index `witnessIndex`, valid
 *  until `deadline` (unix seconds). */
export async function signSignOff(
  account: PrivateKeyAccount,
  domain: LedgerDomain,
  observationHash: Hex,
  deadline: bigint,
  witnessIndex: number,
): Promise<WitnessSignature> {
  return signSignOffDigest(account, signOffDigest(domain, observationHash, deadline, witnessIndex), witnessIndex);
}

/** Signs a digest from `signOffDigest` made for `witnessIndex`. */
export async function signSignOffDigest(account: PrivateKeyAccount, digest: Hex, witnessIndex: number): Promise<WitnessSignature> {
  const compact = signatureToCompactSignature(parseSignature(await account.sign({ hash: digest })));
  return { witnessIndex, r: compact.r, vs: compact.yParityAndS };
}
