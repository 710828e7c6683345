// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";

import {CommunityRegistry} from "./CommunityRegistry.sol";
import {ImageKeys} from "./ImageKeys.sol";
import {ImageRegistry} from "./ImageRegistry.sol";
import {ICommunityRegistry} from "./interfaces/ICommunityRegistry.sol";
import {IDispRegistry} from "./interfaces/IDispRegistry.sol";
import {IImageKeys} from "./interfaces/IImageKeys.sol";
import {IImageRegistry} from "./interfaces/IImageRegistry.sol";
import {IStorageReceipts} from "./interfaces/IStorageReceipts.sol";

/**
 * @title DispRegistry
 * @notice The deployed DISP registry: communities of storage nodes and the images they keep, in one
 * contract so that registering an image checks its community without a cross-contract call, with
 * the wrapped content keys of private images. `multicall` batches a registration, grant or revoke
 * with the keys it needs into one transaction, so no grant is left without its key.
 */
contract DispRegistry is IDispRegistry, CommunityRegistry, ImageRegistry, ImageKeys, Multicall {
    /**
     * @param admin Receives `DEFAULT_ADMIN_ROLE` (grants and revokes every role).
     * @param communityManager Receives `COMMUNITY_MANAGER_ROLE`, unless it is the zero address.
     * @param keyRegistry The EncryptionKeyRegistry the content keys are wrapped to.
     */
    constructor(address admin, address communityManager, address keyRegistry) ImageKeys(keyRegistry) {
        if (admin == address(0)) revert DispRegistryInvalidAdmin(admin);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (communityManager != address(0)) _grantRole(COMMUNITY_MANAGER_ROLE, communityManager);
    }

    /// @inheritdoc AccessControl
    function supportsInterface(bytes4 interfaceId) public view virtual override returns (bool) {
        return
            interfaceId == type(ICommunityRegistry).interfaceId ||
            interfaceId == type(IImageRegistry).interfaceId ||
            interfaceId == type(IStorageReceipts).interfaceId ||
            interfaceId == type(IImageKeys).interfaceId ||
            super.supportsInterface(interfaceId);
    }

    function _requireKeyPublisher(uint256 imageId, uint256 version, address caller) internal view override {
        _requireEditor(imageId, caller);
        _requireVersion(imageId, version);
    }

    function _mayHoldKey(uint256 imageId, address account) internal view override returns (bool) {
        // The pending owner too: the offer hands over the keys the buyer will own the image with.
        return _isGrantee(imageId, account) || _isPendingOwner(imageId, account);
    }

    function _communitySize(uint256 communityId) internal view override returns (uint256) {
        return _communitySizeOf(communityId);
    }

    function _uploadTarget(
        uint256 communityId,
        address account
    ) internal view override returns (uint256, bool) {
        return _uploaderSize(communityId, account);
    }

    function _isReplicaNode(address node) internal view override returns (bool) {
        return _isOptedIn(node);
    }

    function _memberSlot(uint256 communityId, address node) internal view override returns (bool, uint256) {
        return _slotIn(communityId, node);
    }

    function _slotHolder(
        uint256 communityId,
        uint256 slot
    ) internal view override returns (address, uint256) {
        return _assignedBlockOf(communityId, slot);
    }

    function _replicaNodeSince(address node) internal view override returns (bool, uint256) {
        return _optedInBlockOf(node);
    }
}
