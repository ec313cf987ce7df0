// ObservationHeader and its hashes, byte-identical to EveryChannelObservationLedger.
import { encodeAbiParameters, keccak256, type Hex } from 'viem';

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

/** ObservationHash = keccak256(abi.encode(header)). */
export function observationHash(h: ObservationHeader): Hex {
  return keccak256(encodeAbiParameters([{ type: 'tuple', components: OBSERVATION_HEADER_COMPONENTS }], [h]));
}

/** ObservationSlot = keccak256(abi.encode(streamHash, epochHash)). */
export function observationSlot(streamHash: Hex, epochHash: Hex): Hex {
  return keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'bytes32' }], [streamHash, epochHash]));
}

/** A header as JSON: hex strings, uint64 values as decimal strings (they can exceed 2^53). */
export function headerToJson(h: ObservationHeader): Record<keyof ObservationHeader, string> {
  return { ...h, observedUnixMs: h.observedUnixMs.toString(), sequence: h.sequence.toString() };
}
