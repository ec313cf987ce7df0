// libsecp256k1 signs exactly as viem does (RFC 6979, low s), and a signature is split the way the
// ledger reads it: high s refused, the parity as the recovery id, the compact form's top bit as parity.
import { keccak256, serializeSignature, signatureToCompactSignature, parseSignature, toHex, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount, sign } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { signingAccount } from '../keys.js';
import { recoverKey, signDigest, splitCompact, splitSignature } from './secp.js';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const digest = (i: number) => keccak256(toHex(`secp digest ${i}`));

describe('secp', () => {
  it('signs digests byte for byte as viem does, and the signing account is viem\'s otherwise', async () => {
    for (let i = 0; i < 40; i++) {
      const key = generatePrivateKey();
      const h = digest(i);
      expect(signDigest(h, key)).toBe(await sign({ hash: h, privateKey: key, to: 'hex' }));
      const account = signingAccount(key);
      expect(account.address).toBe(privateKeyToAccount(key).address);
      expect(await account.sign({ hash: h })).toBe(await privateKeyToAccount(key).sign({ hash: h }));
    }
  });

  it('recovers the signer\'s key, from the full and from the compact form alike', async () => {
    const key = generatePrivateKey();
    const account = privateKeyToAccount(key);
    const pub = Buffer.from(account.publicKey.slice(2), 'hex');
    for (let i = 0; i < 10; i++) {
      const sig = signDigest(digest(i), key);
      const full = splitSignature(sig)!;
      const c = signatureToCompactSignature(parseSignature(sig));
      const compact = splitCompact(c.r, c.yParityAndS)!;
      expect(compact.recoveryId).toBe(full.recoveryId);
      expect(Buffer.compare(Buffer.from(compact.rs), Buffer.from(full.rs))).toBe(0);
      expect(Buffer.compare(Buffer.from(recoverKey(digest(i), full)!), pub)).toBe(0);
      expect(Buffer.compare(Buffer.from(recoverKey(digest(i + 1), full) ?? []), pub)).not.toBe(0);
    }
  });

  it('refuses what the ledger refuses: high s, an unknown v, r or s of zero, a malformed string', () => {
    const sig = signDigest(digest(1), generatePrivateKey());
    const { r, s, yParity } = parseSignature(sig);
    const high = serializeSignature({ r, s: toHex(N - BigInt(s), { size: 32 }), yParity: 1 - yParity! });
    expect(splitSignature(high)).toBeNull();
    expect(splitSignature(`${sig.slice(0, 130)}1d` as Hex)).toBeNull();
    expect(splitSignature('0x1234')).toBeNull();
    const zeroR = splitSignature(`0x${'00'.repeat(32)}${sig.slice(66)}` as Hex)!;
    expect(recoverKey(digest(1), zeroR)).toBeNull();
    expect(splitCompact(r, `0x${'ff'.repeat(32)}`)).toBeNull();
    expect(splitCompact('0x12' as Hex, r)).toBeNull();
  });
});
