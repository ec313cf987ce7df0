// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Test double of OptimismPortal2's deposit entry point, for the rail client's funding
///         tests on anvil: it checks what the real portal checks of an ETH deposit (value matches,
///         a minimum gas limit) and emits the request, so a test can credit the L2 side.
contract OptimismPortalDouble {
    event DepositRequested(address indexed from, address indexed to, uint256 value, uint64 gasLimit);

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
        emit DepositRequested(msg.sender, to, value, gasLimit);
    }
}
