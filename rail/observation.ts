// ObservationHeader and its hashes, byte-identical to EveryChannelObservationLedger.
import type { Hex } from 'viem';
import { bytes32, keccakHex, putUint64 } from './archive/merkle.js';

export const OBSERVATION_HEADER_COMPONENTS = [
  { name: 'streamHash', type: 'bytes32' },
  { name: 'epochHash', type: 'bytes32' },
  { name: 'parentObservationHash', type: 'bytes32' },
  { name: 'dataRoot', type: 'bytes32' },
  { name: 'locatorHash', type: 'bytes32' },
  { name: 'observedUnixMs', type: 'uint64' },
  { name: 'sequence', type: 'uint64' },
] as const;

export interface ObservationHeader {
  streamHash: Hex;
  epochHash: Hex;
  parentObservationHash: Hex;
  dataRoot: Hex;
  locatorHash: Hex;
  observedUnixMs: bigint;
  sequence: bigint;
}

/** ObservationHash = keccak256(abi.encode(header)): the header's seven static fields are seven
 *  32-byte words (archive/derive.test.ts checks it against viem's ABI encoder). */
export function observationHash(h: ObservationHeader): Hex {
  const enc = new Uint8Array(224);
  enc.set(bytes32(h.streamHash, 'streamHash'), 0);
  enc.set(bytes32(h.epochHash, 'epochHash'), 32);
  enc.set(bytes32(h.parentObservationHash, 'parentObservationHash'), 64);
  enc.set(bytes32(h.dataRoot, 'dataRoot'), 96);
  enc.set(bytes32(h.locatorHash, 'locatorHash'), 128);
  putUint64(enc, 160, h.observedUnixMs);
  putUint64(enc, 192, h.sequence);
  return keccakHex(enc);
}

/** ObservationSlot = keccak256(abi.encode(streamHash, epochHash)). */
export function observationSlot(streamHash: Hex, epochHash: Hex): Hex {
  const enc = new Uint8Array(64);
  enc.set(bytes32(streamHash, 'streamHash'), 0);
  enc.set(bytes32(epochHash, 'epochHash'), 32);
  return keccakHex(enc);
}

/** A header as JSON: hex strings, uint64 values as decimal strings (they can exceed 2^53). */
export function headerToJson(h: ObservationHeader): Record<keyof ObservationHeader, string> {
  return { ...h, observedUnixMs: h.observedUnixMs.toString(), sequence: h.sequence.toString() };
}
