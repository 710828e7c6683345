// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title ICommunityRegistry
 * @notice Storage nodes opt in with the information a peer needs to reach them and wait in a pool
 * of free nodes. A community of `size` members is formed from the front of that pool or from free
 * nodes the community manager chooses; member `slot` stores fragment `slot` of every image
 * registered with the community, so the community as a whole keeps one full copy.
 *
 * A node agent finds its work with `eth_getLogs`: {CommunityMemberAssigned} filtered by its own
 * address (topic 3) gives its communities and slots.
 *
 * Contact information is bounded (at most `MAX_MULTIADDRS` multiaddrs of `MAX_MULTIADDR_LENGTH`
 * bytes, a peer id of `MAX_PEER_ID_LENGTH`), so that what anyone publishes costs every reader and
 * every replacement a bounded amount. A peer id is held by one opted-in account at a time.
 *
 * **Peer-id proof.** A node proves it holds the libp2p key of its peer id: the key signs the bytes
 * `"libp2p-key signed message:" || abi.encode("disp/node-key-binding/v1", block.chainid,
 * address(this), account, peerId, multiaddrs)` (the prefix is the one Kubo's `key/sign` adds, so a
 * Kubo node signs through its RPC API; the ABI encoding binds chain, registry, account, peer id and
 * addresses, so a proof cannot be replayed for another account, chain or address list). The EVM has
 * no cheap Ed25519 verification, so the contract only stores the signature with the node's record
 * and emits it; every client checks it before it dials the node, and treats a node whose proof
 * fails as unreachable.
 */
interface ICommunityRegistry {
    /// @notice Where a node stands in the registry.
    enum NodeStatus {
        /// Not opted in (never, opted out, or replaced out of its community).
        None,
        /// Opted in and waiting in the pool of free nodes.
        Free,
        /// Opted in and holding a slot of a community.
        Serving
    }

    /// @notice What a peer needs to know about a node.
    struct NodeInfo {
        NodeStatus status;
        /// The community the node serves, 0 unless `status` is `Serving`.
        uint256 communityId;
        /// The node's slot in that community (meaningful only while `Serving`).
        uint256 slot;
        /// The node's IPFS peer id, as text (e.g. `12D3KooW...`).
        string peerId;
        /// Multiaddrs the node listens on, as text (e.g. `/ip4/203.0.113.7/tcp/4001`).
        string[] multiaddrs;
        /// The peer key's signature binding the peer id to this account (see the contract's notice).
        bytes peerIdProof;
    }

    /**
     * @notice A node joined the pool of free nodes.
     * @param node The node's account.
     * @param peerId Its IPFS peer id.
     * @param multiaddrs Its multiaddrs.
     * @param peerIdProof Its peer key's signature over the binding (checked by clients, not here).
     */
    event NodeOptedIn(address indexed node, string peerId, string[] multiaddrs, bytes peerIdProof);

    /**
     * @notice An opted-in node changed the information peers use to reach it.
     * @param node The node's account.
     * @param peerId Its new IPFS peer id.
     * @param multiaddrs Its new multiaddrs.
     * @param peerIdProof Its peer key's signature over the new binding.
     */
    event NodeInfoUpdated(address indexed node, string peerId, string[] multiaddrs, bytes peerIdProof);

    /**
     * @notice A free node left the pool and the registry.
     * @param node The node's account.
     */
    event NodeOptedOut(address indexed node);

    /**
     * @notice A community was formed; one {CommunityMemberAssigned} per slot follows in the same
     * transaction.
     * @param communityId The new community's id (ids start at 1).
     * @param size Its number of members, which is also the fragment count of its images.
     */
    event CommunityFormed(uint256 indexed communityId, uint256 size);

    /**
     * @notice A node took a slot of a community, at formation or as a replacement: from now on it
     * must keep fragment `slot` of every image of the community.
     * @param communityId The community.
     * @param slot The slot, in `0..size-1`.
     * @param node The node's account.
     */
    event CommunityMemberAssigned(uint256 indexed communityId, uint256 indexed slot, address indexed node);

