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
        emit IEveryChannelRail.Recorded(slot, STREAM, "e1", "m", "p", publisher);
        vm.prank(publisher);
        assertEq(rail.record(STREAM, "e1", "m", "p"), slot, "slot returned");
        assertEq(rail.entryAt(slot).manifestHash, "m", "manifest");
        assertEq(rail.entryOf(STREAM, "e1").transportPointer, "p", "pointer");
        assertEq(slot, ledger.observationSlot(STREAM, "e1"), "same slot as the ledger");
    }

    function test_record_LaterRecordReplaces() public {
        vm.startPrank(publisher);
        rail.record(STREAM, "e1", "m", "p");
        rail.record(STREAM, "e1", "m", "moved");
        vm.stopPrank();
        assertEq(rail.entryOf(STREAM, "e1").transportPointer, "moved", "pointer moved");
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

    function test_bridge_FinalizedSlotIsRecorded() public {
        EveryChannelObservationLedger bridged = new EveryChannelObservationLedger(owner, witnessList, QUORUM, rail);
        vm.prank(owner);
        rail.setPublisher(address(bridged), true);
        ledger = bridged;
        L.ObservationHeader memory h = first();
        ledger.submitSignOffs(h, dl(), sigs(h, ids(0, 1, 2)));
        IEveryChannelRail.Entry memory e = rail.entryAt(slotOf(h));
        assertEq(e.manifestHash, h.dataRoot, "dataRoot recorded as the manifest commitment");
        assertEq(e.transportPointer, h.locatorHash, "locatorHash recorded as the pointer");
    }

    function test_bridge_FailsIf_LedgerNotAuthorized() public {
        ledger = new EveryChannelObservationLedger(owner, witnessList, QUORUM, rail);
        L.ObservationHeader memory h = first();
        L.WitnessSignature[] memory s = sigs(h, ids(0, 1, 2));
        vm.expectRevert(abi.encodeWithSelector(IEveryChannelRail.NotPublisher.selector, address(ledger)));
        ledger.submitSignOffs(h, dl(), s);
    }
}
