// The witness protocol's pure core (contracts/docs/Protocol.md): what a candidate is, how a witness
// proposes one from its own archive line, how it verifies another witness's candidate against its
// own archive, and who may propose for a slot when. No I/O: the witness and relayer processes call
// these, and the tests call them directly.
import { hashTypedData, type Hex } from 'viem';
import { structDigester, type LedgerDomain } from '../signoff.js';
import { z } from 'zod';
import type { ArchiveLine } from '../archive/schema.js';
import { dataRootOf, epochHashOf, streamHashOf } from '../archive/derive.js';
import { bytes32, keccakHex } from '../archive/merkle.js';
import { observationHash, observationSlot, type ObservationHeader } from '../observation.js';

export const ZERO_HASH: Hex = `0x${'00'.repeat(32)}`;

/** The epoch a candidate is for, in the archive's own terms (its hash is the header's epochHash). */
export interface EpochRef {
  stream: string;
  id: string;
  startUnixMs: number;
  durationMs: number;
}

/** A candidate: a header, the locator its locatorHash commits to, the epoch it names, and the
 *  deadline every sign-off on it uses (one deadline per candidate, so the signatures can be relayed
 *  together). */
export interface Candidate {
  header: ObservationHeader;
  locator: string;
  epoch: EpochRef;
  deadline: bigint;
}

/** What a witness observed itself for one (stream, epoch), from its own archive line. */
export interface OwnObservation {
  epoch: EpochRef;
  streamHash: Hex;
  epochHash: Hex;
  slot: Hex;
  dataRoot: Hex;
  observedUnixMs: number;
  locator: string;
}

/** A link a candidate can extend: the stream's finalized head, or a candidate this witness signed. */
export interface Base {
  hash: Hex;
  sequence: bigint;
  /** When the base's epoch ends (unix ms); candidates must be for a later epoch. Unknown for a head
   *  this witness has no archive line for. */
  epochEndUnixMs?: number;
}

export function ownObservationOf(entry: ArchiveLine): OwnObservation {
  const epoch = { stream: entry.stream, id: entry.epoch.id, startUnixMs: entry.epoch.startUnixMs, durationMs: entry.epoch.durationMs };
  const streamHash = streamHashOf(entry.stream);
  const epochHash = epochHashOf(epoch.id, epoch.startUnixMs, epoch.durationMs);
  return {
    epoch,
    streamHash,
    epochHash,
    slot: observationSlot(streamHash, epochHash),
    dataRoot: dataRootOf(entry),
    observedUnixMs: entry.observedUnixMs,
    locator: entry.locator,
  };
}

export const locatorHashOf = (locator: string): Hex => keccakHex(new TextEncoder().encode(locator));

/** The candidate a witness proposes from its own observation, extending `base` (null: the stream's
 *  first observation). */
export function proposeCandidate(own: OwnObservation, base: Base | null, deadline: bigint): Candidate {
  return {
    header: {
      streamHash: own.streamHash,
      epochHash: own.epochHash,
      parentObservationHash: base?.hash ?? ZERO_HASH,
      dataRoot: own.dataRoot,
      locatorHash: locatorHashOf(own.locator),
      observedUnixMs: BigInt(own.observedUnixMs),
      sequence: base ? base.sequence + 1n : 0n,
    },
    locator: own.locator,
    epoch: own.epoch,
    deadline,
  };
}

export interface VerifyContext {
  own: OwnObservation;
  /** The links this witness accepts as a parent now (see Protocol.md, "Extends"). */
  bases: Base[];
  /** |candidate.observedUnixMs − own.observedUnixMs| must not exceed this. */
  toleranceMs: number;
  /** Now, unix seconds; a vote's deadline must lie in [now + minDeadlineSec, now + maxDeadlineSec]
   *  (voteDeadline). A candidate's own deadline is only its poster's suggestion, not content. */
  nowSec: bigint;
  minDeadlineSec: bigint;
  maxDeadlineSec: bigint;
}

/** Why a candidate is refused. `dissent` marks the refusals that come from the witness's own content
 *  (it saw something else): the witness then proposes its own candidate, so its view is on record. */
