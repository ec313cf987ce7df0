// Checking members' signatures, shared by the relayer (before it keeps a post) and the witness
// (before it believes anything a relayer says: a vote counts only with the signature that proves it).
// Every check asks one question: did member M (whose address the ledger names) sign this digest?
// It gives the ledger's own verdict (OpenZeppelin ECDSA.tryRecover): s in the lower half of the
// order, the recovery id from the signature's parity, and the key ecrecover returns must be M's.
// The recovery is secp.ts's (libsecp256k1). A member's first signature is recovered to an address;
// once that is the member's, its public key is kept and every later signature of that member must
// recover to the same key (no hashing of the key again). Each
// (digest, signature, member) is checked once and remembered under what it is made of (candidate
// hash, deadline, index, signature, member), so a signature re-posted or re-read costs a map lookup,
// without hashing its digest again.
import { bytesToHex, type Address, type Hex } from 'viem';
import { publicKeyToAddress } from 'viem/accounts';
import type { LedgerDomain } from '../signoff.js';
import { signOffDigester } from '../signoff.js';
import { proposalDigester } from './candidate.js';
import { recoverKey, splitCompact, splitSignature, type SplitSignature } from './secp.js';

/** A member's vote as relayers carry it: its index, the deadline it signed, and (r, yParity|s). */
export interface SignedVote {
  witnessIndex: number;
  deadline: bigint;
  r: Hex;
  vs: Hex;
}

export class SignatureCheck {
  private readonly seen = new Map<string, boolean>();
  /** Members' public keys by address (uncompressed), learned from a signature that recovered to the
   *  member's address. */
  private readonly keys = new Map<Address, Uint8Array>();
  private readonly voteDigest: (hash: Hex, deadline: bigint, index: number) => Hex;
  private readonly proposalDigest: (hash: Hex, index: number) => Hex;
  /** Signatures recovered to an address (a member's first), and compared with a kept key (the rest). */
  recovered = 0;
  verified = 0;

  constructor(
    readonly domain: LedgerDomain,
    /** How many checks to remember (the oldest go first). */
    readonly remember = 100_000,
  ) {
    this.voteDigest = signOffDigester(domain);
    this.proposalDigest = proposalDigester(domain);
  }

  /** Whether `signature` (65 bytes) over `digest` is `member`'s (false when it is malformed). */
  signedBy(digest: Hex, signature: Hex, member: Address | undefined): Promise<boolean> {
    return Promise.resolve(this.check(`${digest}${signature}${member}`, () => digest, () => splitSignature(signature), member));
  }

  /** The check behind every question, remembered under `key` (which names everything the digest is
   *  made of), so a repeat neither hashes nor recovers. */
  private check(key: string, digestOf: () => Hex, sigOf: () => SplitSignature | null, member: Address | undefined): boolean {
    if (member === undefined) return false;
    const known = this.seen.get(key);
    if (known !== undefined) return known;
    let ok = false;
    const sig = sigOf();
    if (sig) {
      const pub = recoverKey(digestOf(), sig);
      const kept = this.keys.get(member);
      if (pub && kept) {
        ok = Buffer.compare(pub, kept) === 0;
        this.verified++;
      } else if (pub) {
        ok = publicKeyToAddress(bytesToHex(pub)) === member;
        if (ok) this.keys.set(member, pub);
        this.recovered++;
      }
    }
    this.seen.set(key, ok);
    if (this.seen.size > this.remember) this.seen.delete(this.seen.keys().next().value!);
    return ok;
  }

  /** Whether this vote on `hash` is `member`'s. */
  isVoteBy(hash: Hex, v: SignedVote, member: Address | undefined): Promise<boolean> {
    const key = `v${hash}${v.deadline}.${v.witnessIndex}${v.r}${v.vs}${member}`;
    return Promise.resolve(this.check(key, () => this.voteDigest(hash, v.deadline, v.witnessIndex), () => splitCompact(v.r, v.vs), member));
  }

  /** Whether this proposal of `hash` as `proposer` is `member`'s. */
  isProposalBy(hash: Hex, proposer: number, signature: Hex, member: Address | undefined): Promise<boolean> {
    return Promise.resolve(this.check(`p${hash}.${proposer}${signature}${member}`, () => this.proposalDigest(hash, proposer), () => splitSignature(signature), member));
  }
}
