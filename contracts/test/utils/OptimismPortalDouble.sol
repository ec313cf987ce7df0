// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Test double of OptimismPortal2's deposit entry point, for the rail client's funding
///         tests on anvil: it checks what the real portal checks of an ETH deposit (value matches,
///         a minimum gas limit) and emits the real portal's TransactionDeposited event, with the
///         same opaque data layout, so a test can play op-node and credit the L2 side.
contract OptimismPortalDouble {
    /// @dev As OptimismPortal2 emits it; version 0 is the only deposit version.
    event TransactionDeposited(address indexed from, address indexed to, uint256 indexed version, bytes opaqueData);

    error ValueMismatch(uint256 msgValue, uint256 value);
    error GasLimitTooLow(uint64 gasLimit);

    function depositTransaction(address to, uint256 value, uint64 gasLimit, bool isCreation, bytes calldata data)
        external
        payable
    {
        if (msg.value != value) revert ValueMismatch(msg.value, value);
        // The real portal's floor is 21,000 + 40 gas per calldata byte (minimumGasLimit).
        if (gasLimit < 21_000 + 40 * data.length) revert GasLimitTooLow(gasLimit);
        require(!isCreation, "no creation");
        // opaqueData = mint, value, gasLimit, isCreation, data, packed (OptimismPortal2.depositTransaction).
        emit TransactionDeposited(msg.sender, to, 0, abi.encodePacked(msg.value, value, gasLimit, isCreation, data));
    }
}
