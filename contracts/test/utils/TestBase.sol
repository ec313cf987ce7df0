// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {Vm} from "./Vm.sol";

/// @notice A small test base: the cheatcode handle, assertions that revert with a message, and
///         `bound` for fuzz inputs.
abstract contract TestBase {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    error AssertionFailed(string what);

    function assertTrue(bool value, string memory what) internal pure {
        if (!value) revert AssertionFailed(what);
    }

    function assertEq(uint256 a, uint256 b, string memory what) internal pure {
        if (a != b) revert AssertionFailed(string.concat(what, ": ", _u(a), " != ", _u(b)));
    }

    function assertEq(bytes32 a, bytes32 b, string memory what) internal pure {
        if (a != b) revert AssertionFailed(string.concat(what, ": ", _h(a), " != ", _h(b)));
    }

    function assertEq(address a, address b, string memory what) internal pure {
        if (a != b) revert AssertionFailed(what);
    }

    function assertEq(bool a, bool b, string memory what) internal pure {
        if (a != b) revert AssertionFailed(what);
    }

    function assertGe(uint256 a, uint256 b, string memory what) internal pure {
        if (a < b) revert AssertionFailed(string.concat(what, ": ", _u(a), " < ", _u(b)));
    }

    function assertLe(uint256 a, uint256 b, string memory what) internal pure {
        if (a > b) revert AssertionFailed(string.concat(what, ": ", _u(a), " > ", _u(b)));
    }

    /// @dev Keeps `x` if it is in [lo, hi], else wraps it in, so no fuzz run is discarded.
    function bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        require(lo <= hi, "bound: lo > hi");
        if (x >= lo && x <= hi) return x;
        if (lo == 0 && hi == type(uint256).max) return x;
        return lo + (x % (hi - lo + 1));
    }

    function toString(uint256 value) internal pure returns (string memory) {
        return Strings.toString(value);
    }

    function _u(uint256 value) private pure returns (string memory) {
        return Strings.toString(value);
    }

    function _h(bytes32 value) private pure returns (string memory) {
        return Strings.toHexString(uint256(value), 32);
    }
}
