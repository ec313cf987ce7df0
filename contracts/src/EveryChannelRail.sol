// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IEveryChannelRail} from "./interfaces/IEveryChannelRail.sol";

/// @title EveryChannelRail
/// @notice Compact manifest / transport pointer store. Media bytes and manifests stay off-chain.
/// @dev When the observation ledger is deployed with bridging on, it is one of the publishers: each
///      finalized observation records (dataRoot, locatorHash) here. Each publisher's records are its
///      own: a publisher writes and overwrites only under its own address, so nobody can rewrite what
///      the ledger recorded, and readers choose whose records they trust.
contract EveryChannelRail is IEveryChannelRail, Ownable2Step {
    // -- Storage --

    mapping(bytes32 key => Entry) private _entries;
    mapping(address account => bool) private _publishers;

    /// @param initialOwner The owner; ownership moves only in two steps.
    constructor(address initialOwner) Ownable(initialOwner) {}

    /// @notice Always reverts: ownership cannot be renounced.
    /// @dev An ownerless rail could never authorize or drop a publisher again. Ownership moves only
    ///      through Ownable2Step, so giving it up is a deliberate act of two parties.
    function renounceOwnership() public pure override {
        revert OwnershipCannotBeRenounced();
    }

    /// @inheritdoc IEveryChannelRail
    function setPublisher(address publisher, bool authorized) external onlyOwner {
        if (publisher == address(0)) revert ZeroAddressPublisher();
        _publishers[publisher] = authorized;
        emit PublisherSet(publisher, authorized);
    }

    /// @inheritdoc IEveryChannelRail
    function isPublisher(address account) external view returns (bool) {
        return _publishers[account];
    }

    /// @inheritdoc IEveryChannelRail
    function record(bytes32 streamHash, bytes32 epochHash, bytes32 manifestHash, bytes32 transportPointer)
        external
        returns (bytes32 slot)
    {
        if (!_publishers[msg.sender]) revert NotPublisher(msg.sender);
        if (manifestHash == bytes32(0)) revert ZeroManifestHash(streamHash, epochHash);
        slot = slotOf(streamHash, epochHash);
        _entries[_key(msg.sender, slot)] = Entry({manifestHash: manifestHash, transportPointer: transportPointer});
        emit Recorded(msg.sender, slot, streamHash, epochHash, manifestHash, transportPointer);
    }

    /// @inheritdoc IEveryChannelRail
    function entryAt(address publisher, bytes32 slot) external view returns (Entry memory) {
        return _entries[_key(publisher, slot)];
    }

    /// @inheritdoc IEveryChannelRail
    function entryOf(address publisher, bytes32 streamHash, bytes32 epochHash) external view returns (Entry memory) {
        return _entries[_key(publisher, slotOf(streamHash, epochHash))];
    }

    /// @inheritdoc IEveryChannelRail
    function slotOf(bytes32 streamHash, bytes32 epochHash) public pure returns (bytes32) {
        return keccak256(abi.encode(streamHash, epochHash));
    }

    /// @dev Where `publisher`'s record of `slot` is stored.
    function _key(address publisher, bytes32 slot) private pure returns (bytes32) {
        return keccak256(abi.encode(publisher, slot));
    }
}
