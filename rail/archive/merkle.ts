// The data root of an epoch: an OpenZeppelin StandardMerkleTree over its chunks, leaves kept in
// chunk order (sortLeaves: false). Leaf encoding (uint64 sequence, bytes32 contentHash,
// uint64 byteLength, uint64 durationMs); leaf = keccak256(keccak256(abi.encode(...))); a parent is
// keccak256 of its two children in ascending order. OpenZeppelin's MerkleProof.verify checks a chunk
// against it on chain, and @openzeppelin/merkle-tree builds the same root (asserted in the tests).
// The tree is computed here directly because the derivation must run at tens of thousands of lines
// per second.
import { createKeccak, type IHasher } from 'hash-wasm';
import { keccak256 } from 'viem';

let hasher: IHasher | undefined;

/** Loads the WebAssembly keccak once (the long-running processes and the derivation do, first).
 *  Until then the hashes below are viem's: the same bytes, several times slower. */
export async function initKeccak(): Promise<void> {
  hasher ??= await createKeccak(256);
}

export function keccak(data: Uint8Array): Uint8Array {
  if (!hasher) return keccak256(data, 'bytes');
  hasher.init();
  hasher.update(data);
  return hasher.digest('binary');
}

/** keccak256 as 0x-prefixed lowercase hex, like viem's. */
export function keccakHex(data: Uint8Array): `0x${string}` {
  if (!hasher) return keccak256(data);
  hasher.init();
  hasher.update(data);
  return `0x${hasher.digest('hex')}`;
}

/** 0x-prefixed hex to bytes (inputs are validated hex). */
export function fromHex(hex: string): Uint8Array {
  return Buffer.from(hex.slice(2), 'hex');
}

/** A bytes32 value's 32 bytes, refusing anything else as the ABI encoder would (`what` names it in
 *  the error). */
export function bytes32(v: string, what = 'value'): Uint8Array {
  if (!/^0x[0-9a-fA-F]{64}$/.test(v)) throw new RangeError(`${what}: ${v} is not a bytes32 value`);
  return fromHex(v);
}

/** Writes a uint64 big-endian into the 32-byte word at `offset`. */
export function putUint64(buf: Uint8Array, offset: number, value: bigint): void {
  if (value < 0n || value >= 1n << 64n) throw new RangeError(`${value} is not a uint64`);
  new DataView(buf.buffer, buf.byteOffset, buf.byteLength).setBigUint64(offset + 24, value);
}

/** Writes a non-negative safe integer big-endian into the 32-byte word at `offset`. */
export function putSafeInt(buf: Uint8Array, offset: number, value: number): void {
  const high = Math.floor(value / 2 ** 32);
  const low = value >>> 0;
  buf[offset + 24] = (high >>> 24) & 0xff;
  buf[offset + 25] = (high >>> 16) & 0xff;
  buf[offset + 26] = (high >>> 8) & 0xff;
  buf[offset + 27] = high & 0xff;
  buf[offset + 28] = (low >>> 24) & 0xff;
  buf[offset + 29] = (low >>> 16) & 0xff;
  buf[offset + 30] = (low >>> 8) & 0xff;
  buf[offset + 31] = low & 0xff;
}

export interface ChunkLeaf {
  sequence: number;
  contentHash: Uint8Array;
  byteLength: number;
  durationMs: number;
}

export function leafHash(c: ChunkLeaf): Uint8Array {
  const enc = new Uint8Array(128);
  putSafeInt(enc, 0, c.sequence);
  enc.set(c.contentHash, 32);
  putSafeInt(enc, 64, c.byteLength);
  putSafeInt(enc, 96, c.durationMs);
  return keccak(keccak(enc));
}

function compare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function hashPair(a: Uint8Array, b: Uint8Array): Uint8Array {
  const buf = new Uint8Array(64);
  if (compare(a, b) <= 0) {
    buf.set(a, 0);
    buf.set(b, 32);
  } else {
    buf.set(b, 0);
    buf.set(a, 32);
  }
  return keccak(buf);
}

/** The root, laid out as OpenZeppelin's complete binary tree: leaf i sits at index len-1-i, node i
 *  hashes nodes 2i+1 and 2i+2. */
export function chunkRoot(chunks: ChunkLeaf[]): Uint8Array {
  const n = chunks.length;
  if (n === 0) throw new Error('chunkRoot: an epoch needs at least one chunk');
  const tree: Uint8Array[] = new Array(2 * n - 1);
  for (let i = 0; i < n; i++) tree[tree.length - 1 - i] = leafHash(chunks[i]!);
  for (let i = tree.length - 1 - n; i >= 0; i--) tree[i] = hashPair(tree[2 * i + 1]!, tree[2 * i + 2]!);
  return tree[0]!;
}
