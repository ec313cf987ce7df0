// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IEveryChannelRail} from "./interfaces/IEveryChannelRail.sol";

/// @title EveryChannelRail
/// @notice Compact manifest / transport pointer store. Media bytes and manifests stay off-chain.
/// @dev When the observation ledger is deployed with bridging on, it is one of the publishers: each
///      finalized observation records (dataRoot, locatorHash) here.
contract EveryChannelRail is IEveryChannelRail, Ownable2Step {
    // -- Storage --

    mapping(bytes32 slot => Entry) private _entries;
    mapping(address account => bool) private _publishers;

    /// @param initialOwner The owner; ownership moves only in two steps.
    constructor(address initialOwner) Ownable(initialOwner) {}

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
        _entries[slot] = Entry({manifestHash: manifestHash, transportPointer: transportPointer});
        emit Recorded(slot, streamHash, epochHash, manifestHash, transportPointer, msg.sender);
    }

    /// @inheritdoc IEveryChannelRail
    function entryAt(bytes32 slot) external view returns (Entry memory) {
        return _entries[slot];
    }

    /// @inheritdoc IEveryChannelRail
    function entryOf(bytes32 streamHash, bytes32 epochHash) external view returns (Entry memory) {
        return _entries[slotOf(streamHash, epochHash)];
    }

    /// @inheritdoc IEveryChannelRail
    function slotOf(bytes32 streamHash, bytes32 epochHash) public pure returns (bytes32) {
        return keccak256(abi.encode(streamHash, epochHash));
    }
}
