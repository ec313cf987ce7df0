// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {LedgerFixture} from "./utils/LedgerFixture.sol";
import {IEveryChannelObservationLedger as L} from "../src/interfaces/IEveryChannelObservationLedger.sol";
import {IEveryChannelWitnessRegistry as R} from "../src/interfaces/IEveryChannelWitnessRegistry.sol";

contract EveryChannelObservationLedgerTest is LedgerFixture {
    // -- Pure helpers --

    function test_observationHash_IsKeccakOfAbiEncodedHeader() public view {
        L.ObservationHeader memory h = first();
        assertEq(ledger.observationHash(h), keccak256(abi.encode(h)), "hash");
        assertEq(ledger.observationSlot(h.streamHash, h.epochHash), keccak256(abi.encode(h.streamHash, h.epochHash)), "slot");
    }

    function testFuzz_observationHash_CommitsToEveryField(uint256 field, bytes32 value) public view {
        L.ObservationHeader memory h = first();
        L.ObservationHeader memory g = first();
        field = bound(field, 0, 6);
        if (field == 0) g.streamHash = value;
        if (field == 1) g.epochHash = value;
        if (field == 2) g.parentObservationHash = value;
        if (field == 3) g.dataRoot = value;
        if (field == 4) g.locatorHash = value;
        if (field == 5) g.observedUnixMs = uint64(uint256(value));
        if (field == 6) g.sequence = uint64(uint256(value));
        vm.assume(keccak256(abi.encode(g)) != keccak256(abi.encode(h)));
        assertTrue(ledger.observationHash(g) != ledger.observationHash(h), "field changes hash");
    }

    // -- Sign-off by transaction --

    function test_signOff_FirstRecordsCandidate() public {
        L.ObservationHeader memory h = first();
        vm.expectEmit(address(ledger));
        emit L.ObservationProposed(slotOf(h), hashOf(h), h);
        vm.expectEmit(address(ledger));
        emit L.SignedOff(hashOf(h), 1 << 0);
        assertEq(signOffAs(0, h), false, "not final after one");
        assertEq(ledger.signOffsOf(hashOf(h)), 1, "bit 0 recorded");
        (uint256 counted, uint256 quorum) = ledger.countSignOffs(hashOf(h));
        assertEq(counted, 1, "counted");
        assertEq(quorum, QUORUM, "quorum");
    }

    function test_signOff_FinalizesAtQuorum() public {
        L.ObservationHeader memory h = first();
        signOffAs(0, h);
        signOffAs(3, h);
        vm.expectEmit(address(ledger));
        emit L.ObservationFinalized(slotOf(h), hashOf(h), h.streamHash, h, (1 << 0) | (1 << 3) | (1 << 4));
        assertEq(signOffAs(4, h), true, "third finalizes");
        assertEq(ledger.finalizedObservation(slotOf(h)), hashOf(h), "finalized hash");
        assertEq(ledger.signOffsOf(hashOf(h)), 0, "pending word cleared");
        assertTrue(ledger.isStreamHead(STREAM, hashOf(h), 0), "head");
    }

    function test_signOff_FailsIf_NotWitness() public {
        vm.prank(address(0xBAD));
        vm.expectRevert(abi.encodeWithSelector(R.NotAWitness.selector, address(0xBAD)));
        ledger.signOff(first());
    }

    function test_signOff_FailsIf_AlreadySignedOff() public {
        L.ObservationHeader memory h = first();
        signOffAs(1, h);
        vm.prank(w(1));
        vm.expectRevert(abi.encodeWithSelector(L.AlreadySignedOff.selector, hashOf(h), w(1)));
        ledger.signOff(h);
    }

    function test_signOff_FailsIf_SlotAlreadyFinalized() public {
        L.ObservationHeader memory h = first();
        signOffAs(0, h);
        signOffAs(1, h);
        signOffAs(2, h);
        vm.prank(w(3));
        vm.expectRevert(abi.encodeWithSelector(L.SlotAlreadyFinalized.selector, slotOf(h), hashOf(h)));
        ledger.signOff(h);
    }

    function test_signOff_FailsIf_CompetingCandidateAfterFinalization() public {
        L.ObservationHeader memory a = first();
        L.ObservationHeader memory b = header(STREAM, 0, bytes32(0), 1);
        signOffAs(4, b);
        signOffAs(0, a);
        signOffAs(1, a);
        signOffAs(2, a);
        vm.prank(w(3));
        vm.expectRevert(abi.encodeWithSelector(L.SlotAlreadyFinalized.selector, slotOf(b), hashOf(a)));
        ledger.signOff(b);
    }

    function test_signOff_FailsIf_StreamOrEpochZero() public {
        L.ObservationHeader memory h = first();
        h.streamHash = bytes32(0);
        vm.prank(w(0));
        vm.expectRevert(abi.encodeWithSelector(L.ZeroHeaderField.selector, "streamHash"));
        ledger.signOff(h);
        h = first();
        h.epochHash = bytes32(0);
        vm.prank(w(0));
        vm.expectRevert(abi.encodeWithSelector(L.ZeroHeaderField.selector, "epochHash"));
        ledger.signOff(h);
    }

    function test_signOff_RemovedWitnessStopsCounting() public {
        L.ObservationHeader memory h = first();
        signOffAs(0, h);
        signOffAs(1, h);
        vm.prank(owner);
        registry.removeWitness(w(1));
        (uint256 counted,) = ledger.countSignOffs(hashOf(h));
        assertEq(counted, 1, "removed witness not counted");
        assertEq(signOffAs(2, h), false, "two members are not a quorum of 3");
        vm.expectEmit(address(ledger));
        emit L.ObservationFinalized(slotOf(h), hashOf(h), STREAM, h, (1 << 0) | (1 << 2) | (1 << 3));
        assertEq(signOffAs(3, h), true, "three members finalize");
    }

    function test_signOff_ReaddedWitnessDoesNotReviveOldSignOff() public {
        L.ObservationHeader memory h = first();
        signOffAs(0, h);
        signOffAs(1, h);
        vm.startPrank(owner);
        registry.removeWitness(w(1));
        registry.addWitness(w(1));
        registry.setQuorum(3);
        vm.stopPrank();
        (uint256 index, bool active) = registry.witnessIndex(w(1));
        assertEq(index, 5, "fresh index");
        assertTrue(active, "active again");
        (uint256 counted,) = ledger.countSignOffs(hashOf(h));
        assertEq(counted, 1, "old index does not count");
        // Under its new index the witness can sign off again, and then it counts once.
        assertEq(signOffAs(1, h), false, "two");
        assertEq(signOffAs(2, h), true, "three");
    }

    // -- Signatures and membership --

    function test_submitSignOffs_FailsIf_SignedBeforeRemovalOfReaddedWitness() public {
        L.ObservationHeader memory h = first();
        // Witness 1 signs under index 1, then is removed and added back (index 5).
        L.WitnessSignature[] memory old = sigs(h, ids(0, 1, 2));
        vm.startPrank(owner);
        registry.removeWitness(w(1));
        registry.addWitness(w(1));
        registry.setQuorum(3);
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSelector(L.WitnessIndexRetired.selector, 1, w(1)));
        ledger.submitSignOffs(h, dl(), old);
        // Relabelling the old signature with the new index recovers someone else.
        L.WitnessSignature memory relabelled = old[1];
        relabelled.witnessIndex = 5;
        old[1] = relabelled;
        vm.expectRevert(abi.encodeWithSelector(L.SignatureNotFromWitness.selector, 5, recovered(h, dl(), relabelled)));
        ledger.submitSignOffs(h, dl(), old);
        assertEq(ledger.finalizedObservation(slotOf(h)), bytes32(0), "nothing finalized");
        // A signature made under the new index counts.
        old[1] = sig(key(1), hashOf(h), dl());
        assertEq(old[1].witnessIndex, 5, "signed under the new index");
        vm.expectEmit(address(ledger));
        emit L.ObservationFinalized(slotOf(h), hashOf(h), STREAM, h, (1 << 0) | (1 << 2) | (1 << 5));
        assertTrue(ledger.submitSignOffs(h, dl(), old), "finalized with the fresh signature");
    }

    function test_submitSignOffs_FailsIf_OnlyOldSignatureWouldReachQuorum() public {
        // The attack the index binding stops: a pending candidate one short of quorum, and a
        // pre-removal signature of a re-added witness offered as the missing one.
        L.ObservationHeader memory h = first();
        L.WitnessSignature memory before = sig(key(3), hashOf(h), dl());
        vm.startPrank(owner);
        registry.removeWitness(w(3));
        registry.addWitness(w(3));
        vm.stopPrank();
        ledger.submitSignOffs(h, dl(), sigs(h, ids(0, 1)));
        L.WitnessSignature[] memory s = new L.WitnessSignature[](1);
        s[0] = before;
        vm.expectRevert(abi.encodeWithSelector(L.WitnessIndexRetired.selector, 3, w(3)));
        ledger.submitSignOffs(h, dl(), s);
        (uint256 counted,) = ledger.countSignOffs(hashOf(h));
        assertEq(counted, 2, "still two");
    }

    function test_submitSignOffs_FailsIf_RemovedWitness() public {
        L.ObservationHeader memory h = first();
        L.WitnessSignature[] memory s = sigs(h, ids(0, 1, 4));
        vm.prank(owner);
        registry.removeWitness(w(4));
        vm.expectRevert(abi.encodeWithSelector(L.WitnessIndexRetired.selector, 4, w(4)));
        ledger.submitSignOffs(h, dl(), s);
    }

    function test_submitSignOffs_FailsIf_IndexIsNotTheSigners() public {
        L.ObservationHeader memory h = first();
        L.WitnessSignature[] memory s = sigs(h, ids(0, 1, 2));
        // Witness 0 signs naming witness 3's index: it recovers to witness 0, who does not hold it.
        s[2] = sigAt(key(0), 3, hashOf(h), dl());
        vm.expectRevert(abi.encodeWithSelector(L.SignatureNotFromWitness.selector, 3, w(0)));
        ledger.submitSignOffs(h, dl(), s);
    }

    function test_submitSignOffs_FailsIf_IndexNeverHandedOut() public {
        L.ObservationHeader memory h = first();
        L.WitnessSignature[] memory s = sigs(h, ids(0, 1, 2));
        s[2] = sigAt(key(2), 191, hashOf(h), dl());
        vm.expectRevert(abi.encodeWithSelector(L.SignatureNotFromWitness.selector, 191, w(2)));
        ledger.submitSignOffs(h, dl(), s);
    }

    // -- Headers that could never finalize are refused where they enter --

    function test_signOff_FailsIf_ZeroDataRoot() public {
        L.ObservationHeader memory h = first();
        h.dataRoot = bytes32(0);
        vm.prank(w(0));
        vm.expectRevert(abi.encodeWithSelector(L.ZeroHeaderField.selector, "dataRoot"));
        ledger.signOff(h);
        L.WitnessSignature[] memory s = sigs(h, ids(0, 1, 2));
        vm.expectRevert(abi.encodeWithSelector(L.ZeroHeaderField.selector, "dataRoot"));
        ledger.submitSignOffs(h, dl(), s);
        assertEq(ledger.signOffsOf(hashOf(h)), 0, "nothing pending");
    }

    function test_signOff_FailsIf_FirstHasParent() public {
        L.ObservationHeader memory h = first();
        h.parentObservationHash = keccak256("someone");
        vm.prank(w(0));
        vm.expectRevert(abi.encodeWithSelector(L.BrokenStreamLink.selector, 0, h.parentObservationHash));
        ledger.signOff(h);
    }

    function test_submitSignOffs_FailsIf_LaterHasNoParent() public {
        L.ObservationHeader memory h = header(STREAM, 4, bytes32(0), 0);
        L.WitnessSignature[] memory s = sigs(h, ids(0));
        vm.expectRevert(abi.encodeWithSelector(L.BrokenStreamLink.selector, 4, bytes32(0)));
        ledger.submitSignOffs(h, dl(), s);
    }

    // -- Stream chain --

    function test_chain_ChildWithQuorumWaitsForParent() public {
        L.ObservationHeader memory p = first();
        L.ObservationHeader memory c = header(STREAM, 1, hashOf(p), 0);
        signOffAs(0, c);
        signOffAs(1, c);
        assertEq(signOffAs(2, c), false, "quorum but parent not final");
        vm.expectRevert(abi.encodeWithSelector(L.NotNextInStream.selector, STREAM, hashOf(p), uint64(1)));
        ledger.finalize(c);
        signOffAs(0, p);
        signOffAs(1, p);
        signOffAs(2, p);
        assertTrue(ledger.extendsStream(c), "now extends");
        vm.expectEmit(address(ledger));
        emit L.ObservationFinalized(slotOf(c), hashOf(c), STREAM, c, 7);
        vm.prank(address(0xCAFE));
        ledger.finalize(c);
        assertTrue(ledger.isStreamHead(STREAM, hashOf(c), 1), "child is head");
        assertEq(ledger.signOffsOf(hashOf(c)), 0, "cleared");
    }

    function test_chain_FirstMustHaveSequenceZeroAndNoParent() public {
        L.ObservationHeader memory h = header(STREAM, 1, bytes32(0), 0);
        assertEq(ledger.extendsStream(h), false, "sequence 1 cannot start a stream");
        h = header(STREAM, 0, keccak256("x"), 0);
        assertEq(ledger.extendsStream(h), false, "first has no parent");
        assertTrue(ledger.extendsStream(first()), "sequence 0, parent 0");
    }

    function test_chain_RefusesSkipAndWrongParent() public {
        L.ObservationHeader memory p = first();
        signOffAs(0, p);
        signOffAs(1, p);
        signOffAs(2, p);
        assertEq(ledger.extendsStream(header(STREAM, 2, hashOf(p), 0)), false, "skip");
        assertEq(ledger.extendsStream(header(STREAM, 1, keccak256("other"), 0)), false, "wrong parent");
        assertEq(ledger.extendsStream(header(STREAM, 0, bytes32(0), 1)), false, "second first");
        assertTrue(ledger.extendsStream(header(STREAM, 1, hashOf(p), 0)), "next");
    }

    function test_finalize_FailsIf_QuorumNotReached() public {
        L.ObservationHeader memory h = first();
        signOffAs(0, h);
        vm.expectRevert(abi.encodeWithSelector(L.QuorumNotReached.selector, hashOf(h), 1, QUORUM));
        ledger.finalize(h);
    }

    function test_finalize_FailsIf_SlotAlreadyFinalized() public {
        L.ObservationHeader memory h = first();
        signOffAs(0, h);
        signOffAs(1, h);
        signOffAs(2, h);
        vm.expectRevert(abi.encodeWithSelector(L.SlotAlreadyFinalized.selector, slotOf(h), hashOf(h)));
        ledger.finalize(h);
    }

    function test_finalize_CountsOnlyCurrentMembersAfterQuorumRaise() public {
        L.ObservationHeader memory p = first();
        L.ObservationHeader memory c = header(STREAM, 1, hashOf(p), 0);
        signOffAs(0, c);
        signOffAs(1, c);
        signOffAs(2, c);
        vm.prank(owner);
        registry.setQuorum(4);
        uint256[] memory four = new uint256[](4);
        (four[0], four[1], four[2], four[3]) = (0, 1, 2, 3);
        ledger.submitSignOffs(p, dl(), sigs(p, four));
        vm.expectRevert(abi.encodeWithSelector(L.QuorumNotReached.selector, hashOf(c), 3, 4));
        ledger.finalize(c);
    }

    // -- Relayed sign-off --

    function test_submitSignOffs_FinalizesWithQuorumOfSignatures() public {
        L.ObservationHeader memory h = first();
        vm.expectEmit(address(ledger));
        emit L.ObservationFinalized(slotOf(h), hashOf(h), STREAM, h, (1 << 1) | (1 << 2) | (1 << 4));
        vm.prank(address(0xCAFE));
        assertTrue(ledger.submitSignOffs(h, dl(), sigs(h, ids(4, 1, 2))), "finalized");
        assertEq(ledger.finalizedObservation(slotOf(h)), hashOf(h), "hash");
    }

    function test_submitSignOffs_BelowQuorumRecordsPending() public {
        L.ObservationHeader memory h = first();
        vm.expectEmit(address(ledger));
        emit L.ObservationProposed(slotOf(h), hashOf(h), h);
        vm.expectEmit(address(ledger));
        emit L.SignedOff(hashOf(h), (1 << 0) | (1 << 3));
        assertEq(ledger.submitSignOffs(h, dl(), sigs(h, ids(0, 3))), false, "pending");
        assertEq(ledger.signOffsOf(hashOf(h)), 9, "bits 0 and 3");
        // A transaction sign-off completes it; so would more signatures.
        assertTrue(signOffAs(1, h), "mixed modes finalize");
    }

    function test_submitSignOffs_MergesWithRecordedAndIgnoresRepeats() public {
        L.ObservationHeader memory h = first();
        signOffAs(0, h);
        signOffAs(1, h);
        vm.expectEmit(address(ledger));
        emit L.ObservationFinalized(slotOf(h), hashOf(h), STREAM, h, 7);
        assertTrue(ledger.submitSignOffs(h, dl(), sigs(h, ids(1, 2))), "0,1 recorded + 1,2 relayed");
    }

    function test_submitSignOffs_RepeatOfRecordedEmitsNothingNew() public {
        L.ObservationHeader memory h = first();
        signOffAs(0, h);
        vm.recordLogs();
        assertEq(ledger.submitSignOffs(h, dl(), sigs(h, ids(0))), false, "still pending");
        assertEq(vm.getRecordedLogs().length, 0, "no events");
        assertEq(ledger.signOffsOf(hashOf(h)), 1, "unchanged");
    }

    function test_submitSignOffs_FailsIf_DuplicateSigner() public {
        L.ObservationHeader memory h = first();
        L.WitnessSignature[] memory s = sigs(h, ids(2, 0, 2));
        vm.expectRevert(abi.encodeWithSelector(R.DuplicateWitness.selector, w(2)));
        ledger.submitSignOffs(h, dl(), s);
    }

    function test_submitSignOffs_FailsIf_SignerNotWitness() public {
        L.ObservationHeader memory h = first();
        L.WitnessSignature[] memory s = sigs(h, ids(0, 1, 2));
        s[1] = sig(0xBEEF, hashOf(h), dl());
        vm.expectRevert(abi.encodeWithSelector(L.SignatureNotFromWitness.selector, 0, vm.addr(0xBEEF)));
        ledger.submitSignOffs(h, dl(), s);
    }

    function test_submitSignOffs_FailsIf_SignedForAnotherObservation() public {
        L.ObservationHeader memory h = first();
        L.WitnessSignature[] memory s = sigs(h, ids(0, 1, 2));
        // Witness 2 signed the competing candidate; its signature recovers to some other address.
        s[2] = sig(key(2), hashOf(header(STREAM, 0, bytes32(0), 1)), dl());
        vm.expectRevert(abi.encodeWithSelector(L.SignatureNotFromWitness.selector, 2, recovered(h, dl(), s[2])));
        ledger.submitSignOffs(h, dl(), s);
        assertEq(ledger.finalizedObservation(slotOf(h)), bytes32(0), "nothing finalized");
    }

    function test_submitSignOffs_FailsIf_SignedOnAnotherChain() public {
        L.ObservationHeader memory h = first();
        L.WitnessSignature[] memory s = sigs(h, ids(0, 1, 2));
        vm.chainId(10);
        vm.expectRevert(abi.encodeWithSelector(L.SignatureNotFromWitness.selector, 0, recovered(h, dl(), s[0])));
        ledger.submitSignOffs(h, dl(), s);
    }

    function test_submitSignOffs_FailsIf_Expired() public {
        L.ObservationHeader memory h = first();
        uint64 past = uint64(block.timestamp - 1);
        L.WitnessSignature[] memory s = new L.WitnessSignature[](3);
        for (uint256 i; i < 3; ++i) s[i] = sig(key(i), hashOf(h), past);
        vm.expectRevert(abi.encodeWithSelector(L.SignatureExpired.selector, hashOf(h), past, block.timestamp));
        ledger.submitSignOffs(h, past, s);
    }

    function test_submitSignOffs_AcceptsAtDeadline() public {
        L.ObservationHeader memory h = first();
        uint64 now_ = uint64(block.timestamp);
        L.WitnessSignature[] memory s = new L.WitnessSignature[](3);
        for (uint256 i; i < 3; ++i) s[i] = sig(key(i), hashOf(h), now_);
        assertTrue(ledger.submitSignOffs(h, now_, s), "deadline is inclusive");
    }

    function test_submitSignOffs_FailsIf_DeadlineTampered() public {
        L.ObservationHeader memory h = first();
        L.WitnessSignature[] memory s = sigs(h, ids(0, 1, 2));
        // Relaying a later deadline than the witnesses signed recovers someone else.
        vm.expectRevert(abi.encodeWithSelector(L.SignatureNotFromWitness.selector, 0, recovered(h, dl() + 1, s[0])));
        ledger.submitSignOffs(h, dl() + 1, s);
    }

    function test_submitSignOffs_FailsIf_SignaturesOverDifferentDeadlines() public {
        L.ObservationHeader memory h = first();
        L.WitnessSignature[] memory s = sigs(h, ids(0, 1, 2));
        s[2] = sig(key(2), hashOf(h), dl() + 60);
        vm.expectRevert(abi.encodeWithSelector(L.SignatureNotFromWitness.selector, 2, recovered(h, dl(), s[2])));
        ledger.submitSignOffs(h, dl(), s);
    }

    function test_submitSignOffs_FailsIf_MalformedSignature() public {
        L.ObservationHeader memory h = first();
        L.WitnessSignature[] memory s = sigs(h, ids(0, 1, 2));
        s[2].r = bytes32(0);
        vm.expectRevert(abi.encodeWithSelector(L.InvalidSignature.selector, 2));
        ledger.submitSignOffs(h, dl(), s);
    }

    function test_submitSignOffs_FailsIf_HighS() public {
        L.ObservationHeader memory h = first();
        L.WitnessSignature[] memory s = sigs(h, ids(0, 1, 2));
        // s above n/2 is the malleable half; OpenZeppelin's ECDSA refuses it before recovering.
        uint256 halfN = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;
        s[1].vs = bytes32(halfN + 1);
        vm.expectRevert(abi.encodeWithSelector(L.InvalidSignature.selector, 1));
        ledger.submitSignOffs(h, dl(), s);
    }

    function test_submitSignOffs_FailsIf_Empty() public {
        vm.expectRevert(L.EmptySubmission.selector);
        ledger.submitSignOffs(first(), dl(), new L.WitnessSignature[](0));
    }

    function test_submitSignOffs_FailsIf_SlotAlreadyFinalized() public {
        L.ObservationHeader memory h = first();
        ledger.submitSignOffs(h, dl(), sigs(h, ids(0, 1, 2)));
        L.WitnessSignature[] memory late = sigs(h, ids(3));
        vm.expectRevert(abi.encodeWithSelector(L.SlotAlreadyFinalized.selector, slotOf(h), hashOf(h)));
        ledger.submitSignOffs(h, dl(), late);
    }

    function test_submitSignOffs_ChildWaitsThenFinalizes() public {
        L.ObservationHeader memory p = first();
        L.ObservationHeader memory c = header(STREAM, 1, hashOf(p), 0);
        assertEq(ledger.submitSignOffs(c, dl(), sigs(c, ids(0, 1, 2))), false, "parent missing: pending");
        assertEq(ledger.signOffsOf(hashOf(c)), 7, "recorded");
        ledger.submitSignOffs(p, dl(), sigs(p, ids(0, 1, 2)));
        ledger.finalize(c);
        assertTrue(ledger.isStreamHead(STREAM, hashOf(c), 1), "head");
    }

    /// @dev The address a signature recovers to under this chain's domain.
    function recovered(L.ObservationHeader memory h, uint64 deadline, L.WitnessSignature memory s)
        internal
        view
        returns (address)
    {
        return ECDSA.recover(ledger.signOffDigest(hashOf(h), deadline, s.witnessIndex), s.r, s.vs);
    }

    // -- Batches --

    function test_submitSignOffBatch_FinalizesAChainInOrder() public {
        (L.SignedObservation[] memory batch, bytes32 parent) = chainBatch(10);
        assertEq(ledger.submitSignOffBatch(batch), 10, "all finalized");
        assertTrue(ledger.isStreamHead(STREAM, parent, 9), "head at 9");
    }

    /// @dev As a relayer's batch is live: every item on a stream of its own, each stream's head and the
    ///      ledger's storage cold. Its gas in the snapshot is the live cost per observation's execution.
    function test_submitSignOffBatch_ManyStreamsColdStorage() public {
        uint256 n = 40;
        L.SignedObservation[] memory opening = new L.SignedObservation[](n);
        L.SignedObservation[] memory next = new L.SignedObservation[](n);
        for (uint256 i; i < n; ++i) {
            bytes32 stream = keccak256(abi.encode("stream", i));
            opening[i].header = header(stream, 0, bytes32(0), 0);
            (opening[i].deadline, opening[i].signatures) = (dl(), sigs(opening[i].header, ids(0, 2, 4)));
            next[i].header = header(stream, 1, hashOf(opening[i].header), 0);
            (next[i].deadline, next[i].signatures) = (dl(), sigs(next[i].header, ids(1, 3, 4)));
        }
        assertEq(ledger.submitSignOffBatch(opening), n, "the streams open");
        vm.cool(address(ledger));
        assertEq(ledger.submitSignOffBatch(next), n, "every stream moves on");
        for (uint256 i; i < n; ++i) {
            assertTrue(ledger.isStreamHead(next[i].header.streamHash, hashOf(next[i].header), 1), "head moved");
        }
    }

    function test_submitSignOffBatch_OutOfOrderLeavesChildrenPending() public {
        L.SignedObservation[] memory batch = new L.SignedObservation[](2);
        L.ObservationHeader memory p = first();
        L.ObservationHeader memory c = header(STREAM, 1, hashOf(p), 0);
        (batch[0].header, batch[0].deadline, batch[0].signatures) = (c, dl(), sigs(c, ids(0, 1, 2)));
        (batch[1].header, batch[1].deadline, batch[1].signatures) = (p, dl(), sigs(p, ids(0, 1, 2)));
        assertEq(ledger.submitSignOffBatch(batch), 1, "only the parent");
        ledger.finalize(c);
        assertTrue(ledger.isStreamHead(STREAM, hashOf(c), 1), "child after finalize");
    }

    function test_submitSignOffBatch_AllOrNothing() public {
        L.SignedObservation[] memory batch = new L.SignedObservation[](2);
        L.ObservationHeader memory p = first();
        L.ObservationHeader memory c = header(STREAM, 1, hashOf(p), 0);
        (batch[0].header, batch[0].deadline, batch[0].signatures) = (p, dl(), sigs(p, ids(0, 1, 2)));
        (batch[1].header, batch[1].deadline, batch[1].signatures) = (c, dl(), sigs(c, ids(0, 1, 1)));
        vm.expectRevert(abi.encodeWithSelector(R.DuplicateWitness.selector, w(1)));
        ledger.submitSignOffBatch(batch);
        assertEq(ledger.finalizedObservation(slotOf(p)), bytes32(0), "first item rolled back");
    }

    function test_submitSignOffBatch_SkipsASlotFinalizedFirst() public {
        // A front-runner copies item 0's signatures and finalizes it before the batch lands.
        (L.SignedObservation[] memory batch, bytes32 parent) = chainBatch(5);
        vm.prank(address(0xBAD));
        ledger.submitSignOffs(batch[0].header, batch[0].deadline, batch[0].signatures);
        assertEq(ledger.submitSignOffBatch(batch), 4, "the other four finalize");
        assertTrue(ledger.isStreamHead(STREAM, parent, 4), "head at 4");
    }

    function test_submitSignOffBatch_SkipsASlotFinalizedWithARival() public {
        L.ObservationHeader memory rival = header(STREAM, 0, bytes32(0), 1);
        ledger.submitSignOffs(rival, dl(), sigs(rival, ids(1, 2, 3)));
        L.SignedObservation[] memory batch = new L.SignedObservation[](1);
        (batch[0].header, batch[0].deadline, batch[0].signatures) = (first(), dl(), sigs(first(), ids(0, 2, 4)));
        assertEq(ledger.submitSignOffBatch(batch), 0, "nothing finalized, nothing reverted");
        assertEq(ledger.finalizedObservation(slotOf(rival)), hashOf(rival), "the rival stays final");
    }

    function test_submitSignOffBatch_FailsIf_Empty() public {
        vm.expectRevert(L.EmptySubmission.selector);
        ledger.submitSignOffBatch(new L.SignedObservation[](0));
    }

    // -- Fuzz --

    /// @dev Any set of distinct witnesses finalizes exactly when it holds a quorum.
    function testFuzz_submitSignOffs_FinalizesIffQuorum(uint256 subset) public {
        subset = bound(subset, 1, (1 << N) - 1);
        uint256 count;
        for (uint256 i; i < N; ++i) if (subset & (1 << i) != 0) ++count;
        uint256[] memory chosen = new uint256[](count);
        uint256 n;
        for (uint256 i; i < N; ++i) if (subset & (1 << i) != 0) chosen[n++] = i;
        L.ObservationHeader memory h = first();
        bool finalized = ledger.submitSignOffs(h, dl(), sigs(h, chosen));
        assertEq(finalized, count >= QUORUM, "finalizes iff quorum");
        assertEq(ledger.finalizedObservation(slotOf(h)) == hashOf(h), count >= QUORUM, "stored iff quorum");
    }

    /// @dev Transaction sign-offs in any order finalize on exactly the quorum-th one.
    function testFuzz_signOff_AnyOrderFinalizesOnQuorumth(uint256 seed) public {
        uint256[5] memory order = [uint256(0), 1, 2, 3, 4];
        for (uint256 i = N - 1; i > 0; --i) {
            uint256 j = uint256(keccak256(abi.encode(seed, i))) % (i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        L.ObservationHeader memory h = first();
        for (uint256 i; i < QUORUM; ++i) {
            assertEq(signOffAs(order[i], h), i == QUORUM - 1, "finalizes on the quorum-th");
        }
        vm.prank(w(order[QUORUM]));
        vm.expectRevert(abi.encodeWithSelector(L.SlotAlreadyFinalized.selector, slotOf(h), hashOf(h)));
        ledger.signOff(h);
    }

    /// @dev A signature holds up to its deadline and not one second after.
    function testFuzz_submitSignOffs_DeadlineHolds(uint64 deadline, uint64 at) public {
        deadline = uint64(bound(deadline, 1, type(uint64).max - 1));
        at = uint64(bound(at, 1, type(uint64).max));
        L.ObservationHeader memory h = first();
        L.WitnessSignature[] memory s = new L.WitnessSignature[](3);
        for (uint256 i; i < 3; ++i) s[i] = sig(key(i), hashOf(h), deadline);
        vm.warp(at);
        if (at > deadline) {
            vm.expectRevert(abi.encodeWithSelector(L.SignatureExpired.selector, hashOf(h), deadline, uint256(at)));
        }
        ledger.submitSignOffs(h, deadline, s);
    }
}
