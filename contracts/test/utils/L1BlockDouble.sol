// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Test double of the L1Block predeploy (0x4200…0015): `number()` is the L1 origin of the
///         latest L2 block. The funding tests put its code on an anvil "L2" and move `number` the
///         way op-node's derivation would.
contract L1BlockDouble {
    uint64 public number;
}
