// Checking a member's signature against its known public key answers exactly what the ledger's
// ECDSA.tryRecover would: yes for good signatures; no for another member's, a wrong digest, a flipped
// parity and the (r, n − s) twin (high s, refused on chain); and a member's address is derived once,
// then every later signature is compared with the key kept.
import { keccak256, parseSignature, serializeSignature, toHex, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { devKey } from '../keys.js';
import { ledgerDomain } from '../signoff.js';
import { SignatureCheck } from './signatures.js';

const alice = privateKeyToAccount(devKey(1));
const bob = privateKeyToAccount(devKey(2));
const digest = (i: number) => keccak256(toHex(`digest ${i}`));
const domain = ledgerDomain(31337, '0x0000000000000000000000000000000000000001');

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** The same signature with s → n − s and the parity flipped: bare ecrecover gives the same key, the
 *  ledger refuses it (high s). */
function twin(sig: Hex): Hex {
  const { r, s, yParity } = parseSignature(sig);
  return serializeSignature({ r, s: toHex(N - BigInt(s), { size: 32 }), yParity: 1 - yParity! });
}

function flipParity(sig: Hex): Hex {
  const { r, s, yParity } = parseSignature(sig);
  return serializeSignature({ r, s, yParity: 1 - yParity! });
}

describe('SignatureCheck', () => {
  it('derives a member\'s address from its first signature, then compares with its key, with the ledger\'s verdicts', async () => {
    const check = new SignatureCheck(domain);
    const first = await alice.sign({ hash: digest(0) });
    expect(await check.signedBy(digest(0), first, alice.address)).toBe(true);
    expect(check.recovered).toBe(1);
    for (let i = 1; i <= 5; i++) {
      const sig = await alice.sign({ hash: digest(i) });
      expect(await check.signedBy(digest(i), sig, alice.address)).toBe(true);
      expect(await check.signedBy(digest(i + 100), sig, alice.address)).toBe(false);
      expect(await check.signedBy(digest(i), flipParity(sig), alice.address)).toBe(false);
      expect(await check.signedBy(digest(i), twin(sig), alice.address)).toBe(false);
      expect(await check.signedBy(digest(i), await bob.sign({ hash: digest(i) }), alice.address)).toBe(false);
    }
    expect(check.recovered).toBe(1);
    expect(check.verified).toBe(20);
    expect(await check.signedBy(digest(1), '0x1234', alice.address)).toBe(false);
    expect(await check.signedBy(digest(1), await alice.sign({ hash: digest(1) }), undefined)).toBe(false);
  });

  it('remembers a vote and a proposal under what their digest is made of', async () => {
    const { signOffDigest, signSignOffDigest } = await import('../signoff.js');
    const { proposalDigest } = await import('./candidate.js');
    const check = new SignatureCheck(domain);
    const hash = digest(42);
    const sig = await signSignOffDigest(alice, signOffDigest(domain, hash, 99n, 3), 3);
    const vote = { witnessIndex: 3, deadline: 99n, r: sig.r, vs: sig.vs };
    expect(await check.isVoteBy(hash, vote, alice.address)).toBe(true);
    expect(await check.isVoteBy(hash, vote, alice.address)).toBe(true);
    expect(await check.isVoteBy(hash, { ...vote, deadline: 100n }, alice.address)).toBe(false);
    expect(await check.isVoteBy(hash, { ...vote, witnessIndex: 4 }, alice.address)).toBe(false);
    expect(await check.isVoteBy(hash, vote, bob.address)).toBe(false);
    const p = await alice.sign({ hash: proposalDigest(domain, hash, 3) });
    expect(await check.isProposalBy(hash, 3, p, alice.address)).toBe(true);
    expect(await check.isProposalBy(hash, 2, p, alice.address)).toBe(false);
    expect(check.recovered + check.verified).toBe(6);
  });

  it('checks a signature once: a repeat is a lookup', async () => {
    const check = new SignatureCheck(domain);
    const sig = await alice.sign({ hash: digest(7) });
    for (let i = 0; i < 3; i++) expect(await check.signedBy(digest(7), sig, alice.address)).toBe(true);
    expect(check.recovered + check.verified).toBe(1);
  });

  it('never learns a key from a signature that does not recover to the member', async () => {
    const check = new SignatureCheck(domain);
    expect(await check.signedBy(digest(1), await bob.sign({ hash: digest(1) }), alice.address)).toBe(false);
    // Still recovering: no key was kept for alice from bob's signature.
    expect(await check.signedBy(digest(2), await alice.sign({ hash: digest(2) }), alice.address)).toBe(true);
    expect(check.recovered).toBe(2);
  });
});
