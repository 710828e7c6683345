// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

import {ICommunityRegistry} from "./interfaces/ICommunityRegistry.sol";
import {NodeQueue} from "./libraries/NodeQueue.sol";

/**
 * @title CommunityRegistry
 * @notice Opted-in storage nodes, the FIFO pool of free nodes and the communities formed from it.
 * Forming and repairing communities, from the front of the pool or from chosen free nodes,
 * removing free nodes and listing who may upload to a community need `COMMUNITY_MANAGER_ROLE`;
 * opting in and out is each node's own business.
 */
abstract contract CommunityRegistry is AccessControl, ICommunityRegistry {
    using NodeQueue for NodeQueue.Queue;

    /// @inheritdoc ICommunityRegistry
    bytes32 public constant COMMUNITY_MANAGER_ROLE = keccak256("COMMUNITY_MANAGER_ROLE");

    /// @inheritdoc ICommunityRegistry
    uint256 public constant MIN_COMMUNITY_SIZE = 2;

    /// @inheritdoc ICommunityRegistry
    uint256 public constant MAX_COMMUNITY_SIZE = 64;

    /// @inheritdoc ICommunityRegistry
    uint256 public constant MAX_MULTIADDRS = 8;

    /// @inheritdoc ICommunityRegistry
    uint256 public constant MAX_MULTIADDR_LENGTH = 256;

    /// @inheritdoc ICommunityRegistry
    uint256 public constant MAX_PEER_ID_LENGTH = 128;

    /// @inheritdoc ICommunityRegistry
    uint256 public constant MAX_PEER_ID_PROOF_LENGTH = 128;

    struct NodeRecord {
        NodeStatus status;
        // Slots stay below MAX_COMMUNITY_SIZE and community ids below 2^32 (see formCommunity), so
        // status, community, slot and the two block numbers share one storage slot.
        uint32 communityId;
        uint8 slot;
        // Storage receipts count only from these blocks on: a node that left and came back owes its
        // part again (see ImageRegistry.storageReceipt).
        uint64 optedInBlock;
        uint64 assignedBlock;
        string peerId;
        string[] multiaddrs;
        bytes peerIdProof;
    }

    mapping(address node => NodeRecord) private _nodes;
    // Entries are not cleared when a node leaves (opt-out, replacement): `_peerIdHolderOf` ignores
    // an entry whose account no longer publishes that peer id.
    mapping(bytes32 peerIdHash => address node) private _peerIdHolders;
    mapping(uint256 communityId => address[] members) private _members;
    mapping(uint256 communityId => uint256 blockNumber) private _formedBlocks;
    mapping(uint256 communityId => address[] nodes) private _formerMembers;
    uint32 private _communityCount;
    NodeQueue.Queue private _freeNodes;
    // An uploader's entry holds its community's size (fixed at formation, never 0) rather than a
    // flag, so that a registration reads one slot for both its checks (saves 2,100 gas, bench:gas).
    mapping(uint256 communityId => mapping(address account => uint256 size)) private _uploaders;

    /// @inheritdoc ICommunityRegistry
    function optIn(
        string calldata peerId,
        string[] calldata multiaddrs,
        bytes calldata peerIdProof
    ) external {
        NodeRecord storage node = _nodes[msg.sender];
        if (node.status != NodeStatus.None) revert CommunityRegistryNodeAlreadyOptedIn(msg.sender);
        _checkNodeInfo(peerId, multiaddrs, peerIdProof);
        _claimPeerId(peerId);
        node.status = NodeStatus.Free;
        node.optedInBlock = uint64(block.number);
        node.peerId = peerId;
        node.multiaddrs = multiaddrs;
        node.peerIdProof = peerIdProof;
        _freeNodes.pushBack(msg.sender);
        emit NodeOptedIn(msg.sender, peerId, multiaddrs, peerIdProof);
    }

    /// @inheritdoc ICommunityRegistry
    function updateNodeInfo(
        string calldata peerId,
        string[] calldata multiaddrs,
        bytes calldata peerIdProof
    ) external {
        NodeRecord storage node = _nodes[msg.sender];
        if (node.status == NodeStatus.None) revert CommunityRegistryNodeNotOptedIn(msg.sender);
        _checkNodeInfo(peerId, multiaddrs, peerIdProof);
        if (
            keccak256(abi.encode(peerId, multiaddrs, peerIdProof)) ==
            keccak256(abi.encode(node.peerId, node.multiaddrs, node.peerIdProof))
        ) {
            return;
        }
        bytes32 previous = keccak256(bytes(node.peerId));
        if (previous != keccak256(bytes(peerId))) {
            _claimPeerId(peerId);
            delete _peerIdHolders[previous];
        }
        node.peerId = peerId;
        node.multiaddrs = multiaddrs;
        node.peerIdProof = peerIdProof;
        emit NodeInfoUpdated(msg.sender, peerId, multiaddrs, peerIdProof);
    }

    /// @inheritdoc ICommunityRegistry
    function optOut() external {
        NodeRecord storage node = _nodes[msg.sender];
        if (node.status == NodeStatus.None) revert CommunityRegistryNodeNotOptedIn(msg.sender);
        if (node.status == NodeStatus.Serving)
            revert CommunityRegistryNodeServing(msg.sender, node.communityId);
        _freeNodes.remove(msg.sender);
        delete _nodes[msg.sender];
        emit NodeOptedOut(msg.sender);
    }

    /// @inheritdoc ICommunityRegistry
    function formCommunity(
        uint256 size
    ) external onlyRole(COMMUNITY_MANAGER_ROLE) returns (uint256 communityId) {
        _requireSize(size);
        _requireFreeNodes(size);
        communityId = _newCommunity(size);
        address[] storage members = _members[communityId];
        for (uint256 slot = 0; slot < size; ++slot) {
            members.push(_assignNode(communityId, slot, _freeNodes.front()));
        }
    }

    /// @inheritdoc ICommunityRegistry
    function formCommunityWith(
        address[] calldata nodes
    ) external onlyRole(COMMUNITY_MANAGER_ROLE) returns (uint256 communityId) {
        uint256 size = nodes.length;
        _requireSize(size);
        communityId = _newCommunity(size);
        address[] storage members = _members[communityId];
        for (uint256 slot = 0; slot < size; ++slot) {
            members.push(_assignNode(communityId, slot, nodes[slot]));
        }
    }

    /// @inheritdoc ICommunityRegistry
    function replaceMember(
        uint256 communityId,
        uint256 slot
    ) external onlyRole(COMMUNITY_MANAGER_ROLE) returns (address newNode) {
        newNode = _freeNodes.front();
        _replaceMember(communityId, slot, newNode);
    }

    /// @inheritdoc ICommunityRegistry
    function replaceMemberWith(
        uint256 communityId,
        uint256 slot,
        address node
    ) external onlyRole(COMMUNITY_MANAGER_ROLE) {
        _replaceMember(communityId, slot, node);
    }

    /// @inheritdoc ICommunityRegistry
    function removeFreeNode(address node) external onlyRole(COMMUNITY_MANAGER_ROLE) {
        if (_nodes[node].status != NodeStatus.Free) revert CommunityRegistryNodeNotFree(node);
        _freeNodes.remove(node);
        delete _nodes[node];
        emit FreeNodeRemoved(node, msg.sender);
    }

    /// @inheritdoc ICommunityRegistry
    function setUploader(
        uint256 communityId,
        address account,
        bool allowed
    ) external onlyRole(COMMUNITY_MANAGER_ROLE) {
        uint256 size = _requireCommunity(communityId).length;
        if (account == address(0)) revert CommunityRegistryInvalidUploader(account);
        if ((_uploaders[communityId][account] != 0) == allowed) return;
        _uploaders[communityId][account] = allowed ? size : 0;
        if (allowed) emit UploaderAllowed(communityId, account);
        else emit UploaderRevoked(communityId, account);
    }

    /// @inheritdoc ICommunityRegistry
    function isUploader(uint256 communityId, address account) external view returns (bool) {
        (, bool allowed) = _uploaderSize(communityId, account);
        return allowed;
    }

    /// @inheritdoc ICommunityRegistry
    function nodeInfo(address node) external view returns (NodeInfo memory) {
        NodeRecord storage record = _nodes[node];
        return
            NodeInfo(
                record.status,
                record.communityId,
                record.slot,
                record.peerId,
                record.multiaddrs,
                record.peerIdProof
            );
    }

    /// @inheritdoc ICommunityRegistry
    function peerIdHolder(string calldata peerId) external view returns (address) {
        return _peerIdHolderOf(keccak256(bytes(peerId)));
    }

    /// @inheritdoc ICommunityRegistry
    function nodeOptedInBlock(address node) external view returns (uint256) {
        return _nodes[node].optedInBlock;
    }

    /// @inheritdoc ICommunityRegistry
    function nodeAssignedBlock(address node) external view returns (uint256) {
        return _nodes[node].assignedBlock;
    }

    /// @inheritdoc ICommunityRegistry
    function communityFormedBlock(uint256 communityId) external view returns (uint256) {
        _requireCommunity(communityId);
        return _formedBlocks[communityId];
    }

    /// @inheritdoc ICommunityRegistry
    function formerMembers(uint256 communityId) external view returns (address[] memory) {
        _requireCommunity(communityId);
        return _formerMembers[communityId];
    }

    /// @inheritdoc ICommunityRegistry
    function communityCount() external view returns (uint256) {
        return _communityCount;
    }

    /// @inheritdoc ICommunityRegistry
    function communitySize(uint256 communityId) external view returns (uint256) {
        return _requireCommunity(communityId).length;
    }

    /// @inheritdoc ICommunityRegistry
    function communityMembers(uint256 communityId) external view returns (address[] memory) {
        return _requireCommunity(communityId);
    }

    /// @inheritdoc ICommunityRegistry
    function communityMember(uint256 communityId, uint256 slot) external view returns (address) {
        address[] storage members = _requireCommunity(communityId);
        if (slot >= members.length) revert CommunityRegistryInvalidSlot(communityId, slot);
        return members[slot];
    }

    /// @inheritdoc ICommunityRegistry
    function freeNodeCount() external view returns (uint256) {
        return _freeNodes.length;
    }

    /// @inheritdoc ICommunityRegistry
    function nextFreeNodes(uint256 count) external view returns (address[] memory nodes) {
        uint256 length = count < _freeNodes.length ? count : _freeNodes.length;
        nodes = new address[](length);
        address node = _freeNodes.front();
        for (uint256 i = 0; i < length; ++i) {
            nodes[i] = node;
            node = _freeNodes.next(node);
        }
    }

    /// @dev The size of a community, 0 when it does not exist.
    function _communitySizeOf(uint256 communityId) internal view returns (uint256) {
        return _members[communityId].length;
    }

    /**
     * @dev The size of a community (0 when it does not exist) and whether `account` may upload to
     * it. The list first: an uploader costs one storage read, the size and role are read on a miss.
     */
    function _uploaderSize(uint256 communityId, address account) internal view returns (uint256, bool) {
        uint256 size = _uploaders[communityId][account];
        if (size != 0) return (size, true);
        size = _members[communityId].length;
        return (size, size != 0 && hasRole(COMMUNITY_MANAGER_ROLE, account));
    }

    /// @dev The slot `node` serves in `communityId`, if it is a member of it.
    function _slotIn(uint256 communityId, address node) internal view returns (bool found, uint256 slot) {
        NodeRecord storage record = _nodes[node];
        if (record.status != NodeStatus.Serving || record.communityId != communityId) return (false, 0);
        return (true, record.slot);
    }

    /// @dev Whether `node` is opted in (free or serving).
    function _isOptedIn(address node) internal view returns (bool) {
        return _nodes[node].status != NodeStatus.None;
    }

    /// @dev The block from which `node`'s receipts for `slot` of `communityId` count, if it holds it.
    function _assignedBlockOf(
        uint256 communityId,
        uint256 slot
    ) internal view returns (address node, uint256 assignedBlock) {
        address[] storage members = _members[communityId];
        if (slot >= members.length) return (address(0), 0);
        node = members[slot];
        assignedBlock = _nodes[node].assignedBlock;
    }

    /// @dev Whether `node` is opted in, and the block it opted in at.
    function _optedInBlockOf(address node) internal view returns (bool optedIn, uint256 optedInBlock) {
        NodeRecord storage record = _nodes[node];
        return (record.status != NodeStatus.None, record.optedInBlock);
    }

    /// @dev Numbers and announces a new community of `size` members.
    function _newCommunity(uint256 size) private returns (uint256 communityId) {
        // Checked: a uint32 counter reverts rather than wrap after 2^32 - 1 communities.
        communityId = ++_communityCount;
        _formedBlocks[communityId] = block.number;
        emit CommunityFormed(communityId, size);
    }

    /// @dev Hands `slot` of a community to the free `newNode`; the previous member leaves the registry.
    function _replaceMember(uint256 communityId, uint256 slot, address newNode) private {
        address[] storage members = _requireCommunity(communityId);
        if (slot >= members.length) revert CommunityRegistryInvalidSlot(communityId, slot);
        _requireFreeNodes(1);
        address previousNode = members[slot];
        // Checked before the previous member leaves, so that it cannot be its own replacement.
        NodeRecord storage chosen = _nodes[newNode];
        if (chosen.status == NodeStatus.Serving && chosen.communityId == communityId)
            revert CommunityRegistryDuplicateMember(communityId, newNode);
        // A replaced member is presumed lost: it leaves the registry rather than rejoin the pool,
        // where it would be handed to the next community. It may still hold its part: readers find it.
        _retire(previousNode);
        _formerMembers[communityId].push(previousNode);
        _assignNode(communityId, slot, newNode);
        members[slot] = newNode;
        emit CommunityMemberReplaced(communityId, slot, previousNode, newNode);
    }

    /// @dev Takes the free `node` out of the pool into `slot` of `communityId` and announces it.
    function _assignNode(uint256 communityId, uint256 slot, address node) private returns (address) {
        NodeRecord storage record = _nodes[node];
        if (record.status != NodeStatus.Free) {
            if (record.status == NodeStatus.Serving && record.communityId == communityId)
                revert CommunityRegistryDuplicateMember(communityId, node);
            revert CommunityRegistryNodeNotFree(node);
        }
        _freeNodes.remove(node);
        record.status = NodeStatus.Serving;
        // Cannot truncate: communityId <= _communityCount (a uint32), slot < MAX_COMMUNITY_SIZE and
        // block numbers stay below 2^64 for longer than any chain will run.
        record.communityId = uint32(communityId);
        record.slot = uint8(slot);
        record.assignedBlock = uint64(block.number);
        emit CommunityMemberAssigned(communityId, slot, node);
        return node;
    }

    function _requireSize(uint256 size) private pure {
        if (size < MIN_COMMUNITY_SIZE || size > MAX_COMMUNITY_SIZE) revert CommunityRegistryInvalidSize(size);
    }

    /// @dev Takes `node` out of the registry but keeps the addresses it published, where readers
    /// still find what it may hold (and which cost nothing to keep, unlike clearing them).
    function _retire(address node) private {
        NodeRecord storage record = _nodes[node];
        record.status = NodeStatus.None;
        record.communityId = 0;
        record.slot = 0;
        record.optedInBlock = 0;
        record.assignedBlock = 0;
    }

    /// @dev Bounds what a node publishes: every reader reads it and every replacement deletes it.
    function _checkNodeInfo(
        string calldata peerId,
        string[] calldata multiaddrs,
        bytes calldata peerIdProof
    ) private view {
        uint256 peerIdLength = bytes(peerId).length;
        if (peerIdLength == 0) revert CommunityRegistryEmptyPeerId(msg.sender);
        if (peerIdLength > MAX_PEER_ID_LENGTH)
            revert CommunityRegistryPeerIdTooLong(peerIdLength, MAX_PEER_ID_LENGTH);
        if (multiaddrs.length > MAX_MULTIADDRS)
            revert CommunityRegistryTooManyMultiaddrs(multiaddrs.length, MAX_MULTIADDRS);
        for (uint256 i = 0; i < multiaddrs.length; ++i) {
            uint256 length = bytes(multiaddrs[i]).length;
            if (length > MAX_MULTIADDR_LENGTH)
                revert CommunityRegistryMultiaddrTooLong(i, length, MAX_MULTIADDR_LENGTH);
        }
        if (peerIdProof.length > MAX_PEER_ID_PROOF_LENGTH)
            revert CommunityRegistryPeerIdProofTooLong(peerIdProof.length, MAX_PEER_ID_PROOF_LENGTH);
    }

    /// @dev Records the caller as the holder of `peerId`, unless another opted-in account holds it.
    function _claimPeerId(string calldata peerId) private {
        bytes32 key = keccak256(bytes(peerId));
        address holder = _peerIdHolderOf(key);
        if (holder != address(0) && holder != msg.sender) revert CommunityRegistryPeerIdTaken(peerId, holder);
        _peerIdHolders[key] = msg.sender;
    }

    /// @dev The account that publishes the peer id hashed to `key` now, or the zero address.
    function _peerIdHolderOf(bytes32 key) private view returns (address holder) {
        holder = _peerIdHolders[key];
        if (holder == address(0)) return holder;
        NodeRecord storage record = _nodes[holder];
        if (record.status == NodeStatus.None || keccak256(bytes(record.peerId)) != key) return address(0);
    }

    function _requireFreeNodes(uint256 requested) private view {
        uint256 available = _freeNodes.length;
        if (available < requested) revert CommunityRegistryNotEnoughFreeNodes(requested, available);
    }

    function _requireCommunity(uint256 communityId) private view returns (address[] storage members) {
        members = _members[communityId];
        if (members.length == 0) revert CommunityRegistryUnknownCommunity(communityId);
    }
}
