// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TestBase} from "./TestBase.sol";
import {lastWitnessIndex} from "./WitnessIndex.sol";
import {EveryChannelObservationLedger} from "../../src/EveryChannelObservationLedger.sol";
import {EveryChannelRail} from "../../src/EveryChannelRail.sol";
import {IEveryChannelObservationLedger as L} from "../../src/interfaces/IEveryChannelObservationLedger.sol";
import {IEveryChannelRail} from "../../src/interfaces/IEveryChannelRail.sol";

/// @notice Five witnesses (keys WITNESS_KEY_BASE + 0..4), quorum 3, a ledger with bridging off.
abstract contract LedgerFixture is TestBase {
    uint256 internal constant WITNESS_KEY_BASE = 0xA11CE000;
    uint256 internal constant N = 5;
    uint256 internal constant QUORUM = 3;
    bytes32 internal constant STREAM = keccak256("atsc/KQED/9.1");

    address internal owner = address(0x0D0E);
    /// @dev The ledger is its own witness registry; `registry` names the same contract where a test
    ///      is about membership.
    EveryChannelObservationLedger internal ledger;
    EveryChannelObservationLedger internal registry;
    address[] internal witnessList;

    function setUp() public virtual {
        vm.warp(1_790_000_000);
        for (uint256 i; i < N; ++i) {
            witnessList.push(vm.addr(WITNESS_KEY_BASE + i));
        }
        ledger = new EveryChannelObservationLedger(owner, witnessList, QUORUM, IEveryChannelRail(address(0)));
        registry = ledger;
    }

    function w(uint256 i) internal view returns (address) {
        return witnessList[i];
    }

    function key(uint256 i) internal pure returns (uint256) {
        return WITNESS_KEY_BASE + i;
    }

    /// @dev The header of `stream` at `sequence` on top of `parent`; `variant` changes the dataRoot,
    ///      i.e. a competing candidate for the same slot.
    function header(bytes32 stream, uint64 sequence, bytes32 parent, uint256 variant)
        internal
        pure
        returns (L.ObservationHeader memory h)
    {
        h.streamHash = stream;
        h.epochHash = keccak256(abi.encode("epoch", sequence));
        h.parentObservationHash = parent;
        h.dataRoot = keccak256(abi.encode("data", stream, sequence, variant));
        h.locatorHash = keccak256(abi.encode("locator", stream, sequence));
        h.observedUnixMs = 1_790_000_000_000 + uint64(sequence) * 6000;
        h.sequence = sequence;
    }

    function first() internal pure returns (L.ObservationHeader memory) {
        return header(STREAM, 0, bytes32(0), 0);
    }

    function hashOf(L.ObservationHeader memory h) internal pure returns (bytes32) {
        return keccak256(abi.encode(h));
    }

    function slotOf(L.ObservationHeader memory h) internal pure returns (bytes32) {
        return keccak256(abi.encode(h.streamHash, h.epochHash));
    }

    /// @dev A signature by `privateKey` under the registry index its address holds (index 0 for an
    ///      address that never held one).
    function sig(uint256 privateKey, bytes32 hash, uint64 deadline) internal view returns (L.WitnessSignature memory) {
        return sigAt(privateKey, indexOf(vm.addr(privateKey)), hash, deadline);
    }

    /// @dev A signature by `privateKey` that names registry index `index`.
    function sigAt(uint256 privateKey, uint8 index, bytes32 hash, uint64 deadline)
        internal
        view
        returns (L.WitnessSignature memory s)
    {
        s.witnessIndex = index;
        (s.r, s.vs) = vm.signCompact(privateKey, ledger.signOffDigest(hash, deadline, index));
    }

    /// @dev The registry index `account` holds or last held, or 0 if it never held one.
    function indexOf(address account) internal view returns (uint8) {
        return lastWitnessIndex(ledger, account);
    }

    /// @dev Observations 0..n-1 of STREAM, each on the previous one, signed by witnesses 0, 2 and 4;
    ///      and the hash of the last.
    function chainBatch(uint64 n) internal view returns (L.SignedObservation[] memory batch, bytes32 parent) {
        batch = new L.SignedObservation[](n);
        for (uint64 i; i < n; ++i) {
            batch[i].header = header(STREAM, i, parent, 0);
            batch[i].signatures = sigs(batch[i].header, ids(0, 2, 4));
            batch[i].deadline = dl();
            parent = hashOf(batch[i].header);
        }
    }

    /// @dev The deadline the fixture's witnesses sign: an hour from now.
    function dl() internal view returns (uint64) {
        return uint64(block.timestamp + 3600);
    }

    /// @dev Signatures of witnesses `idx` (registry order) over `h`, until dl().
    function sigs(L.ObservationHeader memory h, uint256[] memory idx) internal view returns (L.WitnessSignature[] memory s) {
        s = new L.WitnessSignature[](idx.length);
        for (uint256 i; i < idx.length; ++i) {
            s[i] = sig(key(idx[i]), hashOf(h), dl());
        }
    }

    function ids(uint256 a) internal pure returns (uint256[] memory r) {
        r = new uint256[](1);
        r[0] = a;
    }

    function ids(uint256 a, uint256 b) internal pure returns (uint256[] memory r) {
        r = new uint256[](2);
        (r[0], r[1]) = (a, b);
    }

    function ids(uint256 a, uint256 b, uint256 c) internal pure returns (uint256[] memory r) {
        r = new uint256[](3);
        (r[0], r[1], r[2]) = (a, b, c);
    }

    function signOffAs(uint256 i, L.ObservationHeader memory h) internal returns (bool) {
        vm.prank(w(i));
        return ledger.signOff(h);
    }
}
