// ECDSA over secp256k1 as the ledger sees it, in libsecp256k1 (tiny-secp256k1's WebAssembly build,
// about 2.5x faster to recover and 3x faster to sign than the pure-JS curve viem uses). Signing is
// RFC 6979, so a digest signed here gives the same bytes as viem's `sign` (secp.test.ts checks it).
import { recover, signRecoverable } from 'tiny-secp256k1';
import type { Hex } from 'viem';

/** Half the secp256k1 group order: the largest s the ledger accepts (EIP-2). */
const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

/** A signature as the recovery takes it: (r ‖ s) and the recovery id (the parity of R's y). */
export interface SplitSignature {
  rs: Uint8Array;
  recoveryId: 0 | 1;
}

const HEX32 = /^0x[0-9a-fA-F]{64}$/;

/** (r ‖ s, recovery id) of a 65-byte signature (v as 27/28 or 0/1), or null when it is not one or
 *  its s is in the upper half (which the ledger refuses). */
export function splitSignature(signature: Hex): SplitSignature | null {
  if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) return null;
  const v = parseInt(signature.slice(130, 132), 16);
  const recoveryId = v === 27 || v === 0 ? 0 : v === 28 || v === 1 ? 1 : -1;
  if (recoveryId < 0 || BigInt(`0x${signature.slice(66, 130)}`) > HALF_N) return null;
  return { rs: Buffer.from(signature.slice(2, 130), 'hex'), recoveryId: recoveryId as 0 | 1 };
}

/** (r ‖ s, recovery id) of an EIP-2098 compact signature (r, yParity|s), as votes travel, or null. */
export function splitCompact(r: Hex, vs: Hex): SplitSignature | null {
  if (!HEX32.test(r) || !HEX32.test(vs)) return null;
  const rs = Buffer.from(`${r.slice(2)}${vs.slice(2)}`, 'hex');
  const recoveryId = rs[32]! >> 7;
  rs[32] = rs[32]! & 0x7f;
  if (BigInt(`0x${rs.subarray(32).toString('hex')}`) > HALF_N) return null;
  return { rs, recoveryId: recoveryId as 0 | 1 };
}

/** The uncompressed public key (65 bytes) that `sig` over `digest` recovers to, or null when it
 *  recovers to none (r or s zero or not below the order, r not on the curve). */
export function recoverKey(digest: Hex, sig: SplitSignature): Uint8Array | null {
  try {
    return recover(Buffer.from(digest.slice(2), 'hex'), sig.rs, sig.recoveryId, false);
  } catch {
    return null;
  }
}

/** `key`'s signature over `digest`, 65 bytes as viem's `sign` gives it (r ‖ s ‖ v, v = 27 + parity). */
export function signDigest(digest: Hex, key: Hex): Hex {
  const { signature, recoveryId } = signRecoverable(Buffer.from(digest.slice(2), 'hex'), Buffer.from(key.slice(2), 'hex'));
  return `0x${Buffer.from(signature).toString('hex')}${(27 + recoveryId).toString(16)}`;
}
