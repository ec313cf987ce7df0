// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IEveryChannelRail
/// @notice The compact manifest / transport pointer store: per (streamHash, epochHash) slot, authorized
///         publishers record a manifest hash and a transport pointer (ECP-0093, "Components").
/// @dev The slot is keccak256(abi.encode(streamHash, epochHash)), the same ObservationSlot the ledger
///      uses. A later record for a slot replaces the earlier one (a transport pointer can move, e.g.
///      after an archive migration); the Recorded events keep the whole history.
interface IEveryChannelRail {
    /// @notice A slot's current record.
    struct Entry {
        bytes32 manifestHash;
        bytes32 transportPointer;
    }

    /// @notice `publisher` was authorized (`authorized == true`) or deauthorized.
    event PublisherSet(address indexed publisher, bool authorized);

    /// @notice `publisher` recorded `manifestHash` and `transportPointer` for the slot.
    event Recorded(
        bytes32 indexed slot,
        bytes32 indexed streamHash,
        bytes32 indexed epochHash,
        bytes32 manifestHash,
        bytes32 transportPointer,
        address publisher
    );

    /// @dev `account` is not an authorized publisher.
    error NotPublisher(address account);
    /// @dev A publisher cannot be the zero address.
    error ZeroAddressPublisher();
    /// @dev A record needs a non-zero manifest hash; zero means "nothing recorded".
    error ZeroManifestHash(bytes32 streamHash, bytes32 epochHash);

    /// @notice Authorizes or deauthorizes `publisher`. Owner only.
    function setPublisher(address publisher, bool authorized) external;

    /// @notice Whether `account` may record.
    function isPublisher(address account) external view returns (bool);

    /// @notice Records `manifestHash` and `transportPointer` for (streamHash, epochHash). Publishers only.
    /// @return slot The slot written.
    function record(bytes32 streamHash, bytes32 epochHash, bytes32 manifestHash, bytes32 transportPointer)
        external
        returns (bytes32 slot);

    /// @notice The record of `slot` (zeros when nothing was recorded).
    function entryAt(bytes32 slot) external view returns (Entry memory);

    /// @notice The record of (streamHash, epochHash).
    function entryOf(bytes32 streamHash, bytes32 epochHash) external view returns (Entry memory);

    /// @notice keccak256(abi.encode(streamHash, epochHash)).
    function slotOf(bytes32 streamHash, bytes32 epochHash) external pure returns (bytes32);
}
