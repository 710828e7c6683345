// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IImageRegistry} from "./interfaces/IImageRegistry.sol";
import {IStorageReceipts} from "./interfaces/IStorageReceipts.sol";
import {FragmentLeaf} from "./libraries/FragmentLeaf.sol";

/**
 * @title ImageRegistry
 * @notice Images, their versions' Merkle roots, and per-image access. Registration writes two
 * fresh storage slots (the image header and version 1's root) and no counter: an image's id is
 * derived from its registrant and version 1's root ({imageIdOf}), so a client knows it before the
 * transaction is mined and a retried registration cannot create a second image. Every later
 * version writes one root slot. Manifest CIDs are kept only in events, which any JSON-RPC node
 * serves; the content hash is in the manifest, which the root commits to.
 *
 * The deriving contract says which communities and nodes exist, and who may upload to a community,
 * through {_uploadTarget}, {_isReplicaNode} and {_memberSlot}.
 */
abstract contract ImageRegistry is IImageRegistry, IStorageReceipts {
    /// @inheritdoc IImageRegistry
    uint256 public constant MANIFEST_LEAF_INDEX = FragmentLeaf.MANIFEST_INDEX;

    /// @inheritdoc IImageRegistry
    uint256 public constant MAX_REPLICAS = 16;

    // One storage slot (30 bytes): registration writes it once, adding a version updates it in place.
    struct Image {
        address owner;
        uint32 communityId;
        uint32 versionCount;
        uint8 fragmentCount;
        bool isPublic;
    }

    mapping(uint256 imageId => Image) private _images;
    mapping(uint256 imageId => mapping(uint256 version => bytes32 root)) private _roots;
    mapping(uint256 imageId => address[] nodes) private _replicas;
    mapping(uint256 imageId => mapping(address account => bool)) private _editors;
    mapping(uint256 imageId => mapping(address account => bool)) private _readers;

    /// @inheritdoc IImageRegistry
    function registerImage(
        uint256 communityId,
        uint256 fragmentCount,
        bytes32 root,
        bytes calldata manifestCid
    ) external returns (uint256 imageId) {
        (uint256 size, bool uploader) = _uploadTarget(communityId, msg.sender);
        if (size == 0) revert ImageRegistryUnknownCommunity(communityId);
        if (fragmentCount != size)
            revert ImageRegistryFragmentCountMismatch(communityId, size, fragmentCount);
        if (!uploader) revert ImageRegistryNotUploader(communityId, msg.sender);
        imageId = _createImage(communityId, size, root, manifestCid);
        emit ImageRegistered(imageId, msg.sender, communityId, manifestCid);
    }

    /// @inheritdoc IImageRegistry
    function registerReplicatedImage(
        address[] calldata nodes,
        bytes32 root,
        bytes calldata manifestCid
    ) external returns (uint256 imageId) {
        if (nodes.length == 0 || nodes.length > MAX_REPLICAS)
            revert ImageRegistryInvalidReplicaCount(nodes.length);
        for (uint256 i = 0; i < nodes.length; ++i) {
            address node = nodes[i];
            if (!_isReplicaNode(node)) revert ImageRegistryNodeNotOptedIn(node);
            for (uint256 j = 0; j < i; ++j) {
                if (nodes[j] == node) revert ImageRegistryDuplicateReplica(node);
            }
        }
        imageId = _createImage(0, 1, root, manifestCid);
        _replicas[imageId] = nodes;
        emit ImageRegistered(imageId, msg.sender, 0, manifestCid);
        for (uint256 i = 0; i < nodes.length; ++i) {
            emit ReplicaAssigned(imageId, nodes[i]);
        }
    }

    /// @inheritdoc IImageRegistry
    function addVersion(
        uint256 imageId,
        bytes32 root,
        bytes calldata manifestCid
    ) external returns (uint256 version) {
        Image storage image = _requireImage(imageId);
        if (image.owner != msg.sender && !_editors[imageId][msg.sender]) {
            revert ImageRegistryNotEditor(imageId, msg.sender);
        }
        uint256 communityId = image.communityId;
        if (communityId != 0) {
            (, bool uploader) = _uploadTarget(communityId, msg.sender);
            if (!uploader) revert ImageRegistryNotUploader(communityId, msg.sender);
        }
        _requireVersionData(root, manifestCid);
        // Checked: a uint32 counter reverts rather than wrap after 2^32 - 1 versions.
        version = ++image.versionCount;
        _roots[imageId][version] = root;
        emit VersionAdded(imageId, version, communityId, msg.sender, manifestCid);
    }

    /// @inheritdoc IImageRegistry
    function transferImageOwnership(uint256 imageId, address newOwner) external {
        Image storage image = _requireOwner(imageId);
        if (newOwner == address(0)) revert ImageRegistryInvalidAccount(newOwner);
        if (newOwner == msg.sender) return;
        image.owner = newOwner;
        emit ImageOwnershipTransferred(imageId, msg.sender, newOwner);
    }

    /// @inheritdoc IImageRegistry
    function grantEditor(uint256 imageId, address account) external {
        _requireOwner(imageId);
        if (account == address(0)) revert ImageRegistryInvalidAccount(account);
        if (_editors[imageId][account]) return;
        _editors[imageId][account] = true;
        emit EditorGranted(imageId, account);
    }

    /// @inheritdoc IImageRegistry
    function revokeEditor(uint256 imageId, address account) external {
        _requireOwner(imageId);
        if (!_editors[imageId][account]) return;
        delete _editors[imageId][account];
        emit EditorRevoked(imageId, account);
    }

    /// @inheritdoc IImageRegistry
    function grantRead(uint256 imageId, address account) external {
        _requireOwner(imageId);
        if (account == address(0)) revert ImageRegistryInvalidAccount(account);
        if (_readers[imageId][account]) return;
        _readers[imageId][account] = true;
        emit ReadGranted(imageId, account);
    }

    /// @inheritdoc IImageRegistry
    function revokeRead(uint256 imageId, address account) external {
        _requireOwner(imageId);
        if (!_readers[imageId][account]) return;
        delete _readers[imageId][account];
        emit ReadRevoked(imageId, account);
    }

    /// @inheritdoc IImageRegistry
    function setPublic(uint256 imageId, bool isPublic) external {
        Image storage image = _requireOwner(imageId);
        if (image.isPublic == isPublic) return;
        image.isPublic = isPublic;
        emit ImageVisibilityChanged(imageId, isPublic);
    }

    /// @inheritdoc IStorageReceipts
    function confirmStorage(uint256 imageId, uint256 version) external {
        _requireRoot(imageId, version);
        uint256 communityId = _images[imageId].communityId;
        (bool found, uint256 slot) = communityId == 0
            ? _replicaSlot(imageId, msg.sender)
            : _memberSlot(communityId, msg.sender);
        if (!found) revert StorageReceiptsNotStorageNode(imageId, msg.sender);
        emit StorageConfirmed(imageId, version, msg.sender, slot);
    }

    /// @inheritdoc IImageRegistry
    function imageIdOf(address registrant, bytes32 root) public pure returns (uint256 imageId) {
        // keccak256(abi.encode(registrant, root)) in scratch space, without allocating memory: it
        // runs on every registration, and saves 192 gas there (measured with bench:gas).
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            mstore(0x00, and(registrant, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(0x20, root)
            imageId := keccak256(0x00, 0x40)
        }
    }

    /// @inheritdoc IImageRegistry
    function imageInfo(uint256 imageId) external view returns (ImageInfo memory) {
        Image storage image = _requireImage(imageId);
        return
            ImageInfo(
                image.owner,
                image.communityId,
                image.fragmentCount,
                image.versionCount,
                image.isPublic
            );
    }

    /// @inheritdoc IImageRegistry
    function replicas(uint256 imageId) external view returns (address[] memory) {
        _requireImage(imageId);
        return _replicas[imageId];
    }

    /// @inheritdoc IImageRegistry
    function versionRoot(uint256 imageId, uint256 version) external view returns (bytes32) {
        return _requireRoot(imageId, version);
    }

    /// @inheritdoc IImageRegistry
    function verifyFragment(
        uint256 imageId,
        uint256 version,
        uint256 index,
        bytes32 digest,
        bytes32[] calldata proof
    ) external view returns (bool) {
        bytes32 root = _requireRoot(imageId, version);
        if (index >= _images[imageId].fragmentCount && index != MANIFEST_LEAF_INDEX) return false;
        return FragmentLeaf.verify(proof, root, index, digest);
    }

    /// @inheritdoc IImageRegistry
    function canRead(uint256 imageId, address account) external view returns (bool) {
        Image storage image = _requireImage(imageId);
        return
            image.isPublic ||
            image.owner == account ||
            _editors[imageId][account] ||
            _readers[imageId][account];
    }

    /// @inheritdoc IImageRegistry
    function hasReadGrant(uint256 imageId, address account) external view returns (bool) {
        _requireImage(imageId);
        return _readers[imageId][account];
    }

    /// @inheritdoc IImageRegistry
    function isEditor(uint256 imageId, address account) external view returns (bool) {
        _requireImage(imageId);
        return _editors[imageId][account];
    }

    /// @dev The number of members of `communityId` (0 when it does not exist) and whether `account`
    /// may register images and add versions on it.
    function _uploadTarget(
        uint256 communityId,
        address account
    ) internal view virtual returns (uint256 size, bool uploader);

    /// @dev Whether `node` may keep replicas (an opted-in storage node).
    function _isReplicaNode(address node) internal view virtual returns (bool);

    /// @dev The slot `node` holds in `communityId`; `found` is false when it is not a current member.
    function _memberSlot(
        uint256 communityId,
        address node
    ) internal view virtual returns (bool found, uint256 slot);

    function _replicaSlot(uint256 imageId, address node) private view returns (bool found, uint256 slot) {
        address[] storage nodes = _replicas[imageId];
        for (uint256 i = 0; i < nodes.length; ++i) {
            if (nodes[i] == node) return (true, i);
        }
        return (false, 0);
    }

    /// @dev Writes the header and version 1's root of a new image owned by the caller.
    function _createImage(
        uint256 communityId,
        uint256 fragmentCount,
        bytes32 root,
        bytes calldata manifestCid
    ) private returns (uint256 imageId) {
        _requireVersionData(root, manifestCid);
        imageId = imageIdOf(msg.sender, root);
        if (_images[imageId].owner != address(0)) revert ImageRegistryImageExists(imageId);
        // Cannot truncate: community ids come from a uint32 counter and fragment counts are at most
        // the largest community size (64).
        _images[imageId] = Image({
            owner: msg.sender,
            communityId: uint32(communityId),
            versionCount: 1,
            fragmentCount: uint8(fragmentCount),
            isPublic: false
        });
        _roots[imageId][1] = root;
    }

    function _requireVersionData(bytes32 root, bytes calldata manifestCid) private pure {
        if (root == bytes32(0)) revert ImageRegistryEmptyRoot();
        if (manifestCid.length == 0) revert ImageRegistryEmptyManifestCid();
    }

    function _requireImage(uint256 imageId) private view returns (Image storage image) {
        image = _images[imageId];
        if (image.owner == address(0)) revert ImageRegistryUnknownImage(imageId);
    }

    function _requireOwner(uint256 imageId) private view returns (Image storage image) {
        image = _requireImage(imageId);
        if (image.owner != msg.sender) revert ImageRegistryNotOwner(imageId, msg.sender);
    }

    function _requireRoot(uint256 imageId, uint256 version) private view returns (bytes32) {
        Image storage image = _requireImage(imageId);
        if (version == 0 || version > image.versionCount)
            revert ImageRegistryUnknownVersion(imageId, version);
        return _roots[imageId][version];
    }
}
