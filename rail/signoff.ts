// EIP-712 sign-offs: what a witness signs so that anyone can relay its sign-off to the ledger.
// The ledger (contracts/src/EveryChannelObservationLedger.sol) checks the same domain and type.
import {
  concatHex,
  getTypesForEIP712Domain,
  hashDomain,
  hashStruct,
  hashTypedData,
  keccak256,
  parseSignature,
  signatureToCompactSignature,
  type Address,
  type Hex,
} from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';

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

/** signOffDigest for many observations under one domain: the domain separator is hashed once. */
export function signOffDigester(domain: LedgerDomain): (observationHash: Hex, deadline: bigint, witnessIndex: number) => Hex {
  const separator = hashDomain({ domain: { ...domain }, types: { EIP712Domain: getTypesForEIP712Domain({ domain }) } } as Parameters<typeof hashDomain>[0]);
  return (observationHash, deadline, witnessIndex) =>
    keccak256(
      concatHex([
        '0x1901',
        separator,
        hashStruct({ data: { observationHash, deadline, witnessIndex }, primaryType: 'ObservationSignOff', types: SIGN_OFF_TYPES }),
      ]),
    );
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