export type Refusal = { reason: RefusalReason; detail: string; dissent: boolean };
export type RefusalReason = 'candidate' | 'epoch' | 'dataRoot' | 'locator' | 'observedTime' | 'parent';

/** Verifies `c` against the witness's own observation of the same slot; null when it may sign. */
export function verifyCandidate(c: Candidate, ctx: VerifyContext): Refusal | null {
  const { own } = ctx;
  const h = c.header;
  const problem = candidateProblem(c);
  if (problem) return { reason: 'candidate', detail: problem, dissent: false };
  if (h.streamHash !== own.streamHash || h.epochHash !== own.epochHash) {
    return { reason: 'epoch', detail: `candidate is for ${c.epoch.stream} epoch ${JSON.stringify(c.epoch.id)}, not our ${own.epoch.stream} epoch ${JSON.stringify(own.epoch.id)}`, dissent: false };
  }
  if (h.dataRoot !== own.dataRoot) {
    return { reason: 'dataRoot', detail: `candidate dataRoot ${h.dataRoot} differs from ours ${own.dataRoot}`, dissent: true };
  }
  const observed = Number(h.observedUnixMs);
  if (Math.abs(observed - own.observedUnixMs) > ctx.toleranceMs) {
    return { reason: 'observedTime', detail: `candidate observed at ${observed}, ${observed - own.observedUnixMs} ms from our ${own.observedUnixMs} (tolerance ${ctx.toleranceMs} ms)`, dissent: false };
  }
  const base = ctx.bases.find((b) => b.hash === h.parentObservationHash && b.sequence + 1n === h.sequence);
  const first = h.sequence === 0n && h.parentObservationHash === ZERO_HASH && ctx.bases.length === 0;
  if (!first && (!base || (base.epochEndUnixMs !== undefined && base.epochEndUnixMs > c.epoch.startUnixMs))) {
    return { reason: 'parent', detail: `candidate extends ${h.parentObservationHash} at sequence ${h.sequence}, which is not a link we accept now`, dissent: false };
  }
  return null;
}

/** The deadline a vote is signed with. The deadline is not content (the ObservationHash leaves it
 *  out): each member signs its own, relayers keep each vote with the deadline it was signed over, and
 *  the ledger checks each signature against its own. So a witness may take any deadline within
 *  [now + min, now + max]; it takes the first of `preferred` that is (the deadline most votes already
 *  carry, then the candidate's suggestion, so that votes batch together), else `fallback`. */
export function voteDeadline(preferred: readonly bigint[], ctx: Pick<VerifyContext, 'nowSec' | 'minDeadlineSec' | 'maxDeadlineSec'>, fallback: bigint): bigint {
  return preferred.find((d) => d >= ctx.nowSec + ctx.minDeadlineSec && d <= ctx.nowSec + ctx.maxDeadlineSec) ?? fallback;
}

/** What is wrong with a candidate on its face (without any archive), or null. */
export function candidateProblem(c: Candidate): string | null {
  const h = c.header;
  if (streamHashOf(c.epoch.stream) !== h.streamHash) return `streamHash does not match stream ${JSON.stringify(c.epoch.stream)}`;
  if (epochHashOf(c.epoch.id, c.epoch.startUnixMs, c.epoch.durationMs) !== h.epochHash) return 'epochHash does not match the epoch';
  if (!isAbsoluteUri(c.locator) || locatorHashOf(c.locator) !== h.locatorHash) return 'locator is not an absolute URI matching locatorHash';
  if (h.dataRoot === ZERO_HASH) return 'dataRoot is zero';
  if ((h.sequence === 0n) !== (h.parentObservationHash === ZERO_HASH)) return 'sequence and parent cannot link (sequence 0 needs parent 0)';
  if (Number(h.observedUnixMs) < c.epoch.startUnixMs + c.epoch.durationMs) return 'observed before the epoch ends';
  return null;
}

/** Whether `s` is an absolute URI with a scheme (the archive's locator rule). */
export function isAbsoluteUri(s: string): boolean {
  return s.length <= 2048 && URL.canParse(s) && /^[a-z][a-z0-9+.-]*:/.test(s);
}