    /**
     * @notice A member was replaced by the next free node (e.g. because it was lost). The previous
     * member leaves the registry (status `None`) and may opt in again.
     * @param communityId The community.
     * @param slot The slot that changed hands.
     * @param previousNode The replaced member.
     * @param newNode The member now holding the slot.
     */
    event CommunityMemberReplaced(
        uint256 indexed communityId,
        uint256 slot,
        address indexed previousNode,
        address indexed newNode
    );

    /**
     * @notice The community manager took a free node out of the pool and the registry (status
     * `None`); it may opt in again, at the back of the pool.
     * @param node The node removed.
     * @param manager The manager who removed it.
     */
    event FreeNodeRemoved(address indexed node, address indexed manager);

    /**
     * @notice The caller is already opted in.
     * @param node The caller.
     */
    error CommunityRegistryNodeAlreadyOptedIn(address node);

    /**
     * @notice The node is not opted in.
     * @param node The node.
     */
    error CommunityRegistryNodeNotOptedIn(address node);

    /**
     * @notice The node holds a slot of a community and cannot leave until it is replaced.
     * @param node The node.
     * @param communityId The community it serves.
     */
    error CommunityRegistryNodeServing(address node, uint256 communityId);

    /**
     * @notice A node must give a peer id.
     * @param node The caller.
     */
    error CommunityRegistryEmptyPeerId(address node);

    /**
     * @notice The peer id is longer than `MAX_PEER_ID_LENGTH` bytes.
     * @param length Its length in bytes.
     * @param maxLength The limit.
     */
    error CommunityRegistryPeerIdTooLong(uint256 length, uint256 maxLength);

    /**
     * @notice More than `MAX_MULTIADDRS` multiaddrs.
     * @param count The number given.
     * @param maxCount The limit.
     */
    error CommunityRegistryTooManyMultiaddrs(uint256 count, uint256 maxCount);

    /**
     * @notice A multiaddr is longer than `MAX_MULTIADDR_LENGTH` bytes.
     * @param index Its position in the list.
     * @param length Its length in bytes.
     * @param maxLength The limit.
     */
    error CommunityRegistryMultiaddrTooLong(uint256 index, uint256 length, uint256 maxLength);

    /**
     * @notice The peer-id proof is longer than `MAX_PEER_ID_PROOF_LENGTH` bytes.
     * @param length Its length in bytes.
     * @param maxLength The limit.
     */
    error CommunityRegistryPeerIdProofTooLong(uint256 length, uint256 maxLength);

    /**
     * @notice Another opted-in account already publishes this peer id.
     * @param peerId The peer id.
     * @param holder The account publishing it.
     */
    error CommunityRegistryPeerIdTaken(string peerId, address holder);

    /**
     * @notice The community size is outside `MIN_COMMUNITY_SIZE..MAX_COMMUNITY_SIZE`.
     * @param size The requested size.
     */
    error CommunityRegistryInvalidSize(uint256 size);

    /**
     * @notice The pool holds fewer free nodes than requested.
     * @param requested The number of nodes needed.
     * @param available The number of free nodes.
     */
    error CommunityRegistryNotEnoughFreeNodes(uint256 requested, uint256 available);

    /**
     * @notice No community has this id.
     * @param communityId The id.
     */
    error CommunityRegistryUnknownCommunity(uint256 communityId);

    /**
     * @notice The slot is not below the community's size.
     * @param communityId The community.
     * @param slot The slot.
     */
    error CommunityRegistryInvalidSlot(uint256 communityId, uint256 slot);

    /**
     * @notice The node is not in the pool of free nodes (not opted in, or already serving).
     * @param node The node.
     */
    error CommunityRegistryNodeNotFree(address node);

    /**
     * @notice The node already holds a slot of this community (named twice, or a member given as
     * its own community's replacement).
     * @param communityId The community.
     * @param node The node.
     */
    error CommunityRegistryDuplicateMember(uint256 communityId, address node);

    /**
     * @notice An account may now register images and add versions on a community.
     * @param communityId The community.
     * @param account The uploader.
     */
    event UploaderAllowed(uint256 indexed communityId, address indexed account);

    /**
     * @notice An account may no longer register images or add versions on a community.
     * @param communityId The community.
     * @param account The former uploader.
     */
    event UploaderRevoked(uint256 indexed communityId, address indexed account);

    /**
     * @notice The zero address cannot be an uploader.
     * @param account The address given.
     */
    error CommunityRegistryInvalidUploader(address account);

