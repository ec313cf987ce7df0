// Checking members' signatures, shared by the relayer (before it keeps a post) and the witness
// (before it believes anything a relayer says: a vote counts only with the signature that proves it).
// Each (digest, signature) is recovered once and remembered, so a signature re-posted or re-read
// costs a map lookup, not a recovery.
import { compactSignatureToSignature, recoverAddress, serializeSignature, type Address, type Hex } from 'viem';
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

export class SignatureCheck {
  private readonly seen = new Map<string, Address | null>();
  private readonly voteDigest: (hash: Hex, deadline: bigint, index: number) => Hex;
  recovered = 0;

  constructor(
    readonly domain: LedgerDomain,
    /** How many recoveries to remember (the oldest go first). */
    readonly remember = 100_000,
  ) {
    this.voteDigest = signOffDigester(domain);
  }

  /** The address that signed `digest`, or null when the signature is malformed. */
  async signerOf(digest: Hex, signature: Hex): Promise<Address | null> {
    const key = `${digest}${signature}`;
    if (this.seen.has(key)) return this.seen.get(key)!;
    let signer: Address | null;
    try {
      signer = await recoverAddress({ hash: digest, signature });
    } catch {
      signer = null;
    }
    this.recovered++;
    this.seen.set(key, signer);
    if (this.seen.size > this.remember) this.seen.delete(this.seen.keys().next().value!);
    return signer;
  }

  /** Who signed this vote on `hash` (null: malformed). */
  voteSigner(hash: Hex, v: SignedVote): Promise<Address | null> {
    let sig: Hex;
    try {
      sig = serializeSignature(compactSignatureToSignature({ r: v.r, yParityAndS: v.vs }));
    } catch {
      return Promise.resolve(null);
    }
    return this.signerOf(this.voteDigest(hash, v.deadline, v.witnessIndex), sig);
  }

  /** Who signed this proposal of `hash` as `proposer` (null: malformed). */
  proposalSigner(hash: Hex, proposer: number, signature: Hex): Promise<Address | null> {
    return this.signerOf(proposalDigest(this.domain, hash, proposer), signature);
  }
}
