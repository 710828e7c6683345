// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {ICommunityRegistry} from "./interfaces/ICommunityRegistry.sol";
import {IImageRegistry} from "./interfaces/IImageRegistry.sol";
import {IStorageChallenges} from "./interfaces/IStorageChallenges.sol";
import {IStorageReceipts} from "./interfaces/IStorageReceipts.sol";
import {FragmentLeaf} from "./libraries/FragmentLeaf.sol";
import {SegmentProof} from "./libraries/SegmentProof.sol";

/**
 * @title StorageChallenges
 * @notice Epochs of storage challenges over the DISP registry's community images, and each node's
 * record of proofs answered and missed. A contract of its own beside the registry, which it reads
 * through the registry's interfaces (roots, communities, members, receipts) and never writes.
 */
contract StorageChallenges is IStorageChallenges {
    struct EpochState {
        bytes32 seed;
        uint256 challenged;
    }

    uint256 private constant BPS = 10_000;

    /// @inheritdoc IStorageChallenges
    uint256 public constant MISSES_FOR_REPAIR = 2;

    /// @inheritdoc IStorageChallenges
    uint256 public immutable EPOCH_BLOCKS;
    /// @inheritdoc IStorageChallenges
    uint256 public immutable RESPONSE_WINDOW;
    /// @inheritdoc IStorageChallenges
    uint256 public immutable SAMPLE_BPS;
    /// @inheritdoc IStorageChallenges
    uint256 public immutable MAX_CHALLENGES_PER_EPOCH;

    /// @notice The DISP registry (images, communities and receipts at one address).
    address public immutable REGISTRY;

    /// @dev A version as this contract sees it: its root and its challenge in each epoch.
    struct Version {
        // The registry's root, copied at the version's first challenge. A version's root never
        // changes once registered, and a proof then reads this one slot instead of calling the
        // registry for two (the image and the root).
        bytes32 root;
        mapping(uint256 epoch => Challenge) challenges;
    }

    mapping(uint256 epoch => EpochState) private _epochs;
    mapping(uint256 imageId => mapping(uint256 version => Version)) private _versions;
    mapping(address node => NodeRecord) private _records;

    /**
     * @param registry The DISP registry.
     * @param epochBlocks Blocks per epoch (7200: a day of L1 blocks).
     * @param responseWindow Blocks a challenged node has to answer.
     * @param sampleBps The share of versions each epoch's seed samples, in basis points.
     * @param maxChallengesPerEpoch The most versions one epoch challenges.
     */
    constructor(
        address registry,
        uint256 epochBlocks,
        uint256 responseWindow,
        uint256 sampleBps,
        uint256 maxChallengesPerEpoch
    ) {
        if (
            registry == address(0) ||
            epochBlocks == 0 ||
            responseWindow == 0 ||
            sampleBps == 0 ||
            sampleBps > BPS ||
            maxChallengesPerEpoch == 0
        ) revert StorageChallengesInvalidConfig();
        REGISTRY = registry;
        EPOCH_BLOCKS = epochBlocks;
        RESPONSE_WINDOW = responseWindow;
        SAMPLE_BPS = sampleBps;
        MAX_CHALLENGES_PER_EPOCH = maxChallengesPerEpoch;
    }

    /// @inheritdoc IStorageChallenges
    function openEpoch() external returns (uint256 epoch) {
        epoch = currentEpoch();
        EpochState storage state = _epochs[epoch];
        if (state.seed != bytes32(0)) revert StorageChallengesEpochAlreadyOpen(epoch);
        bytes32 seed = keccak256(abi.encode(block.prevrandao, blockhash(block.number - 1), epoch));
        state.seed = seed;
        emit EpochOpened(epoch, seed);
    }

    /// @inheritdoc IStorageChallenges
    function challenge(
        uint256 imageId,
        uint256 version,
        bytes32 sha256Digest,
        uint256 length,
        bytes32 segmentRoot,
        bytes32[] calldata leafProof
    ) external {
        uint256 epoch = currentEpoch();
        EpochState storage epochState = _epochs[epoch];
        bytes32 seed = epochState.seed;
        if (seed == bytes32(0)) revert StorageChallengesEpochNotOpen(epoch);
        if (epochState.challenged >= MAX_CHALLENGES_PER_EPOCH) revert StorageChallengesEpochFull(epoch);
        if (!_sampled(seed, imageId, version)) revert StorageChallengesNotSampled(epoch, imageId, version);
        Version storage stored = _versions[imageId][version];
        if (stored.challenges[epoch].deadline != 0)
            revert StorageChallengesAlreadyChallenged(epoch, imageId, version);
        IImageRegistry.ImageInfo memory info = IImageRegistry(REGISTRY).imageInfo(imageId);
        if (info.communityId == 0) revert StorageChallengesNotCommunityImage(imageId);
        bytes32 root = stored.root;
        if (root == bytes32(0)) {
            root = IImageRegistry(REGISTRY).versionRoot(imageId, version);
            stored.root = root;
        }
        if (
            !FragmentLeaf.verify(
                leafProof,
                root,
                0,
                SegmentProof.commitment(sha256Digest, length, segmentRoot)
            )
        ) {
            revert StorageChallengesNoSegmentCommitment(imageId, version);
        }
        ++epochState.challenged;
        uint256 deadline = block.number + RESPONSE_WINDOW;
        // A community has at most 64 members (MAX_COMMUNITY_SIZE), so the count fits 8 bits and
        // every slot has a bit in the 64-bit masks; block numbers fit 64 bits for ages.
        stored.challenges[epoch] = Challenge({
            deadline: SafeCast.toUint64(deadline),
            answered: 0,
            missed: 0,
            communityId: SafeCast.toUint56(info.communityId),
            shards: SafeCast.toUint8(info.fragmentCount)
        });
        emit VersionChallenged(epoch, imageId, version, info.communityId, deadline);
    }

    /// @inheritdoc IStorageChallenges
    function prove(uint256 epoch, Answer calldata answer) external {
        _accept(epoch, _epochs[epoch].seed, answer);
        _credit(1);
    }

    /// @inheritdoc IStorageChallenges
    function proveBatch(uint256 epoch, Answer[] calldata answers) external {
        bytes32 seed = _epochs[epoch].seed;
        for (uint256 i = 0; i < answers.length; ++i) _accept(epoch, seed, answers[i]);
        _credit(answers.length);
    }

    /// @inheritdoc IStorageChallenges
    function recordMiss(uint256 epoch, uint256 imageId, uint256 version, uint256 shard) external {
        Challenge storage stored = _versions[imageId][version].challenges[epoch];
        Challenge memory open = stored;
        if (open.deadline == 0) revert StorageChallengesUnknownChallenge(epoch, imageId, version);
        if (block.number <= open.deadline) {
            revert StorageChallengesWindowOpen(epoch, imageId, version, open.deadline);
        }
        uint64 bit = _settle(open, epoch, imageId, version, shard);
        if (!IStorageReceipts(REGISTRY).isStorageConfirmed(imageId, version, shard)) {
            revert StorageChallengesNotConfirmed(imageId, version, shard);
        }
        address node = _memberOf(open.communityId, shard);
        stored.missed = open.missed | bit;
        NodeRecord storage record = _records[node];
        ++record.missed;
        uint64 inARow = ++record.missesInARow;
        emit ProofMissed(epoch, imageId, node, version, shard);
        if (inARow == MISSES_FOR_REPAIR) emit RepairNeeded(open.communityId, shard, node);
    }

    /// @inheritdoc IStorageChallenges
    function currentEpoch() public view returns (uint256) {
        return block.number / EPOCH_BLOCKS;
    }

    /// @inheritdoc IStorageChallenges
    function epochSeed(uint256 epoch) external view returns (bytes32) {
        return _epochs[epoch].seed;
    }

    /// @inheritdoc IStorageChallenges
    function isSampled(uint256 epoch, uint256 imageId, uint256 version) external view returns (bool) {
        bytes32 seed = _epochs[epoch].seed;
        return seed != bytes32(0) && _sampled(seed, imageId, version);
    }

    /// @inheritdoc IStorageChallenges
    function challengedSegment(
        uint256 epoch,
        uint256 imageId,
        uint256 version,
        uint256 shard,
        uint256 length
    ) external view returns (uint256) {
        return SegmentProof.challenged(_epochs[epoch].seed, imageId, version, shard, length);
    }

    /// @inheritdoc IStorageChallenges
    function challengeOf(
        uint256 epoch,
        uint256 imageId,
        uint256 version
    ) external view returns (Challenge memory) {
        return _versions[imageId][version].challenges[epoch];
    }

    /// @inheritdoc IStorageChallenges
    function nodeRecord(address node) external view returns (NodeRecord memory) {
        return _records[node];
    }

    /// @dev Checks one answer completely, then marks its slot answered.
    function _accept(uint256 epoch, bytes32 seed, Answer calldata answer) private {
        Version storage stored = _versions[answer.imageId][answer.version];
        Challenge memory open = stored.challenges[epoch];
        if (open.deadline == 0)
            revert StorageChallengesUnknownChallenge(epoch, answer.imageId, answer.version);
        if (block.number > open.deadline) {
            revert StorageChallengesLate(epoch, answer.imageId, answer.version, open.deadline);
        }
        uint64 bit = _settle(open, epoch, answer.imageId, answer.version, answer.shard);
        if (_memberOf(open.communityId, answer.shard) != msg.sender) {
            revert StorageChallengesNotHolder(open.communityId, answer.shard, msg.sender);
        }
        _checkLeaf(stored.root, answer);
        _checkSegment(seed, answer);
        stored.challenges[epoch].answered = open.answered | bit;
        emit ProofAccepted(epoch, answer.imageId, msg.sender, answer.version, answer.shard);
    }

    /// @dev The shard's leaf, rebuilt from the three values it commits to, is in the version root.
    function _checkLeaf(bytes32 root, Answer calldata answer) private pure {
        bytes32 digest = SegmentProof.commitment(answer.sha256Digest, answer.length, answer.segmentRoot);
        if (!FragmentLeaf.verify(answer.leafProof, root, answer.shard, digest) || answer.length == 0) {
            revert StorageChallengesWrongLeaf(answer.imageId, answer.version, answer.shard);
        }
    }

    /// @dev The segment is the one the seed picks, of the right length, under the segment root.
    function _checkSegment(bytes32 seed, Answer calldata answer) private pure {
        uint256 index = SegmentProof.challenged(
            seed,
            answer.imageId,
            answer.version,
            answer.shard,
            answer.length
        );
        if (answer.segmentIndex != index)
            revert StorageChallengesWrongSegmentIndex(index, answer.segmentIndex);
        uint256 expected = SegmentProof.segmentLength(answer.length, index);
        bytes calldata segment = answer.segment;
        if (segment.length != expected) revert StorageChallengesWrongSegmentLength(expected, segment.length);
        if (!SegmentProof.verify(answer.segmentProof, answer.segmentRoot, index, segment)) {
            revert StorageChallengesWrongSegment(index);
        }
    }

    /// @dev The slot's bit, once the slot exists and is neither answered nor missed.
    function _settle(
        Challenge memory open,
        uint256 epoch,
        uint256 imageId,
        uint256 version,
        uint256 shard
    ) private pure returns (uint64 bit) {
        if (shard >= open.shards) revert StorageChallengesInvalidShard(imageId, shard);
        // shard < shards <= 64: the shift stays within the 64 bits.
        bit = uint64(1 << shard);
        if ((open.answered | open.missed) & bit != 0) {
            revert StorageChallengesAlreadySettled(epoch, imageId, version, shard);
        }
    }

    /// @dev Counts `count` accepted proofs for the caller and ends its streak of misses.
    function _credit(uint256 count) private {
        NodeRecord storage record = _records[msg.sender];
        record.answered += SafeCast.toUint64(count);
        record.missesInARow = 0;
    }

    function _sampled(bytes32 seed, uint256 imageId, uint256 version) private view returns (bool) {
        return uint256(keccak256(abi.encode(seed, imageId, version))) % BPS < SAMPLE_BPS;
    }

    /// @dev The registry's member of a community slot. One `staticcall` returning one word: a
    /// high-level call's ABI encoding and checked decoding cost 220 gas more (bench:gas-proofs).
    function _memberOf(uint256 communityId, uint256 slot) private view returns (address member) {
        address registry = REGISTRY;
        bytes4 selector = ICommunityRegistry.communityMember.selector;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, selector)
            mstore(add(ptr, 0x04), communityId)
            mstore(add(ptr, 0x24), slot)
            if iszero(staticcall(gas(), registry, ptr, 0x44, 0x00, 0x20)) {
                returndatacopy(ptr, 0x00, returndatasize())
                revert(ptr, returndatasize())
            }
            if lt(returndatasize(), 0x20) {
                revert(0x00, 0x00)
            }
            // The registry returns an ABI-encoded address: keep its low 160 bits only.
            member := and(mload(0x00), sub(shl(160, 1), 1))
        }
    }
}
