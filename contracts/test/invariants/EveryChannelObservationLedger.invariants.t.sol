// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TestBase} from "../utils/TestBase.sol";
import {LedgerHandler} from "./LedgerHandler.sol";
import {EveryChannelObservationLedger} from "../../src/EveryChannelObservationLedger.sol";
import {EveryChannelRail} from "../../src/EveryChannelRail.sol";
import {IEveryChannelObservationLedger as L} from "../../src/interfaces/IEveryChannelObservationLedger.sol";
import {IEveryChannelRail} from "../../src/interfaces/IEveryChannelRail.sol";

/// @notice The ledger's invariants (contracts/docs/Invariants.md), checked after every handler call.
contract EveryChannelObservationLedgerInvariants is TestBase {
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    LedgerHandler internal handler;
    EveryChannelObservationLedger internal ledger;
    EveryChannelObservationLedger internal registry;
    EveryChannelRail internal rail;

    /// @dev The ledger bridges into a rail (the superset of behaviour: finality is the same with
    ///      bridging off, which the unit tests cover); the rail's owner is the ledger's owner.
    function setUp() public {
        vm.warp(1_790_000_000);
        address owner = address(0x0D0E);
        address[] memory initial = new address[](5);
        for (uint256 i; i < 5; ++i) initial[i] = vm.addr(0xA11CE000 + i);
        rail = new EveryChannelRail(owner);
        ledger = new EveryChannelObservationLedger(owner, initial, 3, IEveryChannelRail(address(rail)));
        registry = ledger;
        handler = new LedgerHandler(ledger, owner, rail);
        vm.startPrank(owner);
        rail.setPublisher(address(ledger), true);
        rail.setPublisher(handler.FOREIGN_PUBLISHER(), true);
        vm.stopPrank();
    }

    /// @dev Read by forge: fuzz only the handler.
    function targetContracts() public view returns (address[] memory t) {
        t = new address[](1);
        t[0] = address(handler);
    }

    /// @dev Read by forge: the handler's actions, weighted toward sign-offs.
    function targetSelectors() public view returns (FuzzSelector[] memory t) {
        bytes4[] memory s = new bytes4[](15);
        s[0] = LedgerHandler.signOffTx.selector;
        s[1] = LedgerHandler.signOffTx.selector;
        s[2] = LedgerHandler.signOffTx.selector;
        s[3] = LedgerHandler.relay.selector;
        s[4] = LedgerHandler.relay.selector;
        s[5] = LedgerHandler.relayBatch.selector;
        s[6] = LedgerHandler.finalize.selector;
        s[7] = LedgerHandler.addWitness.selector;
        s[8] = LedgerHandler.removeWitness.selector;
        s[9] = LedgerHandler.setQuorum.selector;
        s[10] = LedgerHandler.replay.selector;
        s[11] = LedgerHandler.replay.selector;
        s[12] = LedgerHandler.setLedgerPublisher.selector;
        s[13] = LedgerHandler.foreignRecord.selector;
        s[14] = LedgerHandler.bridgeRetry.selector;
        t = new FuzzSelector[](1);
        t[0] = FuzzSelector(address(handler), s);
    }

    function invariant_slot_FinalizesAtMostOnceAndNeverChanges() public view {
        assertEq(handler.ghost_doubleFinalizations(), 0, "a slot finalized twice");
        uint256 n = handler.slotCount();
        for (uint256 i; i < n; ++i) {
            bytes32 slot = handler.ghost_slots(i);
            assertEq(ledger.finalizedObservation(slot), handler.ghost_slotHash(slot), "finalized hash changed");
        }
    }

    function invariant_finalization_HadQuorumOfMembersWhoSignedOff() public view {
        assertEq(handler.ghost_underQuorum(), 0, "finalized below quorum");
        assertEq(handler.ghost_countedNonMembers(), 0, "counted a non-member");
        assertEq(handler.ghost_countedUnsigned(), 0, "counted a witness that did not sign off");
    }

    function invariant_stream_ChainNeverForksOrSkips() public view {
        assertEq(handler.ghost_chainBreaks(), 0, "chain forked or skipped");
        for (uint256 s; s < 2; ++s) {
            uint64 len = handler.ghost_length(s);
            bytes32 stream = handler.streamHash(s);
            if (len == 0) {
                assertEq(ledger.streamHead(stream), bytes32(0), "no head before the first");
            } else {
                assertTrue(ledger.isStreamHead(stream, handler.ghost_chain(s, len - 1), len - 1), "head is the last finalized");
            }
        }
    }

    function invariant_witness_CountedOnce() public view {
        assertEq(handler.ghost_countedTwice(), 0, "a witness counted twice");
    }

    function invariant_signature_DeadlineHolds() public view {
        assertEq(handler.ghost_expiredAccepted(), 0, "an expired signature was accepted");
    }

    function invariant_signature_NeverOutlivesItsMembership() public view {
        assertEq(handler.ghost_staleAccepted(), 0, "a signature from an ended membership was accepted");
    }

    function invariant_bridge_NeverBlocksFinality() public view {
        assertEq(handler.ghost_deferredWhileAuthorized(), 0, "the rail copy failed while the ledger was authorized");
        // Finality calls never revert with a rail error: those are not in the handler's expected list.
        assertEq(handler.ghost_unexpectedReverts(), 0, "unexpected revert");
    }

    function invariant_bridge_RailHoldsOnlyFinalizedValues() public view {
        uint256 n = handler.slotCount();
        for (uint256 i; i < n; ++i) {
            bytes32 slot = handler.ghost_slots(i);
            L.ObservationHeader memory h = handler.finalHeader(slot);
            IEveryChannelRail.Entry memory e = rail.entryAt(address(ledger), slot);
            if (e.manifestHash == bytes32(0)) {
                assertTrue(handler.ghost_deferred(slot), "a slot is missing from the rail without a BridgeDeferred");
            } else {
                assertEq(e.manifestHash, h.dataRoot, "rail manifest is the finalized dataRoot");
                assertEq(e.transportPointer, h.locatorHash, "rail pointer is the finalized locatorHash");
            }
        }
    }

    function invariant_registry_RulesHold() public view {
        uint256 q = registry.quorum();
        uint256 n = registry.witnessCount();
        assertTrue(q > 0 && q <= n && 2 * q > n, "quorum rules");
    }

    function invariant_handler_OnlyExpectedReverts() public view {
        assertEq(handler.ghost_unexpectedReverts(), 0, "unexpected revert");
    }

    /// @dev Not an invariant: proves the handler reaches finalization, so the invariants above are
    ///      not vacuous. Relays the next observation of each stream with members 0..2 a few times.
    function test_handler_ReachesFinalization() public {
        for (uint256 i; i < 6; ++i) {
            handler.relay(7, i % 2, 0, 0, false);
        }
        assertEq(handler.ghost_finalizations(), 6, "six finalized");
        assertEq(handler.ghost_length(0), 3, "three on stream 0");
        handler.relayBatch(7, 1, 4, 0);
        assertEq(handler.ghost_length(1), 7, "batch of four on stream 1");
        assertEq(handler.ghost_unexpectedReverts(), 0, "no unexpected reverts");
    }

    /// @dev Not an invariant: the handler reaches a re-added witness replaying a signature from its
    ///      earlier membership, and the ledger refuses it.
    function test_handler_ReplaysSignatureOfReaddedWitness() public {
        // Witnesses 0..2 (subset 7) sign stream 0's first observation; it finalizes and is stashed.
        handler.relay(7, 0, 0, 0, false);
        // A pending candidate on stream 1 signed by witness 0 alone (subset 1), stashed too.
        handler.relay(1, 1, 0, 0, false);
        // Witness 0 is removed, then added back under a new index.
        handler.removeWitness(0);
        handler.addWitness(0, 0);
        assertEq(handler.ghost_readdedWitnesses(), 1, "re-added");
        // Stash slot 3 holds witness 0's stream-1 signature under its old index.
        handler.replay(3);
        assertEq(handler.ghost_staleRefused(), 1, "old signature refused");
        assertEq(handler.ghost_staleAccepted(), 0, "never accepted");
        assertEq(handler.ghost_unexpectedReverts(), 0, "no unexpected reverts");
    }

    /// @dev Not an invariant: the handler reaches finalization while the rail refuses the ledger, the
    ///      rail copy is deferred, a foreign publisher writes the slot, and a retry records it.
    function test_handler_ReachesDeferredBridgeAndRetry() public {
        handler.setLedgerPublisher(false);
        handler.relay(7, 0, 0, 0, false);
        assertEq(handler.ghost_finalizedWhileUnauthorized(), 1, "finalized while unauthorized");
        assertEq(handler.ghost_deferrals(), 1, "deferred");
        handler.foreignRecord(1, keccak256("forged"), keccak256("elsewhere"));
        handler.bridgeRetry(0);
        assertEq(handler.ghost_bridgeRetries(), 0, "retry refused while unauthorized");
        handler.setLedgerPublisher(true);
        handler.bridgeRetry(0);
        assertEq(handler.ghost_bridgeRetries(), 1, "retry recorded");
        bytes32 slot = handler.ghost_slots(0);
        assertEq(rail.entryAt(address(ledger), slot).manifestHash, handler.finalHeader(slot).dataRoot, "recorded");
        assertEq(handler.ghost_unexpectedReverts(), 0, "no unexpected reverts");
    }
}
