// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TestBase} from "../utils/TestBase.sol";
import {LedgerHandler} from "./LedgerHandler.sol";
import {EveryChannelObservationLedger} from "../../src/EveryChannelObservationLedger.sol";
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

    function setUp() public {
        vm.warp(1_790_000_000);
        address owner = address(0x0D0E);
        address[] memory initial = new address[](5);
        for (uint256 i; i < 5; ++i) initial[i] = vm.addr(0xA11CE000 + i);
        ledger = new EveryChannelObservationLedger(owner, initial, 3, IEveryChannelRail(address(0)));
        registry = ledger;
        handler = new LedgerHandler(ledger, owner);
    }

    /// @dev Read by forge: fuzz only the handler.
    function targetContracts() public view returns (address[] memory t) {
        t = new address[](1);
        t[0] = address(handler);
    }

    /// @dev Read by forge: the handler's actions, weighted toward sign-offs.
    function targetSelectors() public view returns (FuzzSelector[] memory t) {
        bytes4[] memory s = new bytes4[](10);
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
}
