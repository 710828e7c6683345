// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title IImageRegistry
 * @notice Images and their versions. Each version commits on chain to a Merkle root over its
 * fragment leaves and its manifest leaf (see {FragmentLeaf} for the encoding). The manifest holds
 * the image's size, kernel and content hash (the pixel hash for the pixel codec), so the root commits
 * to everything a reader must trust; the manifest's CID, a locator, rides in the version's event.
 * Registration is version 1.
 *
 * An image is stored either with a DISP community (fragment `i` on the member of slot `i`, as many
 * fragments as members) or, for users who decline DISP, replicated whole on `r` named nodes
 * (fragment count 1).
 *
 * Retrieval through any JSON-RPC node: the root of a version from {versionRoot}; the manifest CID
 * and block time from {ImageRegistered} (version 1) or {VersionAdded} (later
 * versions), read with `eth_getLogs` in the one block that holds it: {imageInfo} gives the latest
 * version's block and each {VersionAdded} the block of the version before, so no query spans more
 * than one block (providers cap the range of one query). Both events put the community id in
 * topic 3, so a community's node agent finds every image and version it must pin with one filter.
 *
 * Access: each image has an owner (transferable in two steps: the owner names a pending owner,
 * which accepts), editors who may add versions, read grants to accounts or applications (contract
 * addresses) and a public flag. A change of owner voids every editor and read grant made before it,
 * so that a seller cannot keep rights it granted itself or others. Editors and readers are listed
 * ({editors}, {readers}), at most `MAX_EDITORS` and `MAX_READERS` of them. IPFS content is public
 * by CID: a private image's fragments are ciphertext, and its content keys reach the owner, the
 * editors and the readers wrapped to their keys ({IImageKeys}).
 */
interface IImageRegistry {
    /// @notice What a client needs to fetch and check an image.
    struct ImageInfo {
        address owner;
        /// The community holding the fragments, 0 for a replicated image.
        uint256 communityId;
        /// Fragments per version: the community size, or 1 for a replicated image.
        uint256 fragmentCount;
        /// The latest version (versions are numbered from 1).
        uint256 versionCount;
        bool isPublic;
        /// The block the latest version was registered in (its {ImageRegistered} or {VersionAdded}).
        uint256 versionBlock;
    }

    /**
     * @notice An image was registered; this event also records its version 1.
     * @param imageId The new image's id, `imageIdOf(owner, root)` for version 1's root.
     * @param owner Its owner, the caller.
     * @param communityId Its community, 0 for a replicated image (then {ReplicaAssigned} events name
     * its nodes).
     * @param manifestCid Version 1's manifest CID, in binary form (e.g. 36 bytes for CIDv1 sha2-256).
     */
    event ImageRegistered(
        uint256 indexed imageId,
        address indexed owner,
        uint256 indexed communityId,
        bytes manifestCid
    );

    /**
     * @notice A version (2 or later) was added to an image.
     * @param imageId The image.
     * @param version The new version.
     * @param communityId The image's community (0 if replicated), for node agents' filters.
     * @param editor The account that added it (the owner or an editor).
     * @param manifestCid The version's manifest CID, in binary form.
     * @param previousVersionBlock The block of version `version - 1`'s event: a reader walks back
     * from {ImageInfo-versionBlock} one block at a time.
     */
    event VersionAdded(
        uint256 indexed imageId,
        uint256 indexed version,
        uint256 indexed communityId,
        address editor,
        bytes manifestCid,
        uint256 previousVersionBlock
    );

    /**
     * @notice A node must keep a whole copy of a replicated image (every version of it).
     * @param imageId The image.
     * @param node The node's account.
     */
    event ReplicaAssigned(uint256 indexed imageId, address indexed node);

    /**
     * @notice The owner gave replica `index` of a replicated image to another node (a lost replica's
     * repair); {ReplicaAssigned} for the new node follows in the same transaction.
     * @param imageId The image.
     * @param index The replica's position.
     * @param previousNode The node that kept it.
     * @param newNode The node that keeps it now.
     */
    event ReplicaReplaced(
        uint256 indexed imageId,
        uint256 index,
        address indexed previousNode,
        address indexed newNode
    );

    /**
     * @notice The owner offered an image to `pendingOwner`, which becomes owner when it accepts
     * ({acceptImageOwnership}).
     * @param imageId The image.
     * @param owner The current owner.
     * @param pendingOwner The account that may accept.
     */
    event ImageOwnershipTransferStarted(
        uint256 indexed imageId,
        address indexed owner,
        address indexed pendingOwner
    );

