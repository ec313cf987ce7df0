// The hand-laid EIP-712 digests (structDigester) are viem's hashTypedData, byte for byte, across the
// ranges of their fields, before and after the WebAssembly keccak loads; values that do not fit are
// refused as viem's encoder refuses them.
import { encodeAbiParameters, keccak256, toHex, type Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import { initKeccak } from './archive/merkle.js';
import { PROPOSAL_TYPES, proposalDigest, proposalDigester, proposerOrder } from './protocol/candidate.js';
import { ledgerDomain, signOffDigest, signOffDigester, structDigester } from './signoff.js';

const domain = ledgerDomain(11155420, '0x00000000000000000000000000000000000a11ce');
const hash = (i: number) => keccak256(toHex(`observation ${i}`));

describe('structDigester', () => {
  it('gives viem\'s digests for sign-offs and proposals, at the ends of every field', async () => {
    for (const phase of ['viem keccak', 'wasm keccak']) {
      if (phase === 'wasm keccak') await initKeccak();
      const signOff = signOffDigester(domain);
      const proposal = proposalDigester(domain);
      for (const [i, deadline, index] of [[0, 0n, 0], [1, 1n, 1], [2, 2n ** 64n - 1n, 255], [3, 1_765_000_000n, 7]] as const) {
        expect(signOff(hash(i), deadline, index), phase).toBe(signOffDigest(domain, hash(i), deadline, index));
        expect(proposal(hash(i), index), phase).toBe(proposalDigest(domain, hash(i), index));
      }
    }
  });

  it('refuses a value its field cannot hold, and a field type it does not lay out', () => {
    const signOff = signOffDigester(domain);
    expect(() => signOff(hash(1), 2n ** 64n, 0)).toThrow(/deadline: .* is not a uint64/);
    expect(() => signOff(hash(1), -1n, 0)).toThrow(/not a uint64/);
    expect(() => signOff(hash(1), 1n, 256)).toThrow(/witnessIndex: 256 is not a uint8/);
    expect(() => signOff('0x1234' as Hex, 1n, 0)).toThrow(/observationHash: 0x1234 is not a bytes32/);
    expect(() => structDigester(domain, { T: [{ name: 's', type: 'string' }] }, 'T')).toThrow(/only bytes32 and uintN/);
    expect(() => structDigester(domain, PROPOSAL_TYPES, 'Nope')).toThrow(/no type Nope/);
  });

  it('orders proposers by keccak256(abi.encode(slot, index)), as laid out by viem\'s encoder', async () => {
    await initKeccak();
    const members = [0, 1, 4, 9, 200, 255];
    for (let i = 0; i < 10; i++) {
      const slot = hash(100 + i);
      const reference = [...members].sort((a, b) => {
        const ka = keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'uint8' }], [slot, a]));
        const kb = keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'uint8' }], [slot, b]));
        return ka < kb ? -1 : 1;
      });
      expect(proposerOrder(slot, members)).toEqual(reference);
    }
  });
});
