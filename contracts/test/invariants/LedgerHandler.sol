// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TestBase} from "../utils/TestBase.sol";
import {lastWitnessIndex} from "../utils/WitnessIndex.sol";
import {Vm} from "../utils/Vm.sol";
import {EveryChannelObservationLedger} from "../../src/EveryChannelObservationLedger.sol";
import {EveryChannelRail} from "../../src/EveryChannelRail.sol";
import {IEveryChannelObservationLedger as L} from "../../src/interfaces/IEveryChannelObservationLedger.sol";
import {IEveryChannelRail} from "../../src/interfaces/IEveryChannelRail.sol";
import {IEveryChannelWitnessRegistry as R} from "../../src/interfaces/IEveryChannelWitnessRegistry.sol";

/// @notice Drives a bridging ledger with random witnesses, candidates, sign-offs in both modes,
///         batches, finalize calls, membership and quorum changes (removed witnesses get added back),
///         replays of signatures made under earlier memberships, and a rail whose owner authorizes
///         and drops the ledger while another publisher writes the same slots. It checks every
///         finalization as it happens (from the ObservationFinalized log) and keeps ghost counters of
///         violations.
contract LedgerHandler is TestBase {
    uint256 internal constant KEY_BASE = 0xA11CE000;
    uint256 internal constant ACTORS = 8;
    uint256 internal constant STREAMS = 2;
    uint256 internal constant LOOKAHEAD = 3;
    uint256 internal constant STASH = 16;

    EveryChannelObservationLedger public immutable ledger;
    EveryChannelObservationLedger public immutable registry;
    EveryChannelRail public immutable rail;
    address internal immutable owner;
    address public constant FOREIGN_PUBLISHER = address(0xF0F0);

    /// @dev A signature the handler made, kept to be replayed later.
    struct Stashed {
        L.ObservationHeader header;
        uint64 deadline;
        L.WitnessSignature signature;
        address signer;
    }

    Stashed[STASH] internal _stash;
    uint256 internal _stashed;

    // -- Ghost state --

    mapping(bytes32 slot => bytes32) public ghost_slotHash;
    bytes32[] public ghost_slots;
    mapping(uint256 stream => mapping(uint64 sequence => bytes32)) public ghost_chain;
    mapping(uint256 stream => uint64) public ghost_length;
    /// @dev Registry indices that really signed off on a candidate (recorded only when the call
    ///      that carried the sign-off succeeded).
    mapping(bytes32 observationHash => uint256) public ghost_signers;

    uint256 public ghost_finalizations;
    uint256 public ghost_doubleFinalizations;
    uint256 public ghost_chainBreaks;
    uint256 public ghost_underQuorum;
    uint256 public ghost_countedNonMembers;
    uint256 public ghost_countedUnsigned;
    uint256 public ghost_countedTwice;
    uint256 public ghost_expiredAccepted;
    uint256 public ghost_unexpectedReverts;
    bytes4 public ghost_lastUnexpected;

    /// @dev Replayed signatures that were accepted although their index is not their signer's now.
    uint256 public ghost_staleAccepted;
    /// @dev Replays refused because the signer's index was retired (removed, maybe added back).
    uint256 public ghost_staleRefused;
    uint256 public ghost_readdedWitnesses;
    mapping(address => bool) internal _everRemoved;

    /// @dev Bridge bookkeeping: the finalized header of each slot, whether its rail copy was deferred,
    ///      and deferrals that happened while the ledger was an authorized publisher.
    mapping(bytes32 slot => L.ObservationHeader) internal _finalHeader;
    mapping(bytes32 slot => bool) public ghost_deferred;
    uint256 public ghost_deferrals;
    uint256 public ghost_deferredWhileAuthorized;
    uint256 public ghost_finalizedWhileUnauthorized;
    uint256 public ghost_bridgeRetries;

    constructor(EveryChannelObservationLedger ledger_, address owner_, EveryChannelRail rail_) {
        ledger = ledger_;
        registry = ledger_;
        owner = owner_;
        rail = rail_;
    }

    // -- Actions --

    function signOffTx(uint256 actorSeed, uint256 streamSeed, uint256 levelSeed, uint256 variantSeed) external {
        address actor = _actor(actorSeed);
        L.ObservationHeader memory h = _pick(streamSeed, levelSeed, variantSeed);
        uint256 bit = _bitOf(actor);
        vm.recordLogs();
        vm.prank(actor);
        try ledger.signOff(h) {
            ghost_signers[_hash(h)] |= bit;
            _afterCall();
        } catch (bytes memory err) {
            _expect(err);
        }
    }

    function relay(uint256 subset, uint256 streamSeed, uint256 levelSeed, uint256 variantSeed, bool expired) external {
        // Expired signatures 1 time in 8 only, so that relays mostly get through.
        expired = expired && subset % 8 == 0;
        L.ObservationHeader memory h = _pick(streamSeed, levelSeed, variantSeed);
        uint64 deadline = _deadline(expired);
        (L.WitnessSignature[] memory s, uint256 bits) = _sign(h, subset, deadline);
        vm.recordLogs();
        try ledger.submitSignOffs(h, deadline, s) {
            if (expired) ++ghost_expiredAccepted;
            ghost_signers[_hash(h)] |= bits;
            _afterCall();
        } catch (bytes memory err) {
            _expect(err);
        }
    }

    /// @dev A run of consecutive observations of one stream, each signed by the same witnesses.
    function relayBatch(uint256 subset, uint256 streamSeed, uint256 count, uint256 variantSeed) external {
        uint256 stream = streamSeed % STREAMS;
        count = bound(count, 1, 4);
        uint256 variant = variantSeed % 2;
        L.SignedObservation[] memory batch = new L.SignedObservation[](count);
        uint256[] memory bits = new uint256[](count);
        uint64 level = ghost_length[stream];
        for (uint256 i; i < count; ++i) {
            batch[i].header = _candidate(stream, level + uint64(i), variant);
            batch[i].deadline = _deadline(false);
            (batch[i].signatures, bits[i]) = _sign(batch[i].header, subset, batch[i].deadline);
        }
        vm.recordLogs();
        try ledger.submitSignOffBatch(batch) {
            for (uint256 i; i < count; ++i) ghost_signers[_hash(batch[i].header)] |= bits[i];
            _afterCall();
        } catch (bytes memory err) {
            _expect(err);
        }
    }

    function finalize(uint256 streamSeed, uint256 levelSeed, uint256 variantSeed) external {
        L.ObservationHeader memory h = _pick(streamSeed, levelSeed, variantSeed);
        vm.recordLogs();
        try ledger.finalize(h) {
            _afterCall();
        } catch (bytes memory err) {
            _expect(err);
        }
    }

    function addWitness(uint256 actorSeed, uint256 quorumSeed) external {
        address actor = _actor(actorSeed);
        address[] memory add = new address[](1);
        add[0] = actor;
        uint256 count = registry.witnessCount() + 1;
        uint256 q = count / 2 + 1 + quorumSeed % 2;
        vm.prank(owner);
        try registry.updateWitnesses(add, new address[](0), q) {
            if (_everRemoved[actor]) ++ghost_readdedWitnesses;
        } catch (bytes memory err) {
            _expect(err);
        }
    }

    function removeWitness(uint256 actorSeed) external {
        address actor = _actor(actorSeed);
        vm.prank(owner);
        try registry.removeWitness(actor) {
            _everRemoved[actor] = true;
        } catch (bytes memory err) {
            _expect(err);
        }
    }

    /// @dev Relays, on its own, a signature made earlier, maybe under a membership that has ended
    ///      since (its witness removed, and perhaps added back under a new index).
    function replay(uint256 seed) external {
        uint256 n = _stashed < STASH ? _stashed : STASH;
        if (n == 0) return;
        Stashed memory e = _stash[seed % n];
        L.WitnessSignature[] memory s = new L.WitnessSignature[](1);
        s[0] = e.signature;
        (uint256 index, bool active) = registry.witnessIndex(e.signer);
        bool current = active && index == e.signature.witnessIndex;
        vm.recordLogs();
        try ledger.submitSignOffs(e.header, e.deadline, s) {
            if (!current) ++ghost_staleAccepted;
            ghost_signers[_hash(e.header)] |= uint256(1) << e.signature.witnessIndex;
            _afterCall();
        } catch (bytes memory err) {
            if (bytes4(err) == L.WitnessIndexRetired.selector) ++ghost_staleRefused;
            _expect(err);
        }
    }

    // -- The rail side of the bridge --

    /// @dev The rail's owner authorizes or drops the ledger as a publisher.
    function setLedgerPublisher(bool authorized) external {
        vm.prank(owner);
        rail.setPublisher(address(ledger), authorized);
    }

    /// @dev Another publisher records its own values for a slot the ledger finalized (or will).
    function foreignRecord(uint256 slotSeed, bytes32 manifestHash, bytes32 pointer) external {
        if (manifestHash == bytes32(0)) manifestHash = keccak256(abi.encode(slotSeed));
        L.ObservationHeader memory h = _slotHeader(slotSeed);
        vm.prank(FOREIGN_PUBLISHER);
        rail.record(h.streamHash, h.epochHash, manifestHash, pointer);
    }

    /// @dev Anyone retries the rail copy of a finalized slot.
    function bridgeRetry(uint256 slotSeed) external {
        if (ghost_slots.length == 0) return;
        bytes32 slot = ghost_slots[slotSeed % ghost_slots.length];
        try ledger.bridge(_finalHeader[slot]) {
            ++ghost_bridgeRetries;
        } catch (bytes memory err) {
            // The only acceptable refusal is the rail's own, while the ledger is not its publisher.
            if (bytes4(err) == IEveryChannelRail.NotPublisher.selector && !rail.isPublisher(address(ledger))) return;
            ++ghost_unexpectedReverts;
            ghost_lastUnexpected = bytes4(err);
        }
    }

    function setQuorum(uint256 q) external {
        vm.prank(owner);
        try registry.setQuorum(bound(q, 0, 8)) {} catch (bytes memory err) {
            _expect(err);
        }
    }

    // -- Reads for the invariants --

    function slotCount() external view returns (uint256) {
        return ghost_slots.length;
    }

    function streamHash(uint256 stream) public pure returns (bytes32) {
        return keccak256(abi.encode("stream", stream));
    }

    /// @dev The header `slot` finalized with (zeros if it did not).
    function finalHeader(bytes32 slot) external view returns (L.ObservationHeader memory) {
        return _finalHeader[slot];
    }

    // -- Candidates --

    /// @dev Either a well-formed candidate at or a little past the stream's head, or (1 in 8) a
    ///      malformed one: a wrong parent or a skipped sequence. Malformed ones must never finalize.
    function _pick(uint256 streamSeed, uint256 levelSeed, uint256 variantSeed)
        internal
        view
        returns (L.ObservationHeader memory h)
    {
        uint256 stream = streamSeed % STREAMS;
        uint64 level = ghost_length[stream] + uint64(levelSeed % LOOKAHEAD);
        h = _candidate(stream, level, variantSeed % 2);
        uint256 mode = (variantSeed >> 8) % 16;
        if (mode == 14) h.parentObservationHash = keccak256(abi.encode("bogus", variantSeed));
        if (mode == 15) h.sequence += 1;
    }

    /// @dev Variant v of level `level`: its parent is the finalized observation of the level below if
    ///      there is one, else variant v of the level below.
    function _candidate(uint256 stream, uint64 level, uint256 variant)
        internal
        view
        returns (L.ObservationHeader memory h)
    {
        h.streamHash = streamHash(stream);
        h.epochHash = keccak256(abi.encode("epoch", level));
        if (level > 0) {
            bytes32 finalParent = ghost_chain[stream][level - 1];
            h.parentObservationHash = level - 1 < ghost_length[stream]
                ? finalParent
                : _hash(_candidate(stream, level - 1, variant));
        }
        h.dataRoot = keccak256(abi.encode("data", stream, level, variant));
        h.locatorHash = keccak256(abi.encode("locator", stream, level));
        h.observedUnixMs = 1_790_000_000_000 + level * 6000;
        h.sequence = level;
    }

    /// @dev A finalized slot's header, or a fresh level's, for rail writes.
    function _slotHeader(uint256 slotSeed) internal view returns (L.ObservationHeader memory) {
        if (ghost_slots.length > 0 && slotSeed % 4 != 0) return _finalHeader[ghost_slots[slotSeed % ghost_slots.length]];
        uint256 stream = slotSeed % STREAMS;
        return _candidate(stream, ghost_length[stream], 0);
    }

    function _deadline(bool expired) internal view returns (uint64) {
        return expired ? uint64(block.timestamp - 1) : uint64(block.timestamp + 600);
    }

    /// @dev Signatures of a subset of the current members, each under its signer's index (an
    ///      outsider names the index it last held, or 0); now and then an outsider is added or a
    ///      signature repeated, which must be refused. Members' signatures are stashed for replays.
    function _sign(L.ObservationHeader memory h, uint256 subset, uint64 deadline)
        internal
        returns (L.WitnessSignature[] memory s, uint256 bits)
    {
        address[] memory members = registry.witnesses();
        uint256[] memory keys = new uint256[](members.length + 2);
        uint256 n;
        for (uint256 i; i < ACTORS; ++i) {
            address a = vm.addr(KEY_BASE + i);
            bool member = registry.isWitness(a);
            bool pick = member ? subset & (1 << i) != 0 : (subset >> 8) % 8 == i;
            if (pick) keys[n++] = KEY_BASE + i;
        }
        if (n == 0) keys[n++] = KEY_BASE + subset % ACTORS;
        if ((subset >> 11) % 16 == 15) keys[n++] = keys[0];
        s = new L.WitnessSignature[](n);
        for (uint256 i; i < n; ++i) {
            address signer = vm.addr(keys[i]);
            s[i].witnessIndex = lastWitnessIndex(registry, signer);
            (s[i].r, s[i].vs) = vm.signCompact(keys[i], ledger.signOffDigest(_hash(h), deadline, s[i].witnessIndex));
            uint256 bit = _bitOf(signer);
            bits |= bit;
            if (bit != 0) _stash[_stashed++ % STASH] = Stashed(h, deadline, s[i], signer);
        }
    }

    // -- Checks --

    /// @dev Checks each ObservationFinalized the call emitted.
    function _afterCall() internal {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bool authorized = rail.isPublisher(address(ledger));
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(ledger)) continue;
            if (logs[i].topics[0] == L.ObservationFinalized.selector) {
                bytes32 slot = logs[i].topics[1];
                bytes32 hash = logs[i].topics[2];
                (L.ObservationHeader memory h, uint256 counted) =
                    abi.decode(logs[i].data, (L.ObservationHeader, uint256));
                _checkFinalization(slot, hash, h, counted);
                _finalHeader[slot] = h;
                if (!authorized) ++ghost_finalizedWhileUnauthorized;
            } else if (logs[i].topics[0] == L.BridgeDeferred.selector) {
                ghost_deferred[logs[i].topics[1]] = true;
                ++ghost_deferrals;
                if (authorized) ++ghost_deferredWhileAuthorized;
            }
        }
    }

    function _checkFinalization(bytes32 slot, bytes32 hash, L.ObservationHeader memory h, uint256 counted) internal {
        ++ghost_finalizations;
        if (ghost_slotHash[slot] != bytes32(0)) ++ghost_doubleFinalizations;
        ghost_slotHash[slot] = hash;
        ghost_slots.push(slot);

        uint256 stream = h.streamHash == streamHash(0) ? 0 : 1;
        bytes32 expectedParent = h.sequence == 0 ? bytes32(0) : ghost_chain[stream][h.sequence - 1];
        if (h.sequence != ghost_length[stream] || h.parentObservationHash != expectedParent) ++ghost_chainBreaks;
        ghost_chain[stream][h.sequence] = hash;
        if (h.sequence + 1 > ghost_length[stream]) ghost_length[stream] = h.sequence + 1;

        (uint256 memberMask, uint256 quorum) = registry.membership();
        uint256 n;
        address[] memory seen = new address[](ACTORS);
        for (uint256 i; i < 256; ++i) {
            if (counted & (uint256(1) << i) == 0) continue;
            address who = registry.witnessAt(i);
            for (uint256 j; j < n; ++j) if (seen[j] == who) ++ghost_countedTwice;
            if (n < ACTORS) seen[n] = who;
            ++n;
        }
        if (n < quorum) ++ghost_underQuorum;
        if (counted & ~memberMask != 0) ++ghost_countedNonMembers;
        if (counted & ~ghost_signers[hash] != 0) ++ghost_countedUnsigned;
    }

    function _expect(bytes memory err) internal {
        bytes4 sel = bytes4(err);
        // Rail errors and InsufficientGasForBridge are not here: the bridge must never stop a call.
        if (
            sel == L.SlotAlreadyFinalized.selector || sel == L.AlreadySignedOff.selector
                || sel == L.QuorumNotReached.selector || sel == L.NotNextInStream.selector
                || sel == L.SignatureExpired.selector || sel == R.NotAWitness.selector
                || sel == R.DuplicateWitness.selector || sel == R.AlreadyWitness.selector
                || sel == R.QuorumZero.selector || sel == R.QuorumUnreachable.selector
                || sel == R.QuorumNotMajority.selector || sel == L.SignatureNotFromWitness.selector
                || sel == L.WitnessIndexRetired.selector || sel == L.BrokenStreamLink.selector
        ) return;
        ++ghost_unexpectedReverts;
        ghost_lastUnexpected = sel;
    }

    // -- Helpers --

    function _actor(uint256 seed) internal pure returns (address) {
        return vm.addr(KEY_BASE + seed % ACTORS);
    }

    /// @dev The registry bit of `account` if it is a member now, else 0.
    function _bitOf(address account) internal view returns (uint256) {
        if (!registry.isWitness(account)) return 0;
        (uint256 index,) = registry.witnessIndex(account);
        return uint256(1) << index;
    }

    function _hash(L.ObservationHeader memory h) internal pure returns (bytes32) {
        return keccak256(abi.encode(h));
    }
}
