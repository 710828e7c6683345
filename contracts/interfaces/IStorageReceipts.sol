// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title IStorageReceipts
 * @notice Storage nodes sign, on chain, that they hold their part of an image version: the member of
 * slot `i` of the image's community for fragment `i`, or a named replica for the whole file. An
 * uploader waits for every slot's receipt before calling a store done, and an auditor reads who
 * claimed to keep what, and since when. The registry keeps the latest receipt per slot (the node and
 * its block) in state, so a client reads them with one call and no log scan. A receipt counts only
 * while its node still holds the slot and only from the block the node got it (or, for a replica,
 * opted in) on: a node that was replaced or left and came back owes its part again. A later storage
 * challenge (Merkle proof of a random segment) is what will test it.
 */
interface IStorageReceipts {
    /// @notice The latest receipt for one slot of a version.
    struct StorageReceipt {
        /// The node that signed it, or the zero address when none did.
        address node;
        /// The block it was signed in.
        uint256 blockNumber;
        /// Whether it counts: `node` holds the slot now and signed at or after it got it.
        bool current;
    }

    /**
     * @notice `node` confirmed that it holds its part of a version.
     * @param imageId The image.
     * @param version The version.
     * @param node The storage node (the caller).
     * @param slot Its slot in the image's community, or its position among the image's replicas.
     */
    event StorageConfirmed(
        uint256 indexed imageId,
        uint256 indexed version,
        address indexed node,
        uint256 slot
    );

    /**
     * @notice Only a current member of the image's community, or one of its replicas that is still
     * opted in, can confirm.
     * @param imageId The image.
     * @param account The caller.
     */
    error StorageReceiptsNotStorageNode(uint256 imageId, address account);

    /**
     * @notice The image has no such slot (community slot, or replica position).
     * @param imageId The image.
     * @param slot The slot asked for.
     */
    error StorageReceiptsInvalidSlot(uint256 imageId, uint256 slot);

    /**
     * @notice Records that the caller holds (has pinned) its fragment of `version`, or the whole
     * file for a replicated image.
     * @param imageId An existing image.
     * @param version A version in `1..versionCount`.
     */
    function confirmStorage(uint256 imageId, uint256 version) external;

    /**
     * @notice The latest receipt for one slot of a version, and whether it counts.
     * @param imageId An existing image.
     * @param version A version in `1..versionCount`.
     * @param slot A community slot, or a replica position, of the image.
     */
    function storageReceipt(
        uint256 imageId,
        uint256 version,
        uint256 slot
    ) external view returns (StorageReceipt memory);

    /**
     * @notice The latest receipt of every slot of a version, by slot (what a client waits for).
     * @param imageId An existing image.
     * @param version A version in `1..versionCount`.
     */
    function storageReceipts(
        uint256 imageId,
        uint256 version
    ) external view returns (StorageReceipt[] memory);

    /**
     * @notice Whether the current holder of `slot` confirmed `version` since it got the slot.
     * @param imageId An existing image.
     * @param version A version in `1..versionCount`.
     * @param slot A community slot, or a replica position, of the image.
     */
    function isStorageConfirmed(uint256 imageId, uint256 version, uint256 slot) external view returns (bool);
}
