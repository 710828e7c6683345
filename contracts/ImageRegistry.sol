// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";

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
 * serves; the content hash is in the manifest, which the root commits to. The header keeps the
 * block of the latest version and each {VersionAdded} names the block of the version before, so
 * every version's event is read from its own block, never found by scanning the chain.
 *
 * Grants are keyed by the image's grant epoch, which every change of owner advances: mappings
 * cannot be cleared, so a new epoch is how every earlier grant becomes void at once. Editors and
 * readers are enumerable sets (bounded by `MAX_EDITORS` and `MAX_READERS`), so a client wraps a new
 * version's content key for everyone who may read it from two view calls, without reading logs.
 *
 * The deriving contract says which communities and nodes exist, and who may upload to a community,
 * through {_communitySize}, {_uploadTarget}, {_isReplicaNode}, {_memberSlot}, {_slotHolder} and
 * {_replicaNodeSince}.
 */
abstract contract ImageRegistry is IImageRegistry, IStorageReceipts {
    using EnumerableSet for EnumerableSet.AddressSet;

    /// @inheritdoc IImageRegistry
    uint256 public constant MANIFEST_LEAF_INDEX = FragmentLeaf.MANIFEST_INDEX;

    /// @inheritdoc IImageRegistry
    uint256 public constant MAX_REPLICAS = 16;

    /// @inheritdoc IImageRegistry
    uint256 public constant MAX_EDITORS = 32;

    /// @inheritdoc IImageRegistry
    uint256 public constant MAX_READERS = 256;

    // One storage slot (32 bytes): registration writes it once, adding a version updates it in place.
    // The fragment count is not kept: it is the community's size (communities never resize) or 1.
    struct Image {
        address owner;
        uint32 communityId;
        uint24 versionCount;
        bool isPublic;
        // The block of the latest version: a second slot per version would cost 20,000 gas.
        uint32 versionBlock;
    }

    // One storage slot: the pending owner of an image and its grant epoch.
    struct Transfer {
        address pendingOwner;
        uint96 grantEpoch;
    }

    // One storage slot: who confirmed a slot of a version last, and when.
    struct Receipt {
        address node;
        uint64 blockNumber;
    }

    mapping(uint256 imageId => Image) private _images;
    mapping(uint256 imageId => mapping(uint256 version => bytes32 root)) private _roots;
    mapping(uint256 imageId => address[] nodes) private _replicas;
    // The block from which a replaced replica's receipts count (0 for the replicas named at registration).
    mapping(uint256 imageId => mapping(uint256 index => uint256 blockNumber)) private _replicaSince;
    mapping(uint256 imageId => mapping(uint256 epoch => EnumerableSet.AddressSet)) private _editors;
    mapping(uint256 imageId => mapping(uint256 epoch => EnumerableSet.AddressSet)) private _readers;
    // The owner an image is offered to, and the grant epoch (advanced by every change of owner;
    // grants are keyed by it), in one slot written only when an image changes hands: the header is
    // full, and accepting then rewrites one slot instead of filling a fresh one.
    mapping(uint256 imageId => Transfer) private _transfers;
    mapping(uint256 imageId => mapping(uint256 version => mapping(uint256 slot => Receipt)))
        private _receipts;

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
        imageId = _createImage(communityId, root, manifestCid);
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
        imageId = _createImage(0, root, manifestCid);
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
        Image storage image = _requireEditor(imageId, msg.sender);
        uint256 communityId = image.communityId;
        if (communityId != 0) {
            (, bool uploader) = _uploadTarget(communityId, msg.sender);
            if (!uploader) revert ImageRegistryNotUploader(communityId, msg.sender);
        }
        _requireVersionData(root, manifestCid);
        // Checked: a uint24 counter reverts rather than wrap after 2^24 - 1 versions.
        version = ++image.versionCount;
        uint256 previousVersionBlock = image.versionBlock;
        image.versionBlock = SafeCast.toUint32(block.number);
        _roots[imageId][version] = root;
        emit VersionAdded(imageId, version, communityId, msg.sender, manifestCid, previousVersionBlock);
    }

    /// @inheritdoc IImageRegistry
    function transferImageOwnership(uint256 imageId, address newOwner) external {
        _requireOwner(imageId);
        if (newOwner == address(0)) revert ImageRegistryInvalidAccount(newOwner);
        Transfer storage transfer = _transfers[imageId];
        address pending = transfer.pendingOwner;
        if (newOwner == msg.sender) {
            if (pending == address(0)) return;
            transfer.pendingOwner = address(0);
            emit ImageOwnershipTransferCanceled(imageId, pending);
            return;
        }
        if (newOwner == pending) return;
        transfer.pendingOwner = newOwner;
        emit ImageOwnershipTransferStarted(imageId, msg.sender, newOwner);
    }

    /// @inheritdoc IImageRegistry
    function acceptImageOwnership(uint256 imageId) external {
        Image storage image = _requireImage(imageId);
        Transfer storage transfer = _transfers[imageId];
        if (transfer.pendingOwner != msg.sender) revert ImageRegistryNotPendingOwner(imageId, msg.sender);
        address previousOwner = image.owner;
        image.owner = msg.sender;
        // Checked: a uint96 epoch reverts rather than wrap to one whose grants would come back.
        _transfers[imageId] = Transfer(address(0), transfer.grantEpoch + 1);
        emit ImageOwnershipTransferred(imageId, previousOwner, msg.sender);
    }

    /// @inheritdoc IImageRegistry
    function grantEditor(uint256 imageId, address account) external {
        if (_grant(imageId, _editors[imageId][_ownedEpoch(imageId)], account, true))
            emit EditorGranted(imageId, account);
    }

    /// @inheritdoc IImageRegistry
    function revokeEditor(uint256 imageId, address account) external {
        if (_editors[imageId][_ownedEpoch(imageId)].remove(account)) emit EditorRevoked(imageId, account);
    }

    /// @inheritdoc IImageRegistry
    function grantRead(uint256 imageId, address account) external {
        if (_grant(imageId, _readers[imageId][_ownedEpoch(imageId)], account, false))
            emit ReadGranted(imageId, account);
    }

    /// @inheritdoc IImageRegistry
    function revokeRead(uint256 imageId, address account) external {
        if (_readers[imageId][_ownedEpoch(imageId)].remove(account)) emit ReadRevoked(imageId, account);
    }

    /// @inheritdoc IImageRegistry
    function replaceReplica(uint256 imageId, uint256 index, address node) external {
        Image storage image = _requireOwner(imageId);
        if (image.communityId != 0) revert ImageRegistryNotReplicated(imageId);
        address[] storage nodes = _replicas[imageId];
        if (index >= nodes.length) revert ImageRegistryInvalidReplicaIndex(imageId, index);
        if (!_isReplicaNode(node)) revert ImageRegistryNodeNotOptedIn(node);
        for (uint256 i = 0; i < nodes.length; ++i) {
            if (nodes[i] == node) revert ImageRegistryDuplicateReplica(node);
        }
        address previousNode = nodes[index];
        nodes[index] = node;
        _replicaSince[imageId][index] = block.number;
        emit ReplicaReplaced(imageId, index, previousNode, node);
        emit ReplicaAssigned(imageId, node);
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
        uint256 communityId = _requireVersion(imageId, version).communityId;
        (bool found, uint256 slot) = communityId == 0
            ? _replicaSlot(imageId, msg.sender)
            : _memberSlot(communityId, msg.sender);
        if (!found) revert StorageReceiptsNotStorageNode(imageId, msg.sender);
        // Cannot truncate: block numbers stay below 2^64 for longer than any chain will run.
        _receipts[imageId][version][slot] = Receipt(msg.sender, uint64(block.number));
        emit StorageConfirmed(imageId, version, msg.sender, slot);
    }

    /// @inheritdoc IStorageReceipts
    function storageReceipt(
        uint256 imageId,
        uint256 version,
        uint256 slot
    ) public view returns (StorageReceipt memory) {
        Image storage image = _requireVersion(imageId, version);
        uint256 slots = image.communityId == 0 ? _replicas[imageId].length : _fragmentCount(image);
        if (slot >= slots) revert StorageReceiptsInvalidSlot(imageId, slot);
        return _receiptOf(imageId, image.communityId, version, slot);
    }

    /// @inheritdoc IStorageReceipts
    function storageReceipts(
        uint256 imageId,
        uint256 version
    ) external view returns (StorageReceipt[] memory receipts) {
        Image storage image = _requireVersion(imageId, version);
        uint256 communityId = image.communityId;
        receipts = new StorageReceipt[](communityId == 0 ? _replicas[imageId].length : _fragmentCount(image));
        for (uint256 slot = 0; slot < receipts.length; ++slot) {
            receipts[slot] = _receiptOf(imageId, communityId, version, slot);
        }
    }

    /// @inheritdoc IStorageReceipts
    function isStorageConfirmed(uint256 imageId, uint256 version, uint256 slot) external view returns (bool) {
        return storageReceipt(imageId, version, slot).current;
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
                _fragmentCount(image),
                image.versionCount,
                image.isPublic,
                image.versionBlock
            );
    }

    /// @inheritdoc IImageRegistry
    function pendingImageOwner(uint256 imageId) external view returns (address) {
        _requireImage(imageId);
        return _transfers[imageId].pendingOwner;
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
        if (index >= _fragmentCount(_images[imageId]) && index != MANIFEST_LEAF_INDEX) return false;
        return FragmentLeaf.verify(proof, root, index, digest);
    }

    /// @inheritdoc IImageRegistry
    function canRead(uint256 imageId, address account) external view returns (bool) {
        return _images[imageId].isPublic || _isGrantee(imageId, account);
    }

    /// @inheritdoc IImageRegistry
    function hasReadGrant(uint256 imageId, address account) external view returns (bool) {
        return _readers[imageId][_imageEpoch(imageId)].contains(account);
    }

    /// @inheritdoc IImageRegistry
    function isEditor(uint256 imageId, address account) external view returns (bool) {
        return _editors[imageId][_imageEpoch(imageId)].contains(account);
    }

    /// @inheritdoc IImageRegistry
    function editors(uint256 imageId) external view returns (address[] memory) {
        return _editors[imageId][_imageEpoch(imageId)].values();
    }

    /// @inheritdoc IImageRegistry
    function readers(uint256 imageId) external view returns (address[] memory) {
        return _readers[imageId][_imageEpoch(imageId)].values();
    }

    /// @dev Whether `account` owns `imageId`, an existing image, or is an editor or a reader of it in
    /// its current grant epoch (whatever its visibility).
    function _isGrantee(uint256 imageId, address account) internal view returns (bool) {
        uint256 epoch = _imageEpoch(imageId);
        return
            _images[imageId].owner == account ||
            _editors[imageId][epoch].contains(account) ||
            _readers[imageId][epoch].contains(account);
    }

    /// @dev Whether `account` is the owner `imageId` is offered to, not yet accepted.
    function _isPendingOwner(uint256 imageId, address account) internal view returns (bool) {
        return account != address(0) && _transfers[imageId].pendingOwner == account;
    }

    /// @dev An existing image of which `account` is the owner or an editor.
    function _requireEditor(uint256 imageId, address account) internal view returns (Image storage image) {
        image = _requireImage(imageId);
        if (image.owner != account && !_editors[imageId][_transfers[imageId].grantEpoch].contains(account)) {
            revert ImageRegistryNotEditor(imageId, account);
        }
    }

    /// @dev The number of members of `communityId`, 0 when it does not exist.
    function _communitySize(uint256 communityId) internal view virtual returns (uint256);

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

    /// @dev The current member of `slot` of `communityId` and the block it got the slot at.
    function _slotHolder(
        uint256 communityId,
        uint256 slot
    ) internal view virtual returns (address node, uint256 assignedBlock);

    /// @dev Whether `node` is opted in now, and the block it opted in at.
    function _replicaNodeSince(address node) internal view virtual returns (bool optedIn, uint256 sinceBlock);

    /// @dev A replica's position, found only while the node is still opted in.
    function _replicaSlot(uint256 imageId, address node) private view returns (bool found, uint256 slot) {
        address[] storage nodes = _replicas[imageId];
        for (uint256 i = 0; i < nodes.length; ++i) {
            if (nodes[i] == node) return (_isReplicaNode(node), i);
        }
        return (false, 0);
    }

    /// @dev Fragments per version: the community's size, or 1 for a replicated image.
    function _fragmentCount(Image storage image) private view returns (uint256) {
        return image.communityId == 0 ? 1 : _communitySize(image.communityId);
    }

    /// @dev The latest receipt of a slot; it counts when its node holds the slot now and signed since
    /// it got it (and, for a replica, since it last opted in).
    function _receiptOf(
        uint256 imageId,
        uint256 communityId,
        uint256 version,
        uint256 slot
    ) private view returns (StorageReceipt memory) {
        Receipt storage receipt = _receipts[imageId][version][slot];
        address holder;
        uint256 since;
        if (communityId == 0) {
            holder = _replicas[imageId][slot];
            (bool optedIn, uint256 optedInBlock) = _replicaNodeSince(holder);
            if (!optedIn) holder = address(0);
            uint256 assigned = _replicaSince[imageId][slot];
            since = assigned > optedInBlock ? assigned : optedInBlock;
        } else {
            (holder, since) = _slotHolder(communityId, slot);
        }
        bool current = receipt.node != address(0) && receipt.node == holder && receipt.blockNumber >= since;
        return StorageReceipt(receipt.node, receipt.blockNumber, current);
    }

    /// @dev Writes the header and version 1's root of a new image owned by the caller.
    function _createImage(
        uint256 communityId,
        bytes32 root,
        bytes calldata manifestCid
    ) private returns (uint256 imageId) {
        _requireVersionData(root, manifestCid);
        imageId = imageIdOf(msg.sender, root);
        if (_images[imageId].owner != address(0)) revert ImageRegistryImageExists(imageId);
        // Cannot truncate: community ids come from a uint32 counter. Block numbers fit 32 bits for
        // centuries at 12 s a block (decades at 0.25 s); SafeCast reverts past that, never wraps.
        _images[imageId] = Image({
            owner: msg.sender,
            communityId: uint32(communityId),
            versionCount: 1,
            isPublic: false,
            versionBlock: SafeCast.toUint32(block.number)
        });
        _roots[imageId][1] = root;
    }

    /// @dev Adds `account` to the image's editors or readers (false when it already was there).
    function _grant(
        uint256 imageId,
        EnumerableSet.AddressSet storage set,
        address account,
        bool editor
    ) private returns (bool) {
        if (account == address(0)) revert ImageRegistryInvalidAccount(account);
        if (set.contains(account)) return false;
        if (editor && set.length() >= MAX_EDITORS) revert ImageRegistryTooManyEditors(imageId, MAX_EDITORS);
        if (!editor && set.length() >= MAX_READERS) revert ImageRegistryTooManyReaders(imageId, MAX_READERS);
        return set.add(account);
    }

    function _requireVersionData(bytes32 root, bytes calldata manifestCid) private pure {
        if (root == bytes32(0)) revert ImageRegistryEmptyRoot();
        if (manifestCid.length == 0) revert ImageRegistryEmptyManifestCid();
    }

    /// @dev The grant epoch of an image the caller owns.
    function _ownedEpoch(uint256 imageId) private view returns (uint256) {
        _requireOwner(imageId);
        return _transfers[imageId].grantEpoch;
    }

    /// @dev The grant epoch of an existing image.
    function _imageEpoch(uint256 imageId) private view returns (uint256) {
        _requireImage(imageId);
        return _transfers[imageId].grantEpoch;
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
        _requireVersion(imageId, version);
        return _roots[imageId][version];
    }

    function _requireVersion(uint256 imageId, uint256 version) internal view returns (Image storage image) {
        image = _requireImage(imageId);
        if (version == 0 || version > image.versionCount)
            revert ImageRegistryUnknownVersion(imageId, version);
    }
}
