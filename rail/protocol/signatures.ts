// Checking members' signatures, shared by the relayer (before it keeps a post) and the witness
// (before it believes anything a relayer says: a vote counts only with the signature that proves it).
// Every check asks one question: did member M (whose address the ledger names) sign this digest?
// The first signature of a member is recovered (ecrecover's math) and, when it recovers to the
// member's address, the member's public key is kept with a precomputed multiplication table. Every
// later signature of that member is checked against the key: R = u1·G + u2·P must be the signature's
// own R (its x equal to r, its y parity the signature's), which holds exactly when ecrecover would
// return P, at about a quarter of a recovery's cost. Each (digest, signature, member) is checked once
// and remembered under what it is made of (candidate hash, deadline, index, signature, member), so a
// signature re-posted or re-read costs a map lookup, without hashing its digest again.
import { secp256k1 } from '@noble/curves/secp256k1';
import { invert, mod } from '@noble/curves/abstract/modular';
import { compactSignatureToSignature, hexToBigInt, recoverPublicKey, serializeSignature, type Address, type Hex } from 'viem';
import { publicKeyToAddress } from 'viem/accounts';
import type { LedgerDomain } from '../signoff.js';
import { signOffDigester } from '../signoff.js';
import { proposalDigest } from './candidate.js';

/** A member's vote as relayers carry it: its index, the deadline it signed, and (r, yParity|s). */
export interface SignedVote {
  witnessIndex: number;
  deadline: bigint;
  r: Hex;
  vs: Hex;
}

type Point = InstanceType<typeof secp256k1.ProjectivePoint>;
const N = secp256k1.CURVE.n;
const G = secp256k1.ProjectivePoint.BASE;

/** (r, s, yParity) of a 65-byte signature (v as 27/28 or 0/1), or null when it is not one. */
export function splitSignature(signature: Hex): { r: bigint; s: bigint; yParity: number } | null {
  if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) return null;
  const v = parseInt(signature.slice(130, 132), 16);
  const yParity = v === 27 || v === 0 ? 0 : v === 28 || v === 1 ? 1 : -1;
  if (yParity < 0) return null;
  return { r: hexToBigInt(`0x${signature.slice(2, 66)}`), s: hexToBigInt(`0x${signature.slice(66, 130)}`), yParity };
}

/** Whether (r, s, yParity) over `digest` is the signature of the key P: exactly when ecrecover would
 *  return P (R = s⁻¹·h·G + s⁻¹·r·P has x = r and the signature's y parity). */
export function verifiedBy(digest: Hex, sig: { r: bigint; s: bigint; yParity: number }, P: Point): boolean {
  const { r, s, yParity } = sig;
  if (r <= 0n || r >= N || s <= 0n || s >= N) return false;
  const h = mod(hexToBigInt(digest), N);
  const w = invert(s, N);
  const u1 = mod(h * w, N);
  const u2 = mod(r * w, N);
  const sum = (u1 === 0n ? secp256k1.ProjectivePoint.ZERO : G.multiply(u1)).add(P.multiply(u2));
  if (sum.equals(secp256k1.ProjectivePoint.ZERO)) return false;
  const R = sum.toAffine();
  return R.x === r && Number(R.y & 1n) === yParity;
}

export class SignatureCheck {
  private readonly seen = new Map<string, boolean>();
  /** Members' public keys by address, each with its multiplication table. */
  private readonly keys = new Map<Address, Point>();
  private readonly voteDigest: (hash: Hex, deadline: bigint, index: number) => Hex;
  /** Signatures recovered (a member's first), and checked against a known key (the rest). */
  recovered = 0;
  verified = 0;

  constructor(
    readonly domain: LedgerDomain,
    /** How many checks to remember (the oldest go first). */
    readonly remember = 100_000,
  ) {
    this.voteDigest = signOffDigester(domain);
  }

  /** Whether `signature` (65 bytes) over `digest` is `member`'s (false when it is malformed). */
  signedBy(digest: Hex, signature: Hex, member: Address | undefined): Promise<boolean> {
    return this.check(`${digest}${signature}${member}`, () => digest, signature, member);
  }

  /** The check behind every question, remembered under `key` (which names everything the digest is
   *  made of), so a repeat neither hashes nor verifies. */
  private async check(key: string, digestOf: () => Hex, signature: Hex, member: Address | undefined): Promise<boolean> {
    if (member === undefined) return false;
    const known = this.seen.get(key);
    if (known !== undefined) return known;
    const digest = digestOf();
    let ok = false;
    const sig = splitSignature(signature);
    const P = this.keys.get(member);
    if (sig && P) {
      ok = verifiedBy(digest, sig, P);
      this.verified++;
    } else if (sig) {
      try {
        const pub = await recoverPublicKey({ hash: digest, signature });
        ok = publicKeyToAddress(pub) === member;
        if (ok) this.keys.set(member, secp256k1.utils.precompute(8, secp256k1.ProjectivePoint.fromHex(pub.slice(2))));
      } catch {
        ok = false;
      }
      this.recovered++;
    }
    this.seen.set(key, ok);
    if (this.seen.size > this.remember) this.seen.delete(this.seen.keys().next().value!);
    return ok;
  }

  /** Whether this vote on `hash` is `member`'s. */
  isVoteBy(hash: Hex, v: SignedVote, member: Address | undefined): Promise<boolean> {
    const key = `v${hash}${v.deadline}.${v.witnessIndex}${v.r}${v.vs}${member}`;
    if (this.seen.has(key)) return Promise.resolve(this.seen.get(key)!);
    let sig: Hex;
    try {
      sig = serializeSignature(compactSignatureToSignature({ r: v.r, yParityAndS: v.vs }));
    } catch {
      return Promise.resolve(false);
    }
    return this.check(key, () => this.voteDigest(hash, v.deadline, v.witnessIndex), sig, member);
  }

  /** Whether this proposal of `hash` as `proposer` is `member`'s. */
  isProposalBy(hash: Hex, proposer: number, signature: Hex, member: Address | undefined): Promise<boolean> {
    return this.check(`p${hash}.${proposer}${signature}${member}`, () => proposalDigest(this.domain, hash, proposer), signature, member);
  }
}