    /**
     * @notice The owner withdrew its offer of an image before it was accepted.
     * @param imageId The image.
     * @param pendingOwner The account that may no longer accept.
     */
    event ImageOwnershipTransferCanceled(uint256 indexed imageId, address indexed pendingOwner);

    /**
     * @notice An image changed owner (the pending owner accepted): every editor and read grant made
     * before is void from here on, without an {EditorRevoked} or {ReadRevoked} per grant.
     * @param imageId The image.
     * @param previousOwner The former owner.
     * @param newOwner The new owner.
     */
    event ImageOwnershipTransferred(
        uint256 indexed imageId,
        address indexed previousOwner,
        address indexed newOwner
    );

    /**
     * @notice An account may now add versions.
     * @param imageId The image.
     * @param account The new editor.
     */
    event EditorGranted(uint256 indexed imageId, address indexed account);

    /**
     * @notice An account may no longer add versions.
     * @param imageId The image.
     * @param account The former editor.
     */
    event EditorRevoked(uint256 indexed imageId, address indexed account);

    /**
     * @notice An account or application was granted read access.
     * @param imageId The image.
     * @param account The grantee.
     */
    event ReadGranted(uint256 indexed imageId, address indexed account);

    /**
     * @notice A read grant was revoked.
     * @param imageId The image.
     * @param account The former grantee.
     */
    event ReadRevoked(uint256 indexed imageId, address indexed account);

    /**
     * @notice An image became public or private.
     * @param imageId The image.
     * @param isPublic Whether everyone may now read it.
     */
    event ImageVisibilityChanged(uint256 indexed imageId, bool isPublic);

    /**
     * @notice No image has this id.
     * @param imageId The id.
     */
    error ImageRegistryUnknownImage(uint256 imageId);

    /**
     * @notice The image has no such version.
     * @param imageId The image.
     * @param version The version asked for.
     */
    error ImageRegistryUnknownVersion(uint256 imageId, uint256 version);

    /**
     * @notice No community has this id.
     * @param communityId The id.
     */
    error ImageRegistryUnknownCommunity(uint256 communityId);

    /**
     * @notice In DISP mode the fragment count must equal the community's size.
     * @param communityId The community.
     * @param communitySize Its size.
     * @param fragmentCount The fragment count given.
     */
    error ImageRegistryFragmentCountMismatch(
        uint256 communityId,
        uint256 communitySize,
        uint256 fragmentCount
    );

    /**
     * @notice A replicated image needs between 1 and `MAX_REPLICAS` nodes.
     * @param count The number of nodes given.
     */
    error ImageRegistryInvalidReplicaCount(uint256 count);

    /**
     * @notice A node was named twice as a replica.
     * @param node The node.
     */
    error ImageRegistryDuplicateReplica(address node);

    /**
     * @notice A replica must be an opted-in node.
     * @param node The node.
     */
    error ImageRegistryNodeNotOptedIn(address node);

    /// @notice A version's Merkle root must not be zero.
    error ImageRegistryEmptyRoot();

    /// @notice A version's manifest CID must not be empty.
    error ImageRegistryEmptyManifestCid();

    /**
     * @notice The caller already registered an image with this version 1 root (the id stays taken
     * after the image changes owner).
     * @param imageId That image's id.
     */
    error ImageRegistryImageExists(uint256 imageId);

    /**
     * @notice Only the image's owner may do this.
     * @param imageId The image.
     * @param account The caller.
     */
    error ImageRegistryNotOwner(uint256 imageId, address account);

    /**
     * @notice Only the image's owner or an editor may add a version.
     * @param imageId The image.
     * @param account The caller.
     */
    error ImageRegistryNotEditor(uint256 imageId, address account);

    /**
     * @notice Only the pending owner of an image may accept it.
     * @param imageId The image.
     * @param account The caller.
     */
    error ImageRegistryNotPendingOwner(uint256 imageId, address account);

    /**
     * @notice The image is stored with a community, not replicated.
     * @param imageId The image.
     */
    error ImageRegistryNotReplicated(uint256 imageId);

    /**
     * @notice The image has no replica at this position.
     * @param imageId The image.
     * @param index The position given.
     */
    error ImageRegistryInvalidReplicaIndex(uint256 imageId, uint256 index);

    /**
     * @notice Only the community's uploaders (and its managers) may register images or add
     * versions on it: its members store them.
     * @param communityId The community.
     * @param account The caller.
     */
    error ImageRegistryNotUploader(uint256 communityId, address account);

