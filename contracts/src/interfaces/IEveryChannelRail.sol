// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IEveryChannelRail
/// @notice The compact manifest / transport pointer store: per (streamHash, epochHash) slot, authorized
///         publishers record a manifest hash and a transport pointer (ECP-0093, "Components").
/// @dev The slot is keccak256(abi.encode(streamHash, epochHash)), the same ObservationSlot the ledger
///      uses. Records are kept per publisher: each publisher has its own record of a slot, and only
///      it can replace it (a transport pointer can move, e.g. after an archive migration). No
///      publisher can touch another's records, so an observation ledger's records (written only for
///      finalized observations) cannot be rewritten by anyone. The Recorded events keep the history.
interface IEveryChannelRail {
    /// @notice A slot's current record.
    struct Entry {
        bytes32 manifestHash;
        bytes32 transportPointer;
    }

    /// @notice `publisher` was authorized (`authorized == true`) or deauthorized.
    event PublisherSet(address indexed publisher, bool authorized);

    /// @notice `publisher` recorded `manifestHash` and `transportPointer` as its record of the slot.
    ///         Indexed by publisher and slot: a reader follows one publisher's records.
    event Recorded(
        address indexed publisher,
        bytes32 indexed slot,
        bytes32 indexed streamHash,
        bytes32 epochHash,
        bytes32 manifestHash,
        bytes32 transportPointer
    );

    /// @dev `account` is not an authorized publisher.
    error NotPublisher(address account);
    /// @dev A publisher cannot be the zero address.
    error ZeroAddressPublisher();
    /// @dev A record needs a non-zero manifest hash; zero means "nothing recorded".
    error ZeroManifestHash(bytes32 streamHash, bytes32 epochHash);
    /// @dev Ownership cannot be renounced; transfer it in two steps instead.
    error OwnershipCannotBeRenounced();

    /// @notice Authorizes or deauthorizes `publisher`. Owner only.
    function setPublisher(address publisher, bool authorized) external;

    /// @notice Whether `account` may record.
    function isPublisher(address account) external view returns (bool);

    /// @notice Records `manifestHash` and `transportPointer` for (streamHash, epochHash) as the caller's
    ///         record, replacing the caller's earlier record of the slot. Publishers only.
    /// @return slot The slot written.
    function record(bytes32 streamHash, bytes32 epochHash, bytes32 manifestHash, bytes32 transportPointer)
        external
        returns (bytes32 slot);

    /// @notice `publisher`'s record of `slot` (zeros when it recorded nothing there).
    function entryAt(address publisher, bytes32 slot) external view returns (Entry memory);

    /// @notice `publisher`'s record of (streamHash, epochHash).
    function entryOf(address publisher, bytes32 streamHash, bytes32 epochHash) external view returns (Entry memory);

    /// @notice keccak256(abi.encode(streamHash, epochHash)).
    function slotOf(bytes32 streamHash, bytes32 epochHash) external pure returns (bytes32);
}
