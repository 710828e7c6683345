// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

import {FragmentLeaf} from "../../contracts/libraries/FragmentLeaf.sol";
import {SegmentProof} from "../../contracts/libraries/SegmentProof.sol";
import {SortedPairTree} from "./utils/SortedPairTree.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @dev Calls the library with calldata arguments, as the challenge contract does.
contract SegmentProofHarness {
    function verify(
        bytes32[] calldata proof,
        bytes32 root,
        uint256 index,
        bytes calldata segment
    ) external pure returns (bool) {
        return SegmentProof.verify(proof, root, index, segment);
    }

    function processProof(bytes32[] calldata proof, bytes32 leaf) external pure returns (bytes32) {
        return FragmentLeaf.processProof(proof, leaf);
    }
}

/// @dev Random shards cut into segments and committed here with a tree built independently of the
/// library (standard leaves, sorted pairs), then opened and tampered with.
contract SegmentChallengesFuzzTest is TestBase {
    uint256 private constant SIZE = 256;
    SegmentProofHarness private harness;

    function setUp() public {
        harness = new SegmentProofHarness();
    }

    function testFuzz_segmentsCoverTheShardExactly(uint256 length) public pure {
        length = bound(length, 1, 1 << 40);
        uint256 n = SegmentProof.count(length);
        assertEq(n, (length + SIZE - 1) / SIZE, "ceil(length / 256) segments");
        uint256 last = SegmentProof.segmentLength(length, n - 1);
        assertTrue(last >= 1 && last <= SIZE, "the last segment has 1..256 bytes");
        assertEq((n - 1) * SIZE + last, length, "full segments plus the last one are the shard");
        if (n > 1) assertEq(SegmentProof.segmentLength(length, n - 2), SIZE, "every other segment is full");
    }

    function testFuzz_challengedSegmentIsInRange(
        bytes32 seed,
        uint256 imageId,
        uint256 shard,
        uint256 length
    ) public pure {
        length = bound(length, 1, 1 << 40);
        uint256 index = SegmentProof.challenged(seed, imageId, 1, shard, length);
        assertTrue(index < SegmentProof.count(length), "a segment of the shard");
        assertEq(
            index,
            uint256(keccak256(abi.encode(seed, imageId, uint256(1), shard))) % SegmentProof.count(length),
            "Sia's rule: the seed's draw modulo the segment count"
        );
    }

    function testFuzz_provesEverySegment(uint256 seed, uint256 length, uint256 pick) public view {
        (bytes memory shard, bytes32[] memory leaves) = _shard(seed, length);
        uint256 index = bound(pick, 0, leaves.length - 1);
        assertTrue(
            harness.verify(_proof(leaves, index), _root(leaves), index, _segment(shard, index)),
            "a genuine segment verifies"
        );
    }

    function testFuzz_rejectsAnotherIndex(
        uint256 seed,
        uint256 length,
        uint256 pick,
        uint256 wrong
    ) public view {
        (bytes memory shard, bytes32[] memory leaves) = _shard(seed, length);
        uint256 index = bound(pick, 0, leaves.length - 1);
        if (wrong == index) wrong = index + 1;
        assertFalse(
            harness.verify(_proof(leaves, index), _root(leaves), wrong, _segment(shard, index)),
            "the segment at another position fails"
        );
    }

    function testFuzz_rejectsAlteredBytes(
        uint256 seed,
        uint256 length,
        uint256 pick,
        uint256 at,
        bytes1 mask
    ) public view {
        (bytes memory shard, bytes32[] memory leaves) = _shard(seed, length);
        uint256 index = bound(pick, 0, leaves.length - 1);
        bytes memory segment = _segment(shard, index);
        segment[bound(at, 0, segment.length - 1)] ^= (mask == bytes1(0) ? bytes1(0x01) : mask);
        assertFalse(
            harness.verify(_proof(leaves, index), _root(leaves), index, segment),
            "altered bytes fail"
        );
    }

    function testFuzz_rejectsAnotherShardsRoot(uint256 seed, uint256 length, uint256 pick) public view {
        (bytes memory shard, bytes32[] memory leaves) = _shard(seed, length);
        (, bytes32[] memory others) = _shard(~seed, length);
        uint256 index = bound(pick, 0, leaves.length - 1);
        assertFalse(
            harness.verify(_proof(leaves, index), _root(others), index, _segment(shard, index)),
            "a segment fails against another shard's root"
        );
    }

    function testFuzz_commitmentBindsEveryValue(
        bytes32 digest,
        uint256 length,
        bytes32 root,
        uint256 other
    ) public pure {
        bytes32 c = SegmentProof.commitment(digest, length, root);
        assertTrue(c == keccak256(abi.encode(digest, length, root)), "the documented encoding");
        if (other == length) other = length ^ 1;
        assertTrue(c != SegmentProof.commitment(digest, other, root), "another length, another commitment");
        assertTrue(c != SegmentProof.commitment(~digest, length, root), "another digest, another commitment");
        assertTrue(c != SegmentProof.commitment(digest, length, ~root), "another root, another commitment");
    }

    function testFuzz_proofWalkMatchesOpenZeppelin(bytes32 leaf, bytes32[] memory proof) public view {
        assertTrue(
            harness.processProof(proof, leaf) == MerkleProof.processProof(proof, leaf),
            "the calldata loop reaches OpenZeppelin's root"
        );
    }

    function testFuzz_leafHashIsTheStandardLeaf(uint256 index, bytes32 digest) public pure {
        assertTrue(
            FragmentLeaf.hash(index, digest) == keccak256(bytes.concat(keccak256(abi.encode(index, digest)))),
            "StandardMerkleTree's leaf of [index, digest]"
        );
    }

    /// @dev A pseudo-random shard of 1..4096 bytes and its segment leaves.
    function _shard(
        uint256 seed,
        uint256 length
    ) private pure returns (bytes memory shard, bytes32[] memory leaves) {
        length = bound(length, 1, 4096);
        shard = new bytes(length);
        for (uint256 i = 0; i < length; i += 32) {
            bytes32 word = keccak256(abi.encode(seed, i));
            for (uint256 j = 0; j < 32 && i + j < length; ++j) shard[i + j] = word[j];
        }
        leaves = new bytes32[]((length + SIZE - 1) / SIZE);
        for (uint256 i = 0; i < leaves.length; ++i) {
            leaves[i] = keccak256(bytes.concat(keccak256(abi.encode(i, keccak256(_segment(shard, i))))));
        }
    }

    function _segment(bytes memory shard, uint256 index) private pure returns (bytes memory segment) {
        uint256 start = index * SIZE;
        uint256 end = start + SIZE < shard.length ? start + SIZE : shard.length;
        segment = new bytes(end - start);
        for (uint256 i = 0; i < segment.length; ++i) segment[i] = shard[start + i];
    }

    function _root(bytes32[] memory leaves) private pure returns (bytes32) {
        return SortedPairTree.root(leaves);
    }

    function _proof(bytes32[] memory leaves, uint256 position) private pure returns (bytes32[] memory) {
        return SortedPairTree.proof(leaves, position);
    }
}
