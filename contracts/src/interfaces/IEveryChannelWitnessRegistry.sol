// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IEveryChannelWitnessRegistry
/// @notice Registry-backed witness membership and the explicit quorum for every.channel observation
///         consensus (ECP-0093, "Witness model").
/// @dev Rules, checked after every change:
///      - the quorum is never 0 and never above the witness count;
///      - the quorum is a strict majority of the witnesses (2·quorum > count). Any two quorums then
///        share at least one witness, so two conflicting observations of one slot can only both
///        reach quorum if some witness signs off on both. A quorum at or below n/2 is refused;
///      - every witness gets a fresh index (0..MAX_WITNESS_INDICES-1) when it is added, and an index
///        is never handed out again, not even to the same address after a removal. Sign-offs are
///        recorded by index, so a sign-off can only ever count for the witness that made it.
interface IEveryChannelWitnessRegistry {
    // -- Events --

    /// @notice `witness` became a member under `index`.
    event WitnessAdded(address indexed witness, uint256 indexed index);

    /// @notice `witness` (index `index`) stopped being a member. Its pending sign-offs stop counting.
    event WitnessRemoved(address indexed witness, uint256 indexed index);

    /// @notice The quorum changed from `previousQuorum` to `newQuorum`.
    event QuorumChanged(uint256 previousQuorum, uint256 newQuorum);

    // -- Errors --

    /// @dev The zero address cannot be a witness.
    error ZeroAddressWitness();
    /// @dev `witness` is already a member.
    error AlreadyWitness(address witness);
    /// @dev `account` is not a member.
    error NotAWitness(address account);
    /// @dev `witness` appears more than once in one list.
    error DuplicateWitness(address witness);
    /// @dev The quorum would be 0.
    error QuorumZero();
    /// @dev The quorum would exceed the number of witnesses, so it could never be reached.
    error QuorumUnreachable(uint256 quorum, uint256 witnessCount);
    /// @dev The quorum would not be a strict majority of the witnesses (2·quorum must exceed count).
    error QuorumNotMajority(uint256 quorum, uint256 witnessCount);
    /// @dev All MAX_WITNESS_INDICES indices have been handed out; deploy a new registry.
    error WitnessIndicesExhausted(uint256 maxIndices);
    /// @dev Ownership cannot be renounced; transfer it in two steps instead.
    error OwnershipCannotBeRenounced();

    // -- Reads --

    /// @notice How many witness indices this registry can ever hand out.
    function MAX_WITNESS_INDICES() external view returns (uint256);

    /// @notice The number of sign-offs from current members that finalizes an observation.
    function quorum() external view returns (uint256);

    /// @notice The number of current members.
    function witnessCount() external view returns (uint256);

    /// @notice Whether `account` is a current member.
    function isWitness(address account) external view returns (bool);

    /// @notice The index `account` holds, and whether it is a current member. A removed witness keeps
    ///         reporting its last index with `active == false`.
    function witnessIndex(address account) external view returns (uint256 index, bool active);

    /// @notice The address that was given `index` (zero if the index was never handed out).
    function witnessAt(uint256 index) external view returns (address);

    /// @notice The current members, in index order.
    function witnesses() external view returns (address[] memory);

    /// @notice Bit i is set when index i belongs to a current member; and the quorum. One storage read.
    function membership() external view returns (uint256 memberMask, uint256 quorum);

    /// @notice The index bits of `accounts`, with the member mask and the quorum, in one call.
    /// @dev Reverts NotAWitness for a non-member and DuplicateWitness for a repeated account, so the
    ///      returned bits always hold exactly `accounts.length` distinct members.
    function resolve(address[] calldata accounts)
        external
        view
        returns (uint256 bits, uint256 memberMask, uint256 quorum);

    // -- Owner actions (two-step ownership; renounceOwnership always reverts) --

    /// @notice Adds `witness` under a fresh index. The quorum must stay a strict majority.
    function addWitness(address witness) external;

    /// @notice Removes `witness`. Refused when the quorum would become unreachable.
    function removeWitness(address witness) external;

    /// @notice Sets the quorum, within the rules above.
    function setQuorum(uint256 newQuorum) external;

    /// @notice Adds `toAdd`, removes `toRemove`, then sets `newQuorum`, all or nothing. The rules are
    ///         checked once, at the end, so a set can grow and its quorum rise in one call.
    function updateWitnesses(address[] calldata toAdd, address[] calldata toRemove, uint256 newQuorum) external;
}
