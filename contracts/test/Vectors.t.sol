// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LedgerFixture} from "./utils/LedgerFixture.sol";
import {EveryChannelObservationLedger} from "../src/EveryChannelObservationLedger.sol";
import {IEveryChannelObservationLedger as L} from "../src/interfaces/IEveryChannelObservationLedger.sol";

/// @notice The contracts agree byte for byte with the TypeScript rail client on the committed vectors
///         (contracts/test/vectors/observation-vectors.json, made by scripts/gen-vectors.ts with viem).
contract VectorsTest is LedgerFixture {
    string internal json;

    function setUp() public override {
        super.setUp();
        json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/observation-vectors.json"));
        // The digest binds the domain: run the ledger's code at the vectors' address on their chain.
        vm.etch(vm.parseJsonAddress(json, ".domain.verifyingContract"), address(ledger).code);
        ledger = EveryChannelObservationLedger(vm.parseJsonAddress(json, ".domain.verifyingContract"));
        vm.chainId(vm.parseJsonUint(json, ".domain.chainId"));
    }

    function test_vectors_MatchTheContracts() public view {
        uint256 count = vm.parseJsonUint(json, ".count");
        assertTrue(count >= 4, "vectors present");
        for (uint256 i; i < count; ++i) {
            string memory at = string.concat(".vectors[", toString(i), "]");
            L.ObservationHeader memory h = _header(string.concat(at, ".header"));
            bytes32 hash = vm.parseJsonBytes32(json, string.concat(at, ".observationHash"));
            assertEq(ledger.observationHash(h), hash, string.concat("observationHash ", toString(i)));
            assertEq(
                ledger.observationSlot(h.streamHash, h.epochHash),
                vm.parseJsonBytes32(json, string.concat(at, ".observationSlot")),
                string.concat("observationSlot ", toString(i))
            );
            uint64 deadline = uint64(vm.parseJsonUint(json, string.concat(at, ".deadline")));
            // casting to 'uint8' is safe because the vectors hold indices up to 255, checked by gen-vectors.
            // forge-lint: disable-next-line(unsafe-typecast)
            uint8 witnessIndex = uint8(vm.parseJsonUint(json, string.concat(at, ".witnessIndex")));
            assertEq(
                ledger.signOffDigest(hash, deadline, witnessIndex),
                vm.parseJsonBytes32(json, string.concat(at, ".signOffDigest")),
                string.concat("signOffDigest ", toString(i))
            );
        }
    }

    function test_vectors_NameTheLedgerDomain() public view {
        assertEq(
            keccak256(bytes(vm.parseJsonString(json, ".domain.name"))),
            keccak256("EveryChannelObservationLedger"),
            "domain name"
        );
        assertEq(keccak256(bytes(vm.parseJsonString(json, ".domain.version"))), keccak256("1"), "domain version");
    }

    function _header(string memory at) internal view returns (L.ObservationHeader memory h) {
        h.streamHash = vm.parseJsonBytes32(json, string.concat(at, ".streamHash"));
        h.epochHash = vm.parseJsonBytes32(json, string.concat(at, ".epochHash"));
        h.parentObservationHash = vm.parseJsonBytes32(json, string.concat(at, ".parentObservationHash"));
        h.dataRoot = vm.parseJsonBytes32(json, string.concat(at, ".dataRoot"));
        h.locatorHash = vm.parseJsonBytes32(json, string.concat(at, ".locatorHash"));
        h.observedUnixMs = uint64(vm.parseJsonUint(json, string.concat(at, ".observedUnixMs")));
        h.sequence = uint64(vm.parseJsonUint(json, string.concat(at, ".sequence")));
    }
}
