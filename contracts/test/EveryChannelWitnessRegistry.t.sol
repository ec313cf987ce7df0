// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {TestBase} from "./utils/TestBase.sol";
import {EveryChannelObservationLedger as EveryChannelWitnessRegistry} from "../src/EveryChannelObservationLedger.sol";
import {IEveryChannelRail} from "../src/interfaces/IEveryChannelRail.sol";
import {IEveryChannelWitnessRegistry as R} from "../src/interfaces/IEveryChannelWitnessRegistry.sol";

/// @notice The registry is abstract; the ledger is the registry that gets deployed, so it is tested here
///         through the ledger.
contract EveryChannelWitnessRegistryTest is TestBase {
    IEveryChannelRail internal constant NO_RAIL = IEveryChannelRail(address(0));
    address internal owner = address(0x0D0E);
    EveryChannelWitnessRegistry internal registry;

    function list(uint256 n) internal pure returns (address[] memory a) {
        a = new address[](n);
        for (uint256 i; i < n; ++i) a[i] = address(uint160(0x1000 + i));
    }

    function setUp() public {
        registry = new EveryChannelWitnessRegistry(owner, list(5), 3, NO_RAIL);
    }

    // -- Construction --

    function test_constructor_IndexesInOrderAndSetsQuorum() public view {
        assertEq(registry.quorum(), 3, "quorum");
        assertEq(registry.witnessCount(), 5, "count");
        address[] memory got = registry.witnesses();
        for (uint256 i; i < 5; ++i) {
            assertEq(got[i], address(uint160(0x1000 + i)), "order");
            (uint256 index, bool active) = registry.witnessIndex(got[i]);
            assertEq(index, i, "index");
            assertTrue(active, "active");
            assertEq(registry.witnessAt(i), got[i], "witnessAt");
        }
        (uint256 mask, uint256 q) = registry.membership();
        assertEq(mask, 31, "mask");
        assertEq(q, 3, "membership quorum");
        assertEq(registry.owner(), owner, "owner");
    }

    function test_constructor_FailsIf_QuorumZero() public {
        vm.expectRevert(R.QuorumZero.selector);
        new EveryChannelWitnessRegistry(owner, list(3), 0, NO_RAIL);
    }

    function test_constructor_FailsIf_QuorumAboveCount() public {
        vm.expectRevert(abi.encodeWithSelector(R.QuorumUnreachable.selector, 4, 3));
        new EveryChannelWitnessRegistry(owner, list(3), 4, NO_RAIL);
    }

    function test_constructor_FailsIf_QuorumNotMajority() public {
        vm.expectRevert(abi.encodeWithSelector(R.QuorumNotMajority.selector, 2, 4));
        new EveryChannelWitnessRegistry(owner, list(4), 2, NO_RAIL);
    }

    function test_constructor_FailsIf_ZeroAddressWitness() public {
        address[] memory a = list(3);
        a[1] = address(0);
        vm.expectRevert(R.ZeroAddressWitness.selector);
        new EveryChannelWitnessRegistry(owner, a, 2, NO_RAIL);
    }

    function test_constructor_FailsIf_RepeatedWitness() public {
        address[] memory a = list(3);
        a[2] = a[0];
        vm.expectRevert(abi.encodeWithSelector(R.AlreadyWitness.selector, a[0]));
        new EveryChannelWitnessRegistry(owner, a, 2, NO_RAIL);
    }

    function test_constructor_OneOfOneIsAllowed() public {
        EveryChannelWitnessRegistry r = new EveryChannelWitnessRegistry(owner, list(1), 1, NO_RAIL);
        assertEq(r.quorum(), 1, "1 of 1");
    }

    // -- Add --

    function test_addWitness_FailsIf_QuorumWouldNotBeMajority() public {
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(R.QuorumNotMajority.selector, 3, 6));
        registry.addWitness(address(0xA));
    }

    function test_addWitness_GivesNextIndex() public {
        vm.startPrank(owner);
        registry.setQuorum(4);
        vm.expectEmit(address(registry));
        emit R.WitnessAdded(address(0xA), 5);
        registry.addWitness(address(0xA));
        vm.stopPrank();
        (uint256 index, bool active) = registry.witnessIndex(address(0xA));
        assertEq(index, 5, "index 5");
        assertTrue(active && registry.isWitness(address(0xA)), "member");
    }

    function test_addWitness_FailsIf_NotOwner() public {
        vm.prank(address(0xBAD));
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(0xBAD)));
        registry.addWitness(address(0xA));
    }

    function test_addWitness_FailsIf_AlreadyWitness() public {
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(R.AlreadyWitness.selector, address(0x1000)));
        registry.addWitness(address(0x1000));
    }

    function test_addWitness_FailsIf_ZeroAddress() public {
        vm.prank(owner);
        vm.expectRevert(R.ZeroAddressWitness.selector);
        registry.addWitness(address(0));
    }

    function test_addWitness_FailsIf_IndicesExhausted() public {
        EveryChannelWitnessRegistry r = new EveryChannelWitnessRegistry(owner, list(1), 1, NO_RAIL);
        vm.startPrank(owner);
        // Churn one seat: every add takes a fresh index, removals never give one back.
        for (uint256 i = 1; i < 192; ++i) {
            r.updateWitnesses(_one(address(uint160(0x1000 + i))), _one(address(uint160(0x1000 + i - 1))), 1);
        }
        vm.expectRevert(abi.encodeWithSelector(R.WitnessIndicesExhausted.selector, 192));
        r.updateWitnesses(_one(address(0xFFFF)), _one(address(uint160(0x1000 + 191))), 1);
        vm.stopPrank();
    }

    // -- Remove --

    function test_removeWitness_FailsIf_QuorumWouldBeUnreachable() public {
        EveryChannelWitnessRegistry r = new EveryChannelWitnessRegistry(owner, list(3), 3, NO_RAIL);
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(R.QuorumUnreachable.selector, 3, 2));
        r.removeWitness(address(0x1000));
    }

    function test_removeWitness_FailsIf_NotAWitness() public {
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(R.NotAWitness.selector, address(0xA)));
        registry.removeWitness(address(0xA));
    }

    function test_removeWitness_ClearsMemberBitKeepsIndex() public {
        vm.prank(owner);
        vm.expectEmit(address(registry));
        emit R.WitnessRemoved(address(0x1002), 2);
        registry.removeWitness(address(0x1002));
        (uint256 mask,) = registry.membership();
        assertEq(mask, 31 & ~uint256(4), "bit 2 cleared");
        (uint256 index, bool active) = registry.witnessIndex(address(0x1002));
        assertEq(index, 2, "index kept");
        assertEq(active, false, "inactive");
        assertEq(registry.witnesses().length, 4, "four left");
    }

    function test_removeWitness_FailsIf_NotOwner() public {
        vm.prank(address(0xBAD));
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(0xBAD)));
        registry.removeWitness(address(0x1000));
    }

    // -- Quorum --

    function test_setQuorum_EmitsChange() public {
        vm.prank(owner);
        vm.expectEmit(address(registry));
        emit R.QuorumChanged(3, 5);
        registry.setQuorum(5);
        assertEq(registry.quorum(), 5, "5 of 5");
    }

    function test_setQuorum_FailsIf_Zero() public {
        vm.prank(owner);
        vm.expectRevert(R.QuorumZero.selector);
        registry.setQuorum(0);
    }

    function test_setQuorum_FailsIf_AboveCount() public {
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(R.QuorumUnreachable.selector, 6, 5));
        registry.setQuorum(6);
    }

    function test_setQuorum_FailsIf_HugeValue() public {
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(R.QuorumUnreachable.selector, uint256(1) << 200, 5));
        registry.setQuorum(uint256(1) << 200);
    }

    function test_setQuorum_FailsIf_NotMajority() public {
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(R.QuorumNotMajority.selector, 2, 5));
        registry.setQuorum(2);
    }

    function test_setQuorum_FailsIf_NotOwner() public {
        vm.prank(address(0xBAD));
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(0xBAD)));
        registry.setQuorum(4);
    }

    // -- Atomic update --

    function test_updateWitnesses_GrowsAndRaisesQuorumAtOnce() public {
        address[] memory add = new address[](2);
        (add[0], add[1]) = (address(0xA), address(0xB));
        vm.prank(owner);
        registry.updateWitnesses(add, _one(address(0x1000)), 4);
        assertEq(registry.witnessCount(), 6, "6 members");
        assertEq(registry.quorum(), 4, "quorum 4");
        assertEq(registry.isWitness(address(0x1000)), false, "removed");
    }

    function test_updateWitnesses_AllOrNothing() public {
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(R.QuorumNotMajority.selector, 3, 6));
        registry.updateWitnesses(_one(address(0xA)), new address[](0), 3);
        assertEq(registry.isWitness(address(0xA)), false, "not added");
        assertEq(registry.witnessCount(), 5, "unchanged");
    }

    // -- Resolve --

    function test_resolve_ReturnsBitsMaskQuorum() public view {
        address[] memory a = new address[](2);
        (a[0], a[1]) = (address(0x1004), address(0x1001));
        (uint256 bits, uint256 mask, uint256 q) = registry.resolve(a);
        assertEq(bits, (1 << 4) | (1 << 1), "bits");
        assertEq(mask, 31, "mask");
        assertEq(q, 3, "quorum");
    }

    function test_resolve_FailsIf_NotAWitness() public {
        vm.expectRevert(abi.encodeWithSelector(R.NotAWitness.selector, address(0xA)));
        registry.resolve(_one(address(0xA)));
    }

    function test_resolve_FailsIf_Duplicate() public {
        address[] memory a = new address[](2);
        (a[0], a[1]) = (address(0x1003), address(0x1003));
        vm.expectRevert(abi.encodeWithSelector(R.DuplicateWitness.selector, address(0x1003)));
        registry.resolve(a);
    }

    function test_witnessIndex_FailsIf_NeverRegistered() public {
        vm.expectRevert(abi.encodeWithSelector(R.NotAWitness.selector, address(0xA)));
        registry.witnessIndex(address(0xA));
    }

    // -- Ownership is two-step --

    function test_ownership_TwoStep() public {
        vm.prank(owner);
        registry.transferOwnership(address(0xB0B));
        assertEq(registry.owner(), owner, "still the old owner");
        vm.prank(address(0xB0B));
        registry.acceptOwnership();
        assertEq(registry.owner(), address(0xB0B), "new owner");
    }

    function test_renounceOwnership_FailsAlways() public {
        vm.prank(owner);
        vm.expectRevert(R.OwnershipCannotBeRenounced.selector);
        registry.renounceOwnership();
        vm.prank(address(0xBAD));
        vm.expectRevert(R.OwnershipCannotBeRenounced.selector);
        registry.renounceOwnership();
        assertEq(registry.owner(), owner, "owner kept");
        // The owner can still change the witness set.
        address first = registry.witnessAt(0);
        vm.prank(owner);
        registry.removeWitness(first);
        assertTrue(!registry.isWitness(first), "removed by the owner");
    }

    function test_renounceOwnership_DoesNotCancelPendingTransfer() public {
        vm.startPrank(owner);
        registry.transferOwnership(address(0xB0B));
        vm.expectRevert(R.OwnershipCannotBeRenounced.selector);
        registry.renounceOwnership();
        vm.stopPrank();
        assertEq(registry.pendingOwner(), address(0xB0B), "transfer still pending");
    }

    // -- Fuzz --

    /// @dev Whatever the owner tries, the rules hold afterwards.
    function testFuzz_setQuorum_RulesHold(uint256 q) public {
        q = bound(q, 0, 10);
        vm.prank(owner);
        try registry.setQuorum(q) {} catch {}
        uint256 quorum = registry.quorum();
        uint256 count = registry.witnessCount();
        assertTrue(quorum > 0 && quorum <= count && 2 * quorum > count, "rules");
        assertEq(quorum == q, q >= 3 && q <= 5, "accepted exactly the valid ones");
    }

    function _one(address a) internal pure returns (address[] memory r) {
        r = new address[](1);
        r[0] = a;
    }
}
