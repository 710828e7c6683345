// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title IStorageReceipts
 * @notice Storage nodes sign, on chain, that they hold their part of an image version: the member of
 * slot `i` of the image's community for fragment `i`, or a named replica for the whole file. An
 * uploader waits for every slot's receipt before calling a store done, and an auditor reads who
 * claimed to keep what, and since when. A receipt is an attestation, not state: each call records
 * one, and a later storage challenge (Merkle proof of a random segment) is what will test it.
 */
interface IStorageReceipts {
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
     * @notice Only a current member of the image's community, or one of its replicas, can confirm.
     * @param imageId The image.
     * @param account The caller.
     */
    error StorageReceiptsNotStorageNode(uint256 imageId, address account);

    /**
     * @notice Records that the caller holds (has pinned) its fragment of `version`, or the whole
     * file for a replicated image.
     * @param imageId An existing image.
     * @param version A version in `1..versionCount`.
     */
    function confirmStorage(uint256 imageId, uint256 version) external;
}
