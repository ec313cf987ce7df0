// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IEveryChannelWitnessRegistry} from "./IEveryChannelWitnessRegistry.sol";
import {IEveryChannelRail} from "./IEveryChannelRail.sol";

/// @title IEveryChannelObservationLedger
/// @notice The ledger is also its own witness registry (IEveryChannelWitnessRegistry): members, indices
///         and the quorum live in the ledger's storage, read without an external call.
/// @notice Observation consensus for every.channel (ECP-0093, "Observation consensus"): witnesses sign
///         off on the hash of an ObservationHeader derived from a real stream epoch, and the first
///         candidate of a (stream, epoch) slot to gather a quorum of sign-offs from current members,
///         while extending its stream's chain, finalizes the slot for good.
/// @dev Terms:
///      - ObservationHash = keccak256(abi.encode(header));
///      - ObservationSlot = keccak256(abi.encode(header.streamHash, header.epochHash)).
///      Rules:
///      - Sign-off by transaction (`signOff`) or relayed EIP-712 signatures (`submitSignOffs`,
///        `submitSignOffBatch`). Both record the same thing: the witness's registry index. A relayed
///        signature names the index it was made under, so it counts only while that index is a
///        member's: a signature made before a witness's removal never counts again.
///      - A finalized slot never changes; any later sign-off or finalize for it reverts with
///        SlotAlreadyFinalized before any signature or registry work.
///      - Only current members count, checked when the observation finalizes: a removed witness's
///        pending sign-offs stop counting. Indices are never reused by the registry.
///      - Stream chain: a stream's first finalized observation has sequence 0 and parent 0; every later
///        one has parentObservationHash = the stream's previous finalized ObservationHash and
///        sequence = previous + 1. An observation with quorum whose parent is not final yet stays
///        pending; anyone may `finalize` it once the parent is final.
///      - Within one submission a witness may appear once (DuplicateWitness). Sign-offs are a set per
///        candidate, so a witness is counted at most once for the candidate that finalizes its slot.
///      - A header that could never finalize is refused where it enters: a zero streamHash, epochHash
///        or dataRoot, or a sequence and parent that cannot link (sequence 0 needs parent 0, a later
///        sequence a non-zero parent).
///      - Bridging (optional, fixed at deployment) copies each finalized slot into the rail. It never
///        decides finality: the rail call gets BRIDGE_GAS and a refusal only defers the copy
///        (BridgeDeferred); `bridge` records it later. The rail keeps the ledger's records apart from
///        other publishers', so they cannot be overwritten.
///      Events let an indexer rebuild the ledger from logs alone: ObservationProposed (a candidate with
///      its full header, when first recorded as pending), SignedOff (index bits newly recorded) and
///      ObservationFinalized (the full header and the index bits that were counted).
interface IEveryChannelObservationLedger is IEveryChannelWitnessRegistry {
    /// @notice The observation of one stream epoch (224 bytes, abi.encode'd for its hash).
    struct ObservationHeader {
        bytes32 streamHash;
        bytes32 epochHash;
        bytes32 parentObservationHash;
        bytes32 dataRoot;
        bytes32 locatorHash;
        uint64 observedUnixMs;
        uint64 sequence;
    }

    /// @notice A witness's EIP-712 signature over ObservationSignOff(observationHash, deadline,
    ///         witnessIndex), in the 64-byte EIP-2098 form (r, yParity|s), with the registry index the
    ///         witness signed under.
    struct WitnessSignature {
        uint8 witnessIndex;
        bytes32 r;
        bytes32 vs;
    }

    /// @notice One observation, the deadline its witnesses signed, and their signatures, for batches.
    struct SignedObservation {
        ObservationHeader header;
        uint64 deadline;
        WitnessSignature[] signatures;
    }

    // -- Events --

    /// @notice A candidate was first recorded as pending.
    event ObservationProposed(bytes32 indexed slot, bytes32 indexed observationHash, ObservationHeader header);

    /// @notice Sign-offs were recorded for a pending candidate; bit i is the witness with registry index i.
    event SignedOff(bytes32 indexed observationHash, uint256 witnesses);

    /// @notice The slot finalized with this observation; `countedWitnesses` are the members counted.
    event ObservationFinalized(
        bytes32 indexed slot,
        bytes32 indexed observationHash,
        bytes32 indexed streamHash,
        ObservationHeader header,
        uint256 countedWitnesses
    );

    /// @notice The rail did not record the finalized slot: it reverted (`railError` is its error
    ///         selector, e.g. NotPublisher) or did not return the slot (`railError` zero). The slot is
    ///         final all the same; `bridge(header)` records it once the rail accepts.
    event BridgeDeferred(bytes32 indexed slot, bytes32 indexed observationHash, bytes4 railError);

    // -- Errors --