    /**
     * @notice Opts the caller in as a storage node, at the back of the pool of free nodes.
     * @param peerId The caller's IPFS peer id (not empty, at most `MAX_PEER_ID_LENGTH` bytes, not
     * published by another opted-in account).
     * @param multiaddrs The multiaddrs it listens on (may be empty when peers find it by routing;
     * at most `MAX_MULTIADDRS`, each at most `MAX_MULTIADDR_LENGTH` bytes).
     * @param peerIdProof The peer key's signature over the binding (see the contract's notice;
     * at most `MAX_PEER_ID_PROOF_LENGTH` bytes). Stored, not verified: clients verify it.
     */
    function optIn(string calldata peerId, string[] calldata multiaddrs, bytes calldata peerIdProof) external;

    /**
     * @notice Replaces the caller's peer id, multiaddrs and proof (same limits as {optIn}); emits
     * {NodeInfoUpdated} only when they changed. Allowed while free or serving.
     * @param peerId The new peer id (not empty).
     * @param multiaddrs The new multiaddrs.
     * @param peerIdProof The peer key's signature over the new binding.
     */
    function updateNodeInfo(
        string calldata peerId,
        string[] calldata multiaddrs,
        bytes calldata peerIdProof
    ) external;

    /// @notice Takes the caller, a free node, out of the pool and the registry.
    function optOut() external;

    /**
     * @notice Forms a community from the first `size` free nodes: the front of the pool takes slot 0,
     * the next slot 1, and so on. Gas grows with `size`, never with the pool. Requires
     * `COMMUNITY_MANAGER_ROLE`.
     * @param size The number of members, in `MIN_COMMUNITY_SIZE..MAX_COMMUNITY_SIZE`.
     * @return communityId The new community's id.
     */
    function formCommunity(uint256 size) external returns (uint256 communityId);

    /**
     * @notice Gives `slot` of a community to the front free node; the previous member leaves the
     * registry. Requires `COMMUNITY_MANAGER_ROLE`.
     * @param communityId The community.
     * @param slot The slot to hand over.
     * @return newNode The node now holding the slot.
     */
    function replaceMember(uint256 communityId, uint256 slot) external returns (address newNode);

    /**
     * @notice Forms a community of the free nodes the manager chose: `nodes[i]` takes slot `i`.
     * Each must be free and named once. Gas grows with the size, never with the pool. Requires
     * `COMMUNITY_MANAGER_ROLE`.
     *
     * Why choice rather than a stake: opting in is open, so whoever queues first would otherwise fill
     * every community and every repair. A stake only prices that, it does not stop a funded attacker,
     * and it means nothing until misbehaviour can be proven and slashed (storage challenges come
     * later). The manager already holds the trust of forming communities; choosing among free nodes
     * (and evicting with {removeFreeNode}) lets it use what the chain cannot know: which operators
     * it knows, which nodes it measured as reachable.
     * @param nodes The members by slot, between `MIN_COMMUNITY_SIZE` and `MAX_COMMUNITY_SIZE` of them.
     * @return communityId The new community's id.
     */
    function formCommunityWith(address[] calldata nodes) external returns (uint256 communityId);

    /**
     * @notice Gives `slot` of a community to the free node the manager chose (see {formCommunityWith}
     * for why); the previous member leaves the registry. Requires `COMMUNITY_MANAGER_ROLE`.
     * @param communityId The community.
     * @param slot The slot to hand over.
     * @param node A free node.
     */
    function replaceMemberWith(uint256 communityId, uint256 slot, address node) external;

    /**
     * @notice Takes a free node out of the pool and the registry (e.g. one the manager judged fake
     * or unreachable), so that {formCommunity} and {replaceMember} no longer take it. It may opt in
     * again, at the back of the pool; {formCommunityWith} keeps it out for good. Requires
     * `COMMUNITY_MANAGER_ROLE`.
     * @param node A free node.
     */
    function removeFreeNode(address node) external;

