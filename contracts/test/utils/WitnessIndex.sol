// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IEveryChannelWitnessRegistry} from "../../src/interfaces/IEveryChannelWitnessRegistry.sol";

/// @dev The registry index `account` holds or last held, or 0 if it never held one (what a signature
///      by that account names, for the unit tests and the invariant handler alike).
function lastWitnessIndex(IEveryChannelWitnessRegistry registry, address account) view returns (uint8) {
    try registry.witnessIndex(account) returns (uint256 index, bool) {
        // casting to 'uint8' is safe because indices are below MAX_WITNESS_INDICES (192).
        // forge-lint: disable-next-line(unsafe-typecast)
        return uint8(index);
    } catch {
        return 0;
    }
}
