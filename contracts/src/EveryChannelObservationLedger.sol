// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IEveryChannelObservationLedger} from "./interfaces/IEveryChannelObservationLedger.sol";
import {IEveryChannelRail} from "./interfaces/IEveryChannelRail.sol";
import {EveryChannelWitnessRegistry} from "./EveryChannelWitnessRegistry.sol";

/// @title EveryChannelObservationLedger
/// @notice Candidate observations, witness sign-offs and finalization for every.channel.
/// @dev Storage per finalized observation: one word (the slot's ObservationHash), plus one word per
///      stream that each finalization overwrites. Pending sign-offs take one word per candidate, which
///      is cleared when the candidate finalizes through them (a refund).
///      Replay: the EIP-712 domain binds a signature to this chain and this contract (OpenZeppelin
///      EIP712 rebuilds the separator if the chain id changes), and the signed witnessIndex binds it
///      to one membership of its signer: indices are never reused, so after a removal the signature
///      can never count again, not even if the same address is added back (it gets a new index).
///      Within this ledger a replayed signature can do nothing new: sign-offs are a set, and a
///      finalized slot accepts nothing. A witness bounds how long its signature is usable with the
///      deadline it signs.
///      Bridging: finality never depends on the rail. A finalization records into the rail with a
///      fixed gas allowance and carries on if the rail refuses (BridgeDeferred); anyone can record a
///      finalized slot later with `bridge`. The rail keeps each publisher's records apart, so no other
///      publisher can overwrite what this ledger recorded.
///      Deliberately not here: staking, slashing, media bytes or manifests on chain.
contract EveryChannelObservationLedger is IEveryChannelObservationLedger, EveryChannelWitnessRegistry, EIP712 {
    /// @notice EIP-712 type of a relayed sign-off.
    /// @dev keccak256("ObservationSignOff(bytes32 observationHash,uint64 deadline,uint8 witnessIndex)")
    bytes32 public constant SIGN_OFF_TYPEHASH =
        keccak256("ObservationSignOff(bytes32 observationHash,uint64 deadline,uint8 witnessIndex)");

    /// @inheritdoc IEveryChannelObservationLedger
    /// @dev The rail's `record` costs about 52,000 gas for a new slot (two new words, a publisher
    ///      check, an event); the rest is headroom.
    uint256 public constant BRIDGE_GAS = 100_000;

    /// @dev The gas a finalization must still hold before it calls the rail: BRIDGE_GAS survives the
    ///      63/64 rule (EIP-150) with room for the call itself, so a rail failure is never the
    ///      caller's doing by starving the call.
    uint256 private constant _BRIDGE_GAS_NEEDED = BRIDGE_GAS * 64 / 63 + 5_000;

    /// @inheritdoc IEveryChannelObservationLedger
    IEveryChannelRail public immutable rail;

    // -- Storage --

    mapping(bytes32 slot => bytes32 observationHash) private _finalized;
    mapping(bytes32 streamHash => bytes32 headCommitment) private _streamHeads;
    mapping(bytes32 observationHash => uint256 witnessBits) private _signOffs;

    /// @param initialOwner Owner of the witness registry (two-step ownership).
    /// @param initialWitnesses The first witnesses, given indices 0, 1, 2, … in this order.
    /// @param initialQuorum The explicit quorum (a strict majority of `initialWitnesses`).
    /// @param rail_ Bridging switch: the rail to record finalized slots into, or address(0) for off (the
    ///        default). When on, authorize this ledger as a publisher on the rail; finalizations made
    ///        while it is not authorized are deferred (BridgeDeferred) and can be recorded with `bridge`.
    constructor(address initialOwner, address[] memory initialWitnesses, uint256 initialQuorum, IEveryChannelRail rail_)
        EveryChannelWitnessRegistry(initialOwner, initialWitnesses, initialQuorum)
        EIP712("EveryChannelObservationLedger", "1")
    {
        // A rail without code would take every call and record nothing.
        if (address(rail_) != address(0) && address(rail_).code.length == 0) revert RailHasNoCode(address(rail_));
        rail = rail_;
    }

    // -- Sign-off --

    /// @inheritdoc IEveryChannelObservationLedger
    function signOff(ObservationHeader calldata header) external returns (bool) {
        (bytes32 slot, bytes32 hash) = _open(header);
        uint256 bit = _addWitnessBit(0, msg.sender);
        (uint256 memberMask, uint256 quorum) = _currentMembership();
        uint256 recorded = _signOffs[hash];
        if (recorded & bit != 0) revert AlreadySignedOff(hash, msg.sender);
        return _tally(slot, hash, header, recorded, bit, memberMask, quorum);
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function submitSignOffs(ObservationHeader calldata header, uint64 deadline, WitnessSignature[] calldata signatures)
        external
        returns (bool)
    {
        if (signatures.length == 0) revert EmptySubmission();
        (bytes32 slot, bytes32 hash) = _open(header);
        return _submit(slot, hash, header, deadline, signatures);
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function submitSignOffBatch(SignedObservation[] calldata observations) external returns (uint256 finalizedCount) {
        if (observations.length == 0) revert EmptySubmission();
        for (uint256 i; i < observations.length; ++i) {
            // Nothing an item puts in memory is used after it, so each item reuses the same memory:
            // without this, memory (whose cost grows with the square of its size) grows with every
            // item of a long batch.
            uint256 freeMemory;
            assembly ("memory-safe") {
                freeMemory := mload(0x40)
            }
            SignedObservation calldata o = observations[i];
            // A slot finalized before this item is reached (by a racing relayer, a witness's own
            // transaction, or a front-runner copying one item) is skipped: it must not sink the rest.
            bytes32 slot = observationSlot(o.header.streamHash, o.header.epochHash);
            if (_finalized[slot] == bytes32(0)) {
                if (o.signatures.length == 0) revert EmptySubmission();
                _checkHeader(o.header);
                if (_submit(slot, observationHash(o.header), o.header, o.deadline, o.signatures)) ++finalizedCount;
            }
            assembly ("memory-safe") {
                mstore(0x40, freeMemory)
            }
        }
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function finalize(ObservationHeader calldata header) external {
        (bytes32 slot, bytes32 hash) = _open(header);
        (uint256 memberMask, uint256 quorum) = _currentMembership();
        uint256 counted = _signOffs[hash] & memberMask;
        uint256 count = _popcount(counted);
        if (count < quorum) revert QuorumNotReached(hash, count, quorum);
        if (!_extendsStream(header)) {
            revert NotNextInStream(header.streamHash, header.parentObservationHash, header.sequence);
        }
        delete _signOffs[hash];
        _finalize(slot, hash, header, counted);
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function bridge(ObservationHeader calldata header) external {
        if (address(rail) == address(0)) revert BridgingOff();
        bytes32 slot = observationSlot(header.streamHash, header.epochHash);
        bytes32 hash = observationHash(header);
        bytes32 finalizedHash = _finalized[slot];
        if (finalizedHash != hash) revert NotFinalized(slot, hash, finalizedHash);
        // Here the rail's own error is the answer the caller needs, so it is not caught.
        rail.record(header.streamHash, header.epochHash, header.dataRoot, header.locatorHash);
    }

    // -- Reads --

    /// @inheritdoc IEveryChannelObservationLedger
    function finalizedObservation(bytes32 slot) external view returns (bytes32) {
        return _finalized[slot];
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function signOffsOf(bytes32 hash) external view returns (uint256) {
        return _signOffs[hash];
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function countSignOffs(bytes32 hash) external view returns (uint256 counted, uint256 quorum) {
        uint256 memberMask;
        (memberMask, quorum) = _currentMembership();
        counted = _popcount(_signOffs[hash] & memberMask);
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function streamHead(bytes32 streamHash) external view returns (bytes32) {
        return _streamHeads[streamHash];
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function isStreamHead(bytes32 streamHash, bytes32 hash, uint64 sequence) external view returns (bool) {
        return _streamHeads[streamHash] == _headCommitment(hash, sequence);
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function extendsStream(ObservationHeader calldata header) external view returns (bool) {
        return _extendsStream(header);
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function observationHash(ObservationHeader calldata header) public pure returns (bytes32 hash) {
        // keccak256(abi.encode(header)) without the ABI encoder's copy into new memory: the five
        // bytes32 fields are copied as they are, and the two uint64 fields are written from their
        // decoded values (decoding refuses a value above 64 bits), in the scratch memory past the
        // free memory pointer.
        uint64 observedUnixMs = header.observedUnixMs;
        uint64 sequence = header.sequence;
        assembly ("memory-safe") {
            let p := mload(0x40)
            calldatacopy(p, header, 160)
            mstore(add(p, 160), observedUnixMs)
            mstore(add(p, 192), sequence)
            hash := keccak256(p, 224)
        }
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function observationSlot(bytes32 streamHash, bytes32 epochHash) public pure returns (bytes32) {
        // keccak256(abi.encode(streamHash, epochHash)), in scratch space.
        return Hashes.efficientKeccak256(streamHash, epochHash);
    }

    /// @inheritdoc IEveryChannelObservationLedger
    function signOffDigest(bytes32 hash, uint64 deadline, uint8 witnessIndex) public view returns (bytes32) {
        // keccak256(abi.encode(SIGN_OFF_TYPEHASH, hash, deadline, witnessIndex)) past the free memory
        // pointer, which stays where it is: three of these per observation in a batch.
        bytes32 typeHash = SIGN_OFF_TYPEHASH;
        bytes32 structHash;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, typeHash)
            mstore(add(p, 0x20), hash)
            mstore(add(p, 0x40), deadline)
            mstore(add(p, 0x60), witnessIndex)
            structHash := keccak256(p, 0x80)
        }
        return _hashTypedDataV4(structHash);
    }

    // -- Internals --

    /// @dev Refuses a header that could never finalize, hashes it, and refuses a finalized slot before
    ///      any other work, so late sign-offs cost one storage read.
    function _open(ObservationHeader calldata header) private view returns (bytes32 slot, bytes32 hash) {
        _checkHeader(header);
        slot = observationSlot(header.streamHash, header.epochHash);
        bytes32 finalizedHash = _finalized[slot];
        if (finalizedHash != bytes32(0)) revert SlotAlreadyFinalized(slot, finalizedHash);
        hash = observationHash(header);
    }

    /// @dev Refuses a header that could never finalize.
    function _checkHeader(ObservationHeader calldata header) private pure {
        if (header.streamHash == bytes32(0)) revert ZeroHeaderField("streamHash");
        if (header.epochHash == bytes32(0)) revert ZeroHeaderField("epochHash");
        // The rail refuses a zero manifest hash, and a zero commitment to the data says nothing.
        if (header.dataRoot == bytes32(0)) revert ZeroHeaderField("dataRoot");
        // Sequence 0 opens a stream (parent 0); any later one names a finalized, hence non-zero, parent.
        if ((header.sequence == 0) != (header.parentObservationHash == bytes32(0))) {
            revert BrokenStreamLink(header.sequence, header.parentObservationHash);
        }
    }

    /// @dev Counts the signatures on an open slot's candidate (`hash`, of `header`) and finalizes it at
    ///      quorum, or records them as pending.
    function _submit(
        bytes32 slot,
        bytes32 hash,
        ObservationHeader calldata header,
        uint64 deadline,
        WitnessSignature[] calldata signatures
    ) private returns (bool) {
        (uint256 memberMask, uint256 quorum) = _currentMembership();
        uint256 bits = _signerBits(hash, deadline, signatures, memberMask);
        // Fast path: the signatures alone are a quorum of current members (_signerBits only returns
        // members), so the recorded sign-offs need not be read.
        if (_popcount(bits) >= quorum && _extendsStream(header)) {
            _finalize(slot, hash, header, bits);
            return true;
        }
        uint256 recorded = _signOffs[hash];
        // Re-relaying a recorded sign-off is harmless: sign-offs are a set.
        return _tally(slot, hash, header, recorded, bits & ~recorded, memberMask, quorum);
    }

    /// @dev Adds `newBits` to the candidate's recorded sign-offs, then finalizes if that reaches quorum
    ///      and the header extends its stream, or records them as pending.
    function _tally(
        bytes32 slot,
        bytes32 hash,
        ObservationHeader calldata header,
        uint256 recorded,
        uint256 newBits,
        uint256 memberMask,
        uint256 quorum
    ) private returns (bool) {
        uint256 all = recorded | newBits;
        uint256 counted = all & memberMask;
        if (_popcount(counted) >= quorum && _extendsStream(header)) {
            if (recorded != 0) delete _signOffs[hash];
            _finalize(slot, hash, header, counted);
            return true;
        }
        if (newBits != 0) {
            _signOffs[hash] = all;
            if (recorded == 0) emit ObservationProposed(slot, hash, header);
            emit SignedOff(hash, newBits);
        }
        return false;
    }

    /// @dev The index bits of the witnesses who signed; reverts for an expired deadline, a malformed
    ///      signature, a signature not made by the holder of the index it names, an index that no
    ///      longer belongs to a member, or an index that appears twice.
    function _signerBits(bytes32 hash, uint64 deadline, WitnessSignature[] calldata signatures, uint256 memberMask)
        private
        view
        returns (uint256 bits)
    {
        // Deadlines are unix seconds with a margin of minutes to days; a block producer's few
        // seconds of timestamp leeway do not matter here.
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp > deadline) revert SignatureExpired(hash, deadline, block.timestamp);
        for (uint256 i; i < signatures.length; ++i) {
            WitnessSignature calldata s = signatures[i];
            bytes32 digest = signOffDigest(hash, deadline, s.witnessIndex);
            // tryRecover rejects high s and a zero recovery (OpenZeppelin ECDSA).
            (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, s.r, s.vs);
            if (err != ECDSA.RecoverError.NoError) revert InvalidSignature(i);
            // The index must be the signer's: a signature over another index, observation, deadline,
            // chain or ledger recovers to someone else.
            if (witnessAt(s.witnessIndex) != signer) revert SignatureNotFromWitness(s.witnessIndex, signer);
            uint256 bit = uint256(1) << s.witnessIndex;
            // The index was its signer's, but it is no longer a member's: removed (and, if added back,
            // signing under a new index).
            if (memberMask & bit == 0) revert WitnessIndexRetired(s.witnessIndex, signer);
            if (bits & bit != 0) revert DuplicateWitness(signer);
            bits |= bit;
        }
    }

    function _finalize(bytes32 slot, bytes32 hash, ObservationHeader calldata header, uint256 counted) private {
        _finalized[slot] = hash;
        _streamHeads[header.streamHash] = _headCommitment(hash, header.sequence);
        emit ObservationFinalized(slot, hash, header.streamHash, header, counted);
        if (address(rail) != address(0)) _recordInRail(slot, hash, header);
    }

    /// @dev Records a finalized slot in the rail without letting the rail undo the finalization. The
    ///      call gets exactly BRIDGE_GAS (a caller that sends too little gas for that is refused, so
    ///      nobody can starve the call to finalize unbridged on purpose). It is a low-level call that
    ///      copies back at most one word, so nothing the rail returns or reverts with can fail or
    ///      bloat this transaction: not a revert, not a huge revert reason, not a missing return
    ///      value (a fallback, or an address whose code is gone). Only the slot coming back, as
    ///      EveryChannelRail.record returns it, counts as recorded; anything else is a
    ///      BridgeDeferred with the rail's error selector (zero when there is none).
    function _recordInRail(bytes32 slot, bytes32 hash, ObservationHeader calldata header) private {
        uint256 left = gasleft();
        if (left < _BRIDGE_GAS_NEEDED) revert InsufficientGasForBridge(left, _BRIDGE_GAS_NEEDED);
        bytes memory data = abi.encodeCall(
            IEveryChannelRail.record, (header.streamHash, header.epochHash, header.dataRoot, header.locatorHash)
        );
        address target = address(rail);
        bool ok;
        bytes32 word;
        uint256 size;
        // Assembly because Solidity's call would copy all return data into memory. This copies
        // at most 32 bytes into the scratch word, cleared first.
        assembly ("memory-safe") {
            mstore(0x00, 0)
            ok := call(BRIDGE_GAS, target, 0, add(data, 0x20), mload(data), 0x00, 0x20)
            word := mload(0x00)
            size := returndatasize()
        }
        if (ok && size == 32 && word == slot) return;
        emit BridgeDeferred(slot, hash, !ok && size >= 4 ? bytes4(word) : bytes4(0));
    }

    /// @dev A stream's first observation has sequence 0 and parent 0; a later one must name the head
    ///      as its parent and carry the head's sequence + 1. The head is kept as one commitment word.
    function _extendsStream(ObservationHeader calldata header) private view returns (bool) {
        bytes32 head = _streamHeads[header.streamHash];
        if (header.sequence == 0) return head == bytes32(0) && header.parentObservationHash == bytes32(0);
        return head == _headCommitment(header.parentObservationHash, header.sequence - 1);
    }

    function _headCommitment(bytes32 hash, uint64 sequence) private pure returns (bytes32) {
        // keccak256(abi.encode(hash, sequence)), in scratch space.
        return Hashes.efficientKeccak256(hash, bytes32(uint256(sequence)));
    }

    /// @dev Counts set bits; at most one loop turn per witness.
    function _popcount(uint256 x) private pure returns (uint256 count) {
        // Unchecked is safe: x - 1 runs only while x != 0, and count <= 256.
        unchecked {
            while (x != 0) {
                x &= x - 1;
                ++count;
            }
        }
    }
}