    /**
     * @notice The zero address cannot own, edit or read an image.
     * @param account The address given.
     */
    error ImageRegistryInvalidAccount(address account);

    /**
     * @notice The image has `MAX_EDITORS` editors already.
     * @param imageId The image.
     * @param max `MAX_EDITORS`.
     */
    error ImageRegistryTooManyEditors(uint256 imageId, uint256 max);

    /**
     * @notice The image has `MAX_READERS` read grants already.
     * @param imageId The image.
     * @param max `MAX_READERS`.
     */
    error ImageRegistryTooManyReaders(uint256 imageId, uint256 max);

    /**
     * @notice Registers an image stored with a DISP community; the caller becomes its owner and must
     * be one of the community's uploaders.
     * @param communityId The community holding the fragments.
     * @param fragmentCount The number of fragments, which must equal the community's size.
     * @param root The Merkle root of version 1 (fragment leaves and manifest leaf).
     * @param manifestCid Version 1's manifest CID, in binary form.
     * @return imageId The new image's id, `imageIdOf(msg.sender, root)`.
     */
    function registerImage(
        uint256 communityId,
        uint256 fragmentCount,
        bytes32 root,
        bytes calldata manifestCid
    ) external returns (uint256 imageId);

    /**
     * @notice Registers an image kept whole (fragment count 1) by each of `nodes`; the caller
     * becomes its owner. Emits one {ReplicaAssigned} per node.
     * @param nodes Distinct opted-in nodes, between 1 and `MAX_REPLICAS` of them.
     * @param root The Merkle root of version 1 (one fragment leaf and the manifest leaf).
     * @param manifestCid Version 1's manifest CID, in binary form.
     * @return imageId The new image's id, `imageIdOf(msg.sender, root)`.
     */
    function registerReplicatedImage(
        address[] calldata nodes,
        bytes32 root,
        bytes calldata manifestCid
    ) external returns (uint256 imageId);

    /**
     * @notice Adds a version to an image, kept by the same community or replicas with the same
     * fragment count. Only the owner or an editor, who must be an uploader of the image's community
     * (replicated images have none: their nodes were named by the owner).
     * @param imageId The image.
     * @param root The new version's Merkle root.
     * @param manifestCid The new version's manifest CID, in binary form.
     * @return version The new version's number.
     */
    function addVersion(
        uint256 imageId,
        bytes32 root,
        bytes calldata manifestCid
    ) external returns (uint256 version);

    /**
     * @notice Offers an image to `newOwner`, which becomes owner when it calls
     * {acceptImageOwnership}; until then nothing changes, and a later offer replaces this one
     * (no event if `newOwner` is already pending). Offering it to the owner itself cancels a
     * pending offer. Only the owner.
     * @param imageId The image.
     * @param newOwner The account that may accept, not the zero address.
     */
    function transferImageOwnership(uint256 imageId, address newOwner) external;

    /**
     * @notice Makes the caller, the pending owner, the image's owner. Every editor and read grant
     * made before is void from here on (the new owner grants afresh). Only the pending owner.
     * @param imageId The image.
     */
    function acceptImageOwnership(uint256 imageId) external;

    /**
     * @notice Gives replica `index` of a replicated image to another opted-in node, e.g. because the
     * replica was lost; emits {ReplicaReplaced} and {ReplicaAssigned}, whose agent then fetches and
     * confirms every version. The previous node's receipts no longer count. Only the owner.
     * @param imageId A replicated image.
     * @param index The replica's position, below the number of replicas.
     * @param node An opted-in node that is not already a replica of the image.
     */
    function replaceReplica(uint256 imageId, uint256 index, address node) external;

    /**
     * @notice Lets `account` add versions (no event if it already may). Only the owner; at most
     * `MAX_EDITORS` editors ({ImageRegistryTooManyEditors}).
     * @param imageId The image.
     * @param account The new editor, not the zero address.
     */
    function grantEditor(uint256 imageId, address account) external;

    /**
     * @notice Stops `account` from adding versions (no event if it could not). Only the owner.
     * @param imageId The image.
     * @param account The editor to remove.
     */
    function revokeEditor(uint256 imageId, address account) external;

    /**
     * @notice Grants read access to an account or application (no event if already granted).
     * Only the owner; at most `MAX_READERS` grants ({ImageRegistryTooManyReaders}). The grantee of a
     * private image also needs the content keys wrapped to it ({IImageKeys-publishKeys}), best in
     * the same `multicall`.
     * @param imageId The image.
     * @param account The grantee, not the zero address.
     */
    function grantRead(uint256 imageId, address account) external;