    /**
     * @notice Allows or stops `account` registering images and adding versions on a community (no
     * event when nothing changes). Requires `COMMUNITY_MANAGER_ROLE`.
     *
     * Why an allow-list and not a deposit: a community's members store and serve every image
     * registered on it, so who may use that storage is the community's decision. A deposit only
     * prices junk (a funded attacker still fills the nodes and keeps their agents busy) and needs
     * refund and slashing rules; an allow-list stops junk before it reaches a node, costs a
     * registration one storage read, and can be revoked.
     * @param communityId An existing community.
     * @param account The account, not the zero address.
     * @param allowed Whether it may upload.
     */
    function setUploader(uint256 communityId, address account, bool allowed) external;

    /**
     * @notice Whether `account` may register images and add versions on a community: it is on the
     * community's uploader list or holds `COMMUNITY_MANAGER_ROLE` (a manager could list itself
     * anyway, so it is always allowed).
     * @param communityId Any community id.
     * @param account Any account.
     */
    function isUploader(uint256 communityId, address account) external view returns (bool);

    /**
     * @notice The role allowed to form communities, replace their members, remove free nodes and
     * list uploaders: `keccak256("COMMUNITY_MANAGER_ROLE")`.
     */
    function COMMUNITY_MANAGER_ROLE() external view returns (bytes32);

    /// @notice The smallest community size (2).
    function MIN_COMMUNITY_SIZE() external view returns (uint256);

    /// @notice The largest community size (64).
    function MAX_COMMUNITY_SIZE() external view returns (uint256);

    /// @notice The most multiaddrs a node may publish (8).
    function MAX_MULTIADDRS() external view returns (uint256);

    /// @notice The longest multiaddr a node may publish, in bytes (256).
    function MAX_MULTIADDR_LENGTH() external view returns (uint256);

    /// @notice The longest peer id, in bytes (128; an Ed25519 peer id is 52 characters in base58).
    function MAX_PEER_ID_LENGTH() external view returns (uint256);

    /// @notice The longest peer-id proof, in bytes (128; an Ed25519 signature is 64).
    function MAX_PEER_ID_PROOF_LENGTH() external view returns (uint256);

    /**
     * @notice The opted-in account publishing `peerId`, or the zero address.
     * @param peerId A peer id, as text.
     */
    function peerIdHolder(string calldata peerId) external view returns (address);

    /**
     * @notice A node's status and contact information; status `None` for an unknown account. A node
     * replaced out of its community keeps the peer id and addresses it last published.
     * @param node The node's account.
     */
    function nodeInfo(address node) external view returns (NodeInfo memory);

    /**
     * @notice The block a node last opted in (0 unless it is opted in): nothing before concerns it,
     * so a fresh node agent starts reading there.
     * @param node The node's account.
     */
    function nodeOptedInBlock(address node) external view returns (uint256);

    /**
     * @notice The block `node` got its community slot, 0 when it serves none: its receipts count
     * from there, and a node agent that sees it change owes its slot again.
     * @param node The node's account.
     */
    function nodeAssignedBlock(address node) external view returns (uint256);

    /**
     * @notice The block a community was formed in: nothing of it happened before, so a node agent
     * reads the community's images from there.
     * @param communityId An existing community.
     */
    function communityFormedBlock(uint256 communityId) external view returns (uint256);

    /**
     * @notice Every node replaced out of a community, oldest first (they may still hold their part).
     * @param communityId An existing community.
     */
    function formerMembers(uint256 communityId) external view returns (address[] memory);

    /// @notice The number of communities formed so far (the last community id).
    function communityCount() external view returns (uint256);

    /**
     * @notice The number of members (and fragments per image) of a community.
     * @param communityId An existing community.
     */
    function communitySize(uint256 communityId) external view returns (uint256);

    /**
     * @notice The members of a community, by slot.
     * @param communityId An existing community.
     */
    function communityMembers(uint256 communityId) external view returns (address[] memory);

    /**
     * @notice The member holding one slot of a community.
     * @param communityId An existing community.
     * @param slot A slot below the community's size.
     */
    function communityMember(uint256 communityId, uint256 slot) external view returns (address);

    /// @notice The number of nodes in the pool of free nodes.
    function freeNodeCount() external view returns (uint256);

    /**
     * @notice The free nodes the next formations will take, in order (at most `count`, fewer when the
     * pool is smaller).
     * @param count The maximum number of nodes to return.
     */
    function nextFreeNodes(uint256 count) external view returns (address[] memory);
}
