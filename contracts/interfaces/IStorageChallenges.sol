// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title IStorageChallenges
 * @notice Storage proofs checked by the contract itself: every epoch a seed is drawn, anyone names
 * image versions the seed samples, and the member of each slot of the image's community must answer
 * within `RESPONSE_WINDOW` blocks with the segment of its shard the seed picks, the segment's Merkle
 * proof up to the shard's segment root, and the shard's leaf proof up to the version root. A missed
 * answer is recorded by anyone after the window; `MISSES_FOR_REPAIR` misses in a row of one node
 * emit {RepairNeeded} for its slot.
 *
 * The work never grows with the chain: an epoch holds at most `MAX_CHALLENGES_PER_EPOCH` challenged
 * versions, each one storage slot (and a version's first challenge copies its root, which never
 * changes, so that proofs read it here), and every call touches one version. Which versions are challenged
 * is not the challenger's choice: a version can be named in an epoch only when
 * `uint256(keccak256(abi.encode(seed, imageId, version))) % 10_000 < SAMPLE_BPS`, so the sampled
 * share (the cost knob) is fixed by the seed; challengers (owners' agents, watchers) pick among them.
 *
 * The seed is `keccak256(abi.encode(block.prevrandao, blockhash(block.number - 1), epoch))` in the
 * block that opens the epoch. On L1, `prevrandao` is the beacon chain's RANDAO: unknown before the
 * block, biasable only by a proposer who gives up its block (one bit per slot it controls). On an
 * L2, `prevrandao` is set by the sequencer (or constant), so an L2 deployment needs an outside
 * beacon instead (an L1 RANDAO value relayed, or a VRF such as Chainlink's).
 */
interface IStorageChallenges {
    /// @notice One challenged version in one epoch, packed in one storage slot.
    struct Challenge {
        /// The last block an answer is accepted in (0: no challenge).
        uint64 deadline;
        /// Bit `s` is set once slot `s` answered.
        uint64 answered;
        /// Bit `s` is set once slot `s`'s miss was recorded.
        uint64 missed;
        /// The image's community and its number of shards (slots).
        uint56 communityId;
        uint8 shards;
    }

    /// @notice A node's record. `missesInARow` is reset by every accepted proof.
    struct NodeRecord {
        uint64 answered;
        uint64 missed;
        uint64 missesInARow;
    }

    /**
     * @notice What a node sends for one challenged shard.
     * @param imageId The image.
     * @param version The version.
     * @param shard The shard's leaf index, which is its slot in the community.
     * @param segmentIndex The challenged segment (see {challengedSegment}).
     * @param segment Its bytes: `SEGMENT_SIZE`, fewer for the last segment.
     * @param segmentProof The segment's proof up to `segmentRoot`.
     * @param sha256Digest The SHA-256 of the shard file.
     * @param length The shard's length in bytes.
     * @param segmentRoot The shard's segment root.
     * @param leafProof The proof of the leaf `[shard, commitment(sha256Digest, length, segmentRoot)]`
     * up to the version root.
     */
    struct Answer {
        uint256 imageId;
        uint256 version;
        uint256 shard;
        uint256 segmentIndex;
        bytes segment;
        bytes32[] segmentProof;
        bytes32 sha256Digest;
        uint256 length;
        bytes32 segmentRoot;
        bytes32[] leafProof;
    }

    /**
     * @notice An epoch was opened and its seed drawn.
     * @param epoch `block.number / EPOCH_BLOCKS` of the opening block.
     * @param seed The seed that samples versions and picks segments.
     */
    event EpochOpened(uint256 indexed epoch, bytes32 seed);

    /**
     * @notice Every slot of a version's community must prove its shard by `deadline`.
     * @param epoch The epoch.
     * @param imageId The image.
     * @param version The version.
     * @param communityId The image's community.
     * @param deadline The last block an answer is accepted in.
     */
    event VersionChallenged(
        uint256 indexed epoch,
        uint256 indexed imageId,
        uint256 indexed version,
        uint256 communityId,
        uint256 deadline
    );

    /// @notice `node` proved it holds its shard of a challenged version.
    event ProofAccepted(
        uint256 indexed epoch,
        uint256 indexed imageId,
        address indexed node,
        uint256 version,
        uint256 shard
    );

    /// @notice `node` did not answer for its shard within the window.
    event ProofMissed(
        uint256 indexed epoch,
        uint256 indexed imageId,
        address indexed node,
        uint256 version,
        uint256 shard
    );

    /**
     * @notice The node in `slot` of `communityId` missed `MISSES_FOR_REPAIR` proofs in a row: its
     * shards should be rebuilt onto a replacement (emitted once per streak).
     */
    event RepairNeeded(uint256 indexed communityId, uint256 indexed slot, address indexed node);

    /// @notice A constructor parameter is zero, or the sample share is above 10,000 basis points.
    error StorageChallengesInvalidConfig();

    /// @notice The epoch is already open.
    error StorageChallengesEpochAlreadyOpen(uint256 epoch);

    /// @notice The current epoch has not been opened (or `epoch` is not the current one).
    error StorageChallengesEpochNotOpen(uint256 epoch);

    /// @notice The epoch already holds `MAX_CHALLENGES_PER_EPOCH` challenged versions.
    error StorageChallengesEpochFull(uint256 epoch);

    /// @notice The epoch's seed does not sample this version.
    error StorageChallengesNotSampled(uint256 epoch, uint256 imageId, uint256 version);

    /// @notice The version is already challenged in this epoch.
    error StorageChallengesAlreadyChallenged(uint256 epoch, uint256 imageId, uint256 version);

    /// @notice A replicated image (no community) is not challenged.
    error StorageChallengesNotCommunityImage(uint256 imageId);

    /// @notice The shard-0 leaf given is not a segment commitment of the version: it has no segment roots.
    error StorageChallengesNoSegmentCommitment(uint256 imageId, uint256 version);

    /// @notice The version is not challenged in this epoch.
    error StorageChallengesUnknownChallenge(uint256 epoch, uint256 imageId, uint256 version);

    /// @notice The image has no such shard.
    error StorageChallengesInvalidShard(uint256 imageId, uint256 shard);

    /// @notice Only the current member of the shard's slot answers for it.
    error StorageChallengesNotHolder(uint256 communityId, uint256 shard, address account);

    /// @notice The answer came after the window closed.
    error StorageChallengesLate(uint256 epoch, uint256 imageId, uint256 version, uint256 deadline);

    /// @notice The shard was already answered (or its miss recorded).
    error StorageChallengesAlreadySettled(uint256 epoch, uint256 imageId, uint256 version, uint256 shard);

    /// @notice The leaf proof does not hold for this shard: wrong digest, length, root or shard.
    error StorageChallengesWrongLeaf(uint256 imageId, uint256 version, uint256 shard);

    /// @notice The answer is for another segment than the one the seed picks.
    error StorageChallengesWrongSegmentIndex(uint256 expected, uint256 given);

    /// @notice The segment's length is not the one its index and the shard's length give.
    error StorageChallengesWrongSegmentLength(uint256 expected, uint256 given);

    /// @notice The segment and its proof do not lead to the segment root.
    error StorageChallengesWrongSegment(uint256 segmentIndex);

    /// @notice A miss is recorded only once the window has closed.
    error StorageChallengesWindowOpen(uint256 epoch, uint256 imageId, uint256 version, uint256 deadline);

    /// @notice The slot's current holder never confirmed the version: it owes no proof.
    error StorageChallengesNotConfirmed(uint256 imageId, uint256 version, uint256 shard);

    /// @notice Opens the current epoch (`block.number / EPOCH_BLOCKS`), drawing its seed. Anyone.
    function openEpoch() external returns (uint256 epoch);

    /**
     * @notice Challenges every slot of a version sampled by the current epoch's seed. Anyone.
     * Shard 0's leaf, given as its three committed values and proof, shows the version has segment
     * roots (a version stored without them is never challenged).
     */
    function challenge(
        uint256 imageId,
        uint256 version,
        bytes32 sha256Digest,
        uint256 length,
        bytes32 segmentRoot,
        bytes32[] calldata leafProof
    ) external;

    /// @notice Answers one challenge of `epoch`; the caller is the shard's slot holder.
    function prove(uint256 epoch, Answer calldata answer) external;

    /// @notice Answers several challenges of `epoch` in one transaction (all or none).
    function proveBatch(uint256 epoch, Answer[] calldata answers) external;

    /// @notice Records that the holder of `shard` did not answer in time. Anyone, after the window.
    function recordMiss(uint256 epoch, uint256 imageId, uint256 version, uint256 shard) external;

    /// @notice The current epoch number.
    function currentEpoch() external view returns (uint256);

    /// @notice An epoch's seed, zero until it is opened.
    function epochSeed(uint256 epoch) external view returns (bytes32);

    /// @notice Whether the epoch's seed samples the version.
    function isSampled(uint256 epoch, uint256 imageId, uint256 version) external view returns (bool);

    /// @notice The segment of a shard of `length` bytes the epoch challenges.
    function challengedSegment(
        uint256 epoch,
        uint256 imageId,
        uint256 version,
        uint256 shard,
        uint256 length
    ) external view returns (uint256);

    /// @notice A version's challenge in an epoch (all zero when there is none).
    function challengeOf(
        uint256 epoch,
        uint256 imageId,
        uint256 version
    ) external view returns (Challenge memory);

    /// @notice A node's proofs answered and missed.
    function nodeRecord(address node) external view returns (NodeRecord memory);

    function EPOCH_BLOCKS() external view returns (uint256);

    function RESPONSE_WINDOW() external view returns (uint256);

    function SAMPLE_BPS() external view returns (uint256);

    function MAX_CHALLENGES_PER_EPOCH() external view returns (uint256);

    function MISSES_FOR_REPAIR() external view returns (uint256);
}