    /**
     * @notice Revokes a read grant (no event if there was none). Only the owner.
     * @param imageId The image.
     * @param account The grantee.
     */
    function revokeRead(uint256 imageId, address account) external;

    /**
     * @notice Makes an image readable by everyone, or not (no event if unchanged). Only the owner.
     * @param imageId The image.
     * @param isPublic The new visibility.
     */
    function setPublic(uint256 imageId, bool isPublic) external;

    /**
     * @notice The leaf index of the manifest in every version's tree: `type(uint256).max`.
     * Fragments use `0..fragmentCount-1`.
     */
    function MANIFEST_LEAF_INDEX() external view returns (uint256);

    /// @notice The largest number of replicas of a replicated image (16).
    function MAX_REPLICAS() external view returns (uint256);

    /// @notice The most editors an image has at once (32).
    function MAX_EDITORS() external view returns (uint256);

    /// @notice The most read grants an image has at once (256).
    function MAX_READERS() external view returns (uint256);

    /**
     * @notice The id an image registered by `registrant` with version 1's root `root` gets:
     * `uint256(keccak256(abi.encode(registrant, root)))`. Clients compute it before registering;
     * ids are not sequential, list images with `eth_getLogs` on {ImageRegistered}.
     * @param registrant The account that registers (and first owns) the image.
     * @param root Version 1's Merkle root.
     */
    function imageIdOf(address registrant, bytes32 root) external pure returns (uint256);

    /**
     * @notice An image's owner, community, fragment count, latest version and visibility.
     * @param imageId An existing image.
     */
    function imageInfo(uint256 imageId) external view returns (ImageInfo memory);

    /**
     * @notice The account that may accept the image ({acceptImageOwnership}), or the zero address.
     * @param imageId An existing image.
     */
    function pendingImageOwner(uint256 imageId) external view returns (address);

    /**
     * @notice The nodes keeping a replicated image (empty for a DISP image).
     * @param imageId An existing image.
     */
    function replicas(uint256 imageId) external view returns (address[] memory);

    /**
     * @notice The Merkle root of one version.
     * @param imageId An existing image.
     * @param version A version in `1..versionCount`.
     */
    function versionRoot(uint256 imageId, uint256 version) external view returns (bytes32);

    /**
     * @notice Proves that a fragment (or the manifest) belongs to a version.
     *
     * The leaf is `keccak256(bytes.concat(keccak256(abi.encode(index, digest))))`, what
     * `StandardMerkleTree.of(values, ["uint256", "bytes32"])` (npm openzeppelin/merkle-tree) builds
     * for the value `[index, digest]`; `proof` is that library's `getProof` for it.
     * @param imageId An existing image.
     * @param version A version in `1..versionCount`.
     * @param index The fragment index in `0..fragmentCount-1`, or `MANIFEST_LEAF_INDEX`.
     * @param digest The SHA-256 of the fragment file's bytes (or of the canonical manifest bytes).
     * @param proof The sibling hashes from the leaf up to the root.
     * @return True when the proof holds; false for a wrong digest, proof or index, and for an index
     * that is neither a fragment of the image nor `MANIFEST_LEAF_INDEX`.
     */
    function verifyFragment(
        uint256 imageId,
        uint256 version,
        uint256 index,
        bytes32 digest,
        bytes32[] calldata proof
    ) external view returns (bool);

    /**
     * @notice Whether `account` may read an image: it is public, or `account` is its owner, an
     * editor or a read grantee.
     * @param imageId An existing image.
     * @param account Any account or contract.
     */
    function canRead(uint256 imageId, address account) external view returns (bool);

    /**
     * @notice Whether `account` holds an explicit read grant (whatever the visibility).
     * @param imageId An existing image.
     * @param account Any account or contract.
     */
    function hasReadGrant(uint256 imageId, address account) external view returns (bool);

    /**
     * @notice Whether `account` is an editor of an image (the owner is not listed as one).
     * @param imageId An existing image.
     * @param account Any account or contract.
     */
    function isEditor(uint256 imageId, address account) external view returns (bool);

    /**
     * @notice The editors of an image in its current grant epoch (the owner is not listed), at most
     * `MAX_EDITORS`, in no set order.
     * @param imageId An existing image.
     */
    function editors(uint256 imageId) external view returns (address[] memory);

    /**
     * @notice The accounts holding a read grant to an image in its current grant epoch, at most
     * `MAX_READERS`, in no set order.
     * @param imageId An existing image.
     */
    function readers(uint256 imageId) external view returns (address[] memory);
}
