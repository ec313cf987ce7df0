// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IEveryChannelWitnessRegistry} from "./interfaces/IEveryChannelWitnessRegistry.sol";

/// @title EveryChannelWitnessRegistry
/// @notice Witness membership and quorum for the every.channel observation ledger.
/// @dev The ledger inherits this registry, so a sign-off reads membership from its own storage: an
///      external registry would add a cold account access (2,600 gas) and a call (~1,500 gas) to every
///      sign-off transaction and every relayed submission (measured: `npm run bench`).
///      The whole membership (which indices are members, the quorum, the count) lives in one storage
///      word, so the ledger pays one read for it. That caps the indices at 192 over the registry's
///      lifetime; indices are never reused (see the interface).
///      Deliberately not here: staking, slashing, bonds (ECP-0093 defers them).
abstract contract EveryChannelWitnessRegistry is IEveryChannelWitnessRegistry, Ownable2Step {
    /// @inheritdoc IEveryChannelWitnessRegistry
    uint256 public constant MAX_WITNESS_INDICES = 192;

    // -- Storage --

    /// @dev One word: bit i of memberMask is set while index i belongs to a member.
    struct Membership {
        uint192 memberMask;
        uint8 quorum;
        uint8 count;
        uint8 nextIndex;
    }

    struct WitnessRecord {
        uint8 index;
        bool active;
    }

    Membership private _membership;
    mapping(address account => WitnessRecord) private _records;
    mapping(uint256 index => address) private _witnessAt;

    /// @param initialOwner The owner; ownership moves only in two steps.
    /// @param initialWitnesses The first members, given indices 0, 1, 2, … in this order.
    /// @param initialQuorum The explicit quorum; it must satisfy the rules for `initialWitnesses`.
    constructor(address initialOwner, address[] memory initialWitnesses, uint256 initialQuorum)
        Ownable(initialOwner)
    {
        Membership memory m;
        for (uint256 i; i < initialWitnesses.length; ++i) {
            _add(m, initialWitnesses[i]);
        }
        _setQuorum(m, initialQuorum);
        _membership = m;
    }

    // -- Reads --

    /// @inheritdoc IEveryChannelWitnessRegistry
    function quorum() external view returns (uint256) {
        return _membership.quorum;
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function witnessCount() external view returns (uint256) {
        return _membership.count;
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function isWitness(address account) external view returns (bool) {
        return _records[account].active;
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function witnessIndex(address account) external view returns (uint256 index, bool active) {
        WitnessRecord memory r = _records[account];
        if (_witnessAt[r.index] != account) revert NotAWitness(account);
        return (r.index, r.active);
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function witnessAt(uint256 index) public view returns (address) {
        return _witnessAt[index];
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function witnesses() external view returns (address[] memory list) {
        Membership memory m = _membership;
        list = new address[](m.count);
        uint256 n;
        for (uint256 i; i < m.nextIndex; ++i) {
            if (m.memberMask & (uint256(1) << i) != 0) list[n++] = _witnessAt[i];
        }
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function membership() external view returns (uint256 memberMask, uint256 quorum_) {
        return _currentMembership();
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function resolve(address[] calldata accounts)
        external
        view
        returns (uint256 bits, uint256 memberMask, uint256 quorum_)
    {
        for (uint256 i; i < accounts.length; ++i) {
            bits = _addWitnessBit(bits, accounts[i]);
        }
        (memberMask, quorum_) = _currentMembership();
        return (bits, memberMask, quorum_);
    }

    // -- Owner actions --

    /// @notice Always reverts: ownership cannot be renounced.
    /// @dev An ownerless registry could never remove a compromised or dead witness again. Ownership
    ///      moves only through Ownable2Step (transferOwnership, then acceptOwnership by the new owner),
    ///      so giving it up is a deliberate act of two parties, e.g. handing it to a timelock.
    function renounceOwnership() public pure override {
        revert OwnershipCannotBeRenounced();
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function addWitness(address witness) external onlyOwner {
        Membership memory m = _membership;
        _add(m, witness);
        _check(m);
        _membership = m;
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function removeWitness(address witness) external onlyOwner {
        Membership memory m = _membership;
        _remove(m, witness);
        _check(m);
        _membership = m;
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function setQuorum(uint256 newQuorum) external onlyOwner {
        Membership memory m = _membership;
        _setQuorum(m, newQuorum);
        _membership = m;
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function updateWitnesses(address[] calldata toAdd, address[] calldata toRemove, uint256 newQuorum)
        external
        onlyOwner
    {
        Membership memory m = _membership;
        for (uint256 i; i < toAdd.length; ++i) {
            _add(m, toAdd[i]);
        }
        for (uint256 i; i < toRemove.length; ++i) {
            _remove(m, toRemove[i]);
        }
        _setQuorum(m, newQuorum);
        _membership = m;
    }

    // -- Internals for the ledger --

    /// @dev `bits` with the index bit of member `account` added; reverts for a non-member or a repeat.
    function _addWitnessBit(uint256 bits, address account) internal view returns (uint256) {
        WitnessRecord memory r = _records[account];
        // A removed witness keeps its record with active == false.
        if (!r.active) revert NotAWitness(account);
        uint256 bit = uint256(1) << r.index;
        if (bits & bit != 0) revert DuplicateWitness(account);
        return bits | bit;
    }

    /// @dev The member mask and the quorum, in one storage read.
    function _currentMembership() internal view returns (uint256 memberMask, uint256 quorum_) {
        Membership memory m = _membership;
        return (m.memberMask, m.quorum);
    }

    // -- Internals: they work on a memory copy; callers write it back once --

    function _add(Membership memory m, address witness) private {
        if (witness == address(0)) revert ZeroAddressWitness();
        if (_records[witness].active) revert AlreadyWitness(witness);
        if (m.nextIndex == MAX_WITNESS_INDICES) revert WitnessIndicesExhausted(MAX_WITNESS_INDICES);
        uint8 index = m.nextIndex;
        _records[witness] = WitnessRecord({index: index, active: true});
        _witnessAt[index] = witness;
        m.memberMask |= uint192(1) << index;
        // Both fit: nextIndex < 192 was checked above, and count <= nextIndex.
        m.nextIndex = index + 1;
        m.count += 1;
        emit WitnessAdded(witness, index);
    }

    function _remove(Membership memory m, address witness) private {
        WitnessRecord storage r = _records[witness];
        if (!r.active) revert NotAWitness(witness);
        r.active = false;
        m.memberMask &= ~(uint192(1) << r.index);
        m.count -= 1;
        emit WitnessRemoved(witness, r.index);
    }

    function _setQuorum(Membership memory m, uint256 newQuorum) private {
        uint256 previous = m.quorum;
        if (newQuorum > m.count) revert QuorumUnreachable(newQuorum, m.count);
        // casting to 'uint8' is safe because newQuorum <= count <= 192 was checked just above.
        // forge-lint: disable-next-line(unsafe-typecast)
        m.quorum = uint8(newQuorum);
        _check(m);
        if (previous != newQuorum) emit QuorumChanged(previous, newQuorum);
    }

    /// @dev The membership rules, in the order an operator would fix them.
    function _check(Membership memory m) private pure {
        if (m.quorum == 0) revert QuorumZero();
        if (m.quorum > m.count) revert QuorumUnreachable(m.quorum, m.count);
        if (2 * uint256(m.quorum) <= m.count) revert QuorumNotMajority(m.quorum, m.count);
    }
}
