import { readFileSync } from 'node:fs';
import { recoverTypedDataAddress, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { renderVectors, VECTORS_PATH } from '../scripts/gen-vectors.js';
import { observationHash, observationSlot, type ObservationHeader } from './observation.js';
import { ledgerDomain, SIGN_OFF_TYPES, signOffDigest, signOffDigester, signSignOff } from './signoff.js';

interface VectorFile {
  domain: { name: string; version: string; chainId: number; verifyingContract: Hex };
  count: number;
  vectors: {
    name: string;
    header: Record<keyof ObservationHeader, string>;
    observationHash: Hex;
    observationSlot: Hex;
    deadline: string;
    witnessIndex: number;
    signOffDigest: Hex;
  }[];
}

const file = JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as VectorFile;
const toHeader = (h: VectorFile['vectors'][number]['header']): ObservationHeader => ({
  streamHash: h.streamHash as Hex,
  epochHash: h.epochHash as Hex,
  parentObservationHash: h.parentObservationHash as Hex,
  dataRoot: h.dataRoot as Hex,
  locatorHash: h.locatorHash as Hex,
  observedUnixMs: BigInt(h.observedUnixMs),
  sequence: BigInt(h.sequence),
});

describe('cross-language vectors (the Solidity suite asserts the same file)', () => {
  it('the committed file is what the generator makes', () => {
    expect(readFileSync(VECTORS_PATH, 'utf8')).toBe(renderVectors());
  });

  it.each(file.vectors.map((v) => [v.name, v] as const))('%s: hash, slot and digest', (_name, v) => {
    const header = toHeader(v.header);
    expect(observationHash(header)).toBe(v.observationHash);
    expect(observationSlot(header.streamHash, header.epochHash)).toBe(v.observationSlot);
    const domain = ledgerDomain(file.domain.chainId, file.domain.verifyingContract);
    expect(signOffDigest(domain, v.observationHash, BigInt(v.deadline), v.witnessIndex)).toBe(v.signOffDigest);
    expect(signOffDigester(domain)(v.observationHash, BigInt(v.deadline), v.witnessIndex)).toBe(v.signOffDigest);
  });

  it('chains the second vector on the first', () => {
    expect(file.vectors[1]!.header.parentObservationHash).toBe(file.vectors[0]!.observationHash);
  });
});

describe('signSignOff', () => {
  it('produces an EIP-2098 signature that recovers to the witness', async () => {
    const witness = privateKeyToAccount(`0x${'11'.repeat(32)}`);
    const v = file.vectors[0]!;
    const domain = ledgerDomain(file.domain.chainId, file.domain.verifyingContract);
    const sig = await signSignOff(witness, domain, v.observationHash, BigInt(v.deadline), 3);
    expect(sig.witnessIndex).toBe(3);
    expect(sig.r).toMatch(/^0x[0-9a-f]{64}$/);
    expect(sig.vs).toMatch(/^0x[0-9a-f]{64}$/);
    // Expand (r, vs) back to 65 bytes: s is vs without its top bit, v is 27 + that bit.
    const vs = BigInt(sig.vs);
    const yParity = Number(vs >> 255n);
    const s = vs & ((1n << 255n) - 1n);
    const full = `${sig.r}${s.toString(16).padStart(64, '0')}${(27 + yParity).toString(16)}` as Hex;
    const signer = await recoverTypedDataAddress({
      domain,
      types: SIGN_OFF_TYPES,
      primaryType: 'ObservationSignOff',
      message: { observationHash: v.observationHash, deadline: BigInt(v.deadline), witnessIndex: 3 },
      signature: full,
    });
    expect(signer).toBe(witness.address);
  });
});