    /// @dev The slot already finalized with `finalizedObservationHash`; nothing more is accepted for it.
    error SlotAlreadyFinalized(bytes32 slot, bytes32 finalizedObservationHash);
    /// @dev `witness` already signed off on this candidate.
    error AlreadySignedOff(bytes32 observationHash, address witness);
    /// @dev Fewer than `quorum` current members signed off.
    error QuorumNotReached(bytes32 observationHash, uint256 counted, uint256 quorum);
    /// @dev The header does not extend its stream's chain now: the stream's head is not its parent
    ///      (parent not final yet, or a different observation finalized there), or the sequence is off.
    error NotNextInStream(bytes32 streamHash, bytes32 parentObservationHash, uint64 sequence);
    /// @dev The signatures expired at `deadline` (unix seconds); it is now `timestamp`.
    error SignatureExpired(bytes32 observationHash, uint64 deadline, uint256 timestamp);
    /// @dev Signature `signatureIndex` is malformed (bad length, high s, or recovers to nobody).
    error InvalidSignature(uint256 signatureIndex);
    /// @dev A signature naming `witnessIndex` recovers to `recovered`, who never held that index: it
    ///      was made over another observation, deadline, index, chain or ledger, or by an outsider.
    error SignatureNotFromWitness(uint8 witnessIndex, address recovered);
    /// @dev `witness` signed under `witnessIndex`, which no longer belongs to a member: the witness was
    ///      removed, and if it was added back it signs under its new index.
    error WitnessIndexRetired(uint8 witnessIndex, address witness);
    /// @dev The header's sequence and parent cannot link into a stream (sequence 0 needs parent 0, a
    ///      later sequence a non-zero parent), so it could never finalize.
    error BrokenStreamLink(uint64 sequence, bytes32 parentObservationHash);
    /// @dev The rail given at deployment has no code.
    error RailHasNoCode(address rail);
    /// @dev A finalization must hold `needed` gas before it calls the rail; it had `left`. Send more gas.
    error InsufficientGasForBridge(uint256 left, uint256 needed);
    /// @dev `bridge` on a ledger deployed without a rail.
    error BridgingOff();
    /// @dev `bridge` for `observationHash`, but its slot holds `finalizedObservationHash` (zero: not
    ///      finalized yet).
    error NotFinalized(bytes32 slot, bytes32 observationHash, bytes32 finalizedObservationHash);
    /// @dev A relayed submission carried no signatures, or a batch no observations.
    error EmptySubmission();
    /// @dev Header field `field` is zero; streamHash and epochHash identify the slot and must be set.
    error ZeroHeaderField(string field);

    // -- Sign-off --

    /// @notice Signs off on `header` as the calling witness (one transaction per witness). Records the
    ///         sign-off and finalizes the slot when it brings the candidate to quorum and the header
    ///         extends its stream.
    /// @return finalized Whether this call finalized the slot.
    function signOff(ObservationHeader calldata header) external returns (bool finalized);

    /// @notice Submits witnesses' EIP-712 sign-offs on `header`, all signed with the same `deadline`
    ///         (unix seconds, inclusive); anyone may relay. Finalizes when the signatures, with any
    ///         sign-offs already recorded, reach quorum and the header extends its stream; otherwise
    ///         records them as pending.
    /// @dev Witnesses that sign independently agree on the deadline by convention (the rail client
    ///      uses observedUnixMs / 1000 + a window); a signature over another deadline can be
    ///      submitted on its own.
    /// @return finalized Whether this call finalized the slot.
    function submitSignOffs(ObservationHeader calldata header, uint64 deadline, WitnessSignature[] calldata signatures)
        external
        returns (bool finalized);

    /// @notice `submitSignOffs` for many observations in one transaction, in order, so an observation
    ///         may extend one finalized earlier in the same batch. An item whose slot is already
    ///         finalized when it is reached is skipped (relayers race, and anyone can front-run one
    ///         item); any other invalid item reverts the whole batch.
    /// @return finalizedCount How many observations this call finalized.
    function submitSignOffBatch(SignedObservation[] calldata observations) external returns (uint256 finalizedCount);

    /// @notice Finalizes a pending `header` whose recorded sign-offs from current members reach quorum
    ///         and whose parent is now final. Anyone may call.
    function finalize(ObservationHeader calldata header) external;

    /// @notice Records the finalized `header`'s slot in the rail: the retry after a BridgeDeferred.
    ///         Anyone may call; it reverts with the rail's own error if the rail still refuses.
    function bridge(ObservationHeader calldata header) external;

    // -- Reads --

    /// @notice The rail that finalized slots are recorded into, or zero when bridging is off (the
    ///         default). Fixed at deployment.
    function rail() external view returns (IEveryChannelRail);

    /// @notice The gas each finalization gives the rail's `record`.
    function BRIDGE_GAS() external view returns (uint256);

    /// @notice The ObservationHash finalized for `slot`, or zero.
    function finalizedObservation(bytes32 slot) external view returns (bytes32);

    /// @notice The index bits of recorded sign-offs on a pending candidate. Cleared when the candidate
    ///         finalizes through recorded sign-offs; not meaningful once its slot is finalized.
    function signOffsOf(bytes32 observationHash) external view returns (uint256);

    /// @notice How many recorded sign-offs on `observationHash` come from current members, and the quorum.
    function countSignOffs(bytes32 observationHash) external view returns (uint256 counted, uint256 quorum);

    /// @notice keccak256(abi.encode(head ObservationHash, head sequence)) for `streamHash`, or zero before
    ///         its first finalization. One word per stream; the head itself is in ObservationFinalized.
    function streamHead(bytes32 streamHash) external view returns (bytes32);

    /// @notice Whether (observationHash, sequence) is the head of `streamHash`.
    function isStreamHead(bytes32 streamHash, bytes32 observationHash, uint64 sequence) external view returns (bool);

    /// @notice Whether `header` could finalize now as far as the stream chain goes.
    function extendsStream(ObservationHeader calldata header) external view returns (bool);

    /// @notice keccak256(abi.encode(header)).
    function observationHash(ObservationHeader calldata header) external pure returns (bytes32);

    /// @notice keccak256(abi.encode(streamHash, epochHash)).
    function observationSlot(bytes32 streamHash, bytes32 epochHash) external pure returns (bytes32);

    /// @notice The EIP-712 digest witness `witnessIndex` signs to sign off on `observationHash` until
    ///         `deadline`.
    function signOffDigest(bytes32 observationHash, uint64 deadline, uint8 witnessIndex)
        external
        view
        returns (bytes32);
}
