// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {LedgerFixture} from "./utils/LedgerFixture.sol";
import {EveryChannelRail} from "../src/EveryChannelRail.sol";
import {EveryChannelObservationLedger} from "../src/EveryChannelObservationLedger.sol";
import {IEveryChannelRail} from "../src/interfaces/IEveryChannelRail.sol";
import {IEveryChannelObservationLedger as L} from "../src/interfaces/IEveryChannelObservationLedger.sol";

contract EveryChannelRailTest is LedgerFixture {
    EveryChannelRail internal rail;
    address internal publisher = address(0xB00C);

    function setUp() public override {
        super.setUp();
        rail = new EveryChannelRail(owner);
        vm.prank(owner);
        rail.setPublisher(publisher, true);
    }

    function test_record_StoresBySlotAndEmits() public {
        bytes32 slot = rail.slotOf(STREAM, "e1");
        vm.expectEmit(address(rail));
        emit IEveryChannelRail.Recorded(publisher, slot, STREAM, "e1", "m", "p");
        vm.prank(publisher);
        assertEq(rail.record(STREAM, "e1", "m", "p"), slot, "slot returned");
        assertEq(rail.entryAt(publisher, slot).manifestHash, "m", "manifest");
        assertEq(rail.entryOf(publisher, STREAM, "e1").transportPointer, "p", "pointer");
        assertEq(slot, ledger.observationSlot(STREAM, "e1"), "same slot as the ledger");
    }

    function test_record_LaterRecordReplaces() public {
        vm.startPrank(publisher);
        rail.record(STREAM, "e1", "m", "p");
        rail.record(STREAM, "e1", "m", "moved");
        vm.stopPrank();
        assertEq(rail.entryOf(publisher, STREAM, "e1").transportPointer, "moved", "pointer moved");
    }

    function test_record_PublishersCannotTouchEachOthersRecords() public {
        address other = address(0xB00D);
        vm.prank(owner);
        rail.setPublisher(other, true);
        vm.prank(publisher);
        rail.record(STREAM, "e1", "m", "p");
        vm.prank(other);
        rail.record(STREAM, "e1", "forged", "elsewhere");
        assertEq(rail.entryOf(publisher, STREAM, "e1").manifestHash, "m", "first publisher's record kept");
        assertEq(rail.entryOf(publisher, STREAM, "e1").transportPointer, "p", "first publisher's pointer kept");
        assertEq(rail.entryOf(other, STREAM, "e1").manifestHash, "forged", "the other's record is its own");
    }

    function test_renounceOwnership_FailsAlways() public {
        vm.prank(owner);
        vm.expectRevert(IEveryChannelRail.OwnershipCannotBeRenounced.selector);
        rail.renounceOwnership();
        vm.prank(address(0xBAD));
        vm.expectRevert(IEveryChannelRail.OwnershipCannotBeRenounced.selector);
        rail.renounceOwnership();
        assertEq(rail.owner(), owner, "owner kept");
    }

    function test_record_FailsIf_NotPublisher() public {
        vm.prank(address(0xBAD));
        vm.expectRevert(abi.encodeWithSelector(IEveryChannelRail.NotPublisher.selector, address(0xBAD)));
        rail.record(STREAM, "e1", "m", "p");
    }

    function test_record_FailsIf_Deauthorized() public {
        vm.prank(owner);
        rail.setPublisher(publisher, false);
        vm.prank(publisher);
        vm.expectRevert(abi.encodeWithSelector(IEveryChannelRail.NotPublisher.selector, publisher));
        rail.record(STREAM, "e1", "m", "p");
    }

    function test_record_FailsIf_ZeroManifest() public {
        vm.prank(publisher);
        vm.expectRevert(abi.encodeWithSelector(IEveryChannelRail.ZeroManifestHash.selector, STREAM, bytes32("e1")));
        rail.record(STREAM, "e1", bytes32(0), "p");
    }

    function test_setPublisher_FailsIf_NotOwner() public {
        vm.prank(address(0xBAD));
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(0xBAD)));
        rail.setPublisher(address(0xBAD), true);
    }

    function test_setPublisher_FailsIf_ZeroAddress() public {
        vm.prank(owner);
        vm.expectRevert(IEveryChannelRail.ZeroAddressPublisher.selector);
        rail.setPublisher(address(0), true);
    }

    // -- Bridging from the ledger --

    function test_bridge_OffByDefault() public view {
        assertEq(address(ledger.rail()), address(0), "fixture ledger has no rail");
    }

    /// @dev A ledger bridging into `rail`, authorized as its publisher when `authorized`.
    function bridged(bool authorized) internal returns (EveryChannelObservationLedger b) {
        b = new EveryChannelObservationLedger(owner, witnessList, QUORUM, rail);
        if (authorized) {
            vm.prank(owner);
            rail.setPublisher(address(b), true);
        }
        ledger = b;
    }

    function test_bridge_FinalizedSlotIsRecorded() public {
        bridged(true);
        L.ObservationHeader memory h = first();
        ledger.submitSignOffs(h, dl(), sigs(h, ids(0, 1, 2)));
        IEveryChannelRail.Entry memory e = rail.entryAt(address(ledger), slotOf(h));
        assertEq(e.manifestHash, h.dataRoot, "dataRoot recorded as the manifest commitment");
        assertEq(e.transportPointer, h.locatorHash, "locatorHash recorded as the pointer");
    }

    function test_constructor_FailsIf_RailHasNoCode() public {
        vm.expectRevert(abi.encodeWithSelector(L.RailHasNoCode.selector, address(0xCAFE)));
        new EveryChannelObservationLedger(owner, witnessList, QUORUM, IEveryChannelRail(address(0xCAFE)));
    }

    function test_bridge_UnauthorizedLedgerStillFinalizesThenBridgeRecords() public {
        bridged(false);
        L.ObservationHeader memory h = first();
        L.WitnessSignature[] memory s = sigs(h, ids(0, 1, 2));
        vm.expectEmit(address(ledger));
        emit L.BridgeDeferred(slotOf(h), hashOf(h), IEveryChannelRail.NotPublisher.selector);
        assertTrue(ledger.submitSignOffs(h, dl(), s), "finalized although the rail refused");
        assertEq(ledger.finalizedObservation(slotOf(h)), hashOf(h), "final");
        assertEq(rail.entryAt(address(ledger), slotOf(h)).manifestHash, bytes32(0), "not recorded yet");
        // Still refused: the retry reverts with the rail's own error.
        vm.expectRevert(abi.encodeWithSelector(IEveryChannelRail.NotPublisher.selector, address(ledger)));
        ledger.bridge(h);
        vm.prank(owner);
        rail.setPublisher(address(ledger), true);
        vm.prank(address(0xA0A0));
        ledger.bridge(h);
        assertEq(rail.entryAt(address(ledger), slotOf(h)).manifestHash, h.dataRoot, "recorded by anyone's retry");
    }

    function test_bridge_DeauthorizedLedgerKeepsFinalizingABatch() public {
        bridged(true);
        vm.prank(owner);
        rail.setPublisher(address(ledger), false);
        (L.SignedObservation[] memory batch, bytes32 parent) = chainBatch(5);
        assertEq(ledger.submitSignOffBatch(batch), 5, "all five finalized");
        assertTrue(ledger.isStreamHead(STREAM, parent, 4), "head at 4");
    }

    function test_bridge_OtherPublisherCannotOverwriteLedgerRecord() public {
        bridged(true);
        L.ObservationHeader memory h = first();
        ledger.submitSignOffs(h, dl(), sigs(h, ids(0, 1, 2)));
        vm.prank(publisher);
        rail.record(h.streamHash, h.epochHash, "forged", "elsewhere");
        IEveryChannelRail.Entry memory e = rail.entryOf(address(ledger), h.streamHash, h.epochHash);
        assertEq(e.manifestHash, h.dataRoot, "ledger record kept");
        assertEq(e.transportPointer, h.locatorHash, "ledger pointer kept");
    }

    function test_bridge_ZeroDataRootIsRefusedAtEntry() public {
        bridged(true);
        L.ObservationHeader memory h = first();
        h.dataRoot = bytes32(0);
        vm.prank(w(0));
        vm.expectRevert(abi.encodeWithSelector(L.ZeroHeaderField.selector, "dataRoot"));
        ledger.signOff(h);
    }

    function test_bridge_RailThatBurnsAllGasCannotBlock() public {
        GasBurningRail burner = new GasBurningRail();
        ledger = new EveryChannelObservationLedger(owner, witnessList, QUORUM, IEveryChannelRail(address(burner)));
        L.ObservationHeader memory h = first();
        L.WitnessSignature[] memory s = sigs(h, ids(0, 1, 2));
        vm.expectEmit(address(ledger));
        emit L.BridgeDeferred(slotOf(h), hashOf(h), bytes4(0));
        assertTrue(ledger.submitSignOffs(h, dl(), s), "finalized");
    }

    function test_bridge_RailThatReturnsNothingCannotBlock() public {
        SilentRail silent = new SilentRail();
        ledger = new EveryChannelObservationLedger(owner, witnessList, QUORUM, IEveryChannelRail(address(silent)));
        L.ObservationHeader memory h = first();
        L.WitnessSignature[] memory s = sigs(h, ids(0, 1, 2));
        vm.expectEmit(address(ledger));
        emit L.BridgeDeferred(slotOf(h), hashOf(h), bytes4(0));
        assertTrue(ledger.submitSignOffs(h, dl(), s), "finalized although nothing came back");
    }

    function test_bridge_RailWhoseCodeIsGoneCannotBlock() public {
        // Stands in for an account whose code goes away later (e.g. an EIP-7702 delegation dropped).
        bridged(true);
        vm.etch(address(rail), "");
        L.ObservationHeader memory h = first();
        L.WitnessSignature[] memory s = sigs(h, ids(0, 1, 2));
        vm.expectEmit(address(ledger));
        emit L.BridgeDeferred(slotOf(h), hashOf(h), bytes4(0));
        assertTrue(ledger.submitSignOffs(h, dl(), s), "finalized");
    }

    function test_bridge_HugeRevertFromTheRailCostsNothingExtra() public {
        BombRail bomb = new BombRail();
        ledger = new EveryChannelObservationLedger(owner, witnessList, QUORUM, IEveryChannelRail(address(bomb)));
        L.ObservationHeader memory h = first();
        L.WitnessSignature[] memory s = sigs(h, ids(0, 1, 2));
        vm.expectEmit(address(ledger));
        emit L.BridgeDeferred(slotOf(h), hashOf(h), BombRail.Bomb.selector);
        uint256 before = gasleft();
        assertTrue(ledger.submitSignOffs(h, dl(), s), "finalized");
        // The finalization plus the rail's full allowance; a copied 180 KB reason would add ~1.8M.
        assertTrue(before - gasleft() < 100_000 + 120_000, "the revert data was not copied");
    }

    function test_bridge_FailsIf_TooLittleGasForTheRail() public {
        bridged(true);
        L.ObservationHeader memory h = first();
        L.WitnessSignature[] memory s = sigs(h, ids(0, 1, 2));
        // Enough for the finalization, not for the rail call: refused, rather than finalized unbridged.
        vm.expectPartialRevert(L.InsufficientGasForBridge.selector);
        ledger.submitSignOffs{gas: 150_000}(h, dl(), s);
        assertEq(ledger.finalizedObservation(slotOf(h)), bytes32(0), "nothing finalized");
        assertTrue(ledger.submitSignOffs{gas: 300_000}(h, dl(), s), "enough gas");
        assertEq(rail.entryAt(address(ledger), slotOf(h)).manifestHash, h.dataRoot, "recorded");
    }

    function test_bridge_FailsIf_NotFinalized() public {
        bridged(true);
        L.ObservationHeader memory h = first();
        vm.expectRevert(abi.encodeWithSelector(L.NotFinalized.selector, slotOf(h), hashOf(h), bytes32(0)));
        ledger.bridge(h);
        ledger.submitSignOffs(h, dl(), sigs(h, ids(0, 1, 2)));
        L.ObservationHeader memory rival = header(STREAM, 0, bytes32(0), 1);
        vm.expectRevert(abi.encodeWithSelector(L.NotFinalized.selector, slotOf(h), hashOf(rival), hashOf(h)));
        ledger.bridge(rival);
    }

    function test_bridge_FailsIf_BridgingOff() public {
        vm.expectRevert(L.BridgingOff.selector);
        ledger.bridge(first());
    }
}

/// @notice A rail that answers every call with success and no data.
contract SilentRail {
    fallback() external {}
}

/// @notice A rail that reverts with 180 KB of data, to bloat whoever copies it.
contract BombRail {
    error Bomb();

    function record(bytes32, bytes32, bytes32, bytes32) external pure returns (bytes32) {
        bytes4 sel = Bomb.selector;
        // Raw memory, no allocation: the expansion to 180 KB fits in the rail's gas.
        assembly {
            mstore(0, sel)
            revert(0, 180000)
        }
    }
}

/// @notice A rail whose record never returns: it spins until its gas runs out.
contract GasBurningRail {
    uint256 internal spins;

    function record(bytes32, bytes32, bytes32, bytes32) external returns (bytes32) {
        while (true) ++spins;
        return bytes32(0);
    }
}