/** The members' proposing order for `slot`: indices sorted by keccak256(slot, index). Rank 0 is the
 *  slot's designated proposer; rank r may propose once r proposal steps have passed with no
 *  candidate a witness could sign. Every witness computes the same order from the same membership. */
export function proposerOrder(slot: Hex, members: readonly number[]): number[] {
  // keccak256(abi.encode(bytes32 slot, uint8 i)): two 32-byte words.
  const enc = new Uint8Array(64);
  enc.set(bytes32(slot, 'slot'), 0);
  const key = (i: number) => {
    enc[63] = i;
    return keccakHex(enc);
  };
  return [...members].map((i) => ({ i, k: key(i) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0)).map((x) => x.i);
}

export const candidateHash = (c: Candidate): Hex => observationHash(c.header);

// -- Wire form --

const hex32 = z.string().regex(/^0x[0-9a-f]{64}$/, { error: 'expected 0x and 64 lowercase hex digits' }).transform((s) => s as Hex);
const hexN = (bytes: number) => z.string().regex(new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`), { error: `expected 0x and ${bytes * 2} hex digits` }).transform((s) => s as Hex);
const uint64 = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,19})$/, { error: 'expected a decimal uint64 string' })
  .transform((s) => BigInt(s))
  .refine((v) => v < 1n << 64n, { error: 'expected a uint64' });

export const headerWire = z.strictObject({
  streamHash: hex32,
  epochHash: hex32,
  parentObservationHash: hex32,
  dataRoot: hex32,
  locatorHash: hex32,
  observedUnixMs: uint64,
  sequence: uint64,
});

export const candidateWire = z.strictObject({
  header: headerWire,
  locator: z.string().max(2048),
  epoch: z.strictObject({
    stream: z.string().min(1).max(256),
    id: z.string().min(1).max(256),
    startUnixMs: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    durationMs: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  }),
  deadline: uint64,
});

export const signatureWire = z.strictObject({ witnessIndex: z.number().int().min(0).max(255), r: hexN(32), vs: hexN(32) });

/** A proposal puts a candidate up for a vote without voting: the proposer signs
 *  ObservationProposal(observationHash, witnessIndex) under the ledger's EIP-712 domain, a type the
 *  ledger never accepts, so a proposal can never count as a sign-off. Witnesses vote with sign-offs,
 *  one per slot; proposals cost them nothing, so a witness can always put its own view on record. */
export const PROPOSAL_TYPES = {
  ObservationProposal: [
    { name: 'observationHash', type: 'bytes32' },
    { name: 'witnessIndex', type: 'uint8' },
  ],
} as const;

export function proposalDigest(domain: LedgerDomain, observationHash: Hex, witnessIndex: number): Hex {
  return hashTypedData({ domain, types: PROPOSAL_TYPES, primaryType: 'ObservationProposal', message: { observationHash, witnessIndex } });
}

/** proposalDigest for many proposals under one domain (structDigester). */
export function proposalDigester(domain: LedgerDomain): (observationHash: Hex, witnessIndex: number) => Hex {
  const digest = structDigester(domain, PROPOSAL_TYPES, 'ObservationProposal');
  return (observationHash, witnessIndex) => digest(observationHash, witnessIndex);
}

export const proposalWire = z.strictObject({ candidate: candidateWire, proposer: z.number().int().min(0).max(255), signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, { error: 'expected a 65-byte signature as 0x and 130 hex digits' }).transform((s) => s as Hex) });
export type ProposalMessage = z.infer<typeof proposalWire>;

/** A sign-off as witnesses post it: the candidate in full (so a relayer that lost its memory can
 *  still use it), and one witness's EIP-712 signature over (hash, deadline, index): its vote. */
export const signOffWire = z.strictObject({ candidate: candidateWire, signature: signatureWire });
export type SignOffMessage = z.infer<typeof signOffWire>;

export function candidateToWire(c: Candidate) {
  return {
    header: { ...c.header, observedUnixMs: c.header.observedUnixMs.toString(), sequence: c.header.sequence.toString() },
    locator: c.locator,
    epoch: c.epoch,
    deadline: c.deadline.toString(),
  };
}
