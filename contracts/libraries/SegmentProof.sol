// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {FragmentLeaf} from "./FragmentLeaf.sol";

/**
 * @title SegmentProof
 * @notice The segment commitments of a shard, shared with the off-chain tools (protocol's
 * `segments.ts`, the scheme named "disp-segments-keccak256" version 1).
 *
 * A shard file is cut into `SEGMENT_SIZE`-byte segments, the last one shorter (never padded). Its
 * segment root is the root of `StandardMerkleTree.of(values, ["uint256", "bytes32"])` over the values
 * `[i, keccak256(segment i)]`, so a segment's leaf is {FragmentLeaf-hash}`(i, keccak256(segment))`:
 * the index binds the segment to its position. The shard's leaf in the version root has the digest
 * {commitment}`(sha256(shard), length, segmentRoot)`.
 */
library SegmentProof {
    /// @dev Bytes per segment; a 2 MiB shard has 8192 segments (proofs of depth 13).
    uint256 internal constant SEGMENT_SIZE = 256;

    /// @dev The digest of a shard's leaf in the version root when the manifest has segment roots.
    function commitment(
        bytes32 sha256Digest,
        uint256 length,
        bytes32 segmentRoot
    ) internal pure returns (bytes32 digest) {
        // keccak256(abi.encode(sha256Digest, length, segmentRoot)) over free memory, not allocated.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, sha256Digest)
            mstore(add(m, 0x20), length)
            mstore(add(m, 0x40), segmentRoot)
            digest := keccak256(m, 0x60)
        }
    }

    /// @dev The number of segments of a shard of `length` bytes.
    function count(uint256 length) internal pure returns (uint256) {
        return length / SEGMENT_SIZE + (length % SEGMENT_SIZE == 0 ? 0 : 1);
    }

    /**
     * @dev The segment an epoch's `seed` challenges (Sia's rule: unknown until the seed is):
     * `uint256(keccak256(abi.encode(seed, imageId, version, shard))) % count(length)`.
     * `length` must be above zero.
     */
    function challenged(
        bytes32 seed,
        uint256 imageId,
        uint256 version,
        uint256 shard,
        uint256 length
    ) internal pure returns (uint256) {
        uint256 draw;
        // keccak256(abi.encode(seed, imageId, version, shard)) over free memory, not allocated.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, seed)
            mstore(add(m, 0x20), imageId)
            mstore(add(m, 0x40), version)
            mstore(add(m, 0x60), shard)
            draw := keccak256(m, 0x80)
        }
        return draw % count(length);
    }

    /// @dev The length of segment `index` (below `count(length)`): `SEGMENT_SIZE`, less for the last.
    function segmentLength(uint256 length, uint256 index) internal pure returns (uint256) {
        uint256 rest = length - index * SEGMENT_SIZE;
        return rest < SEGMENT_SIZE ? rest : SEGMENT_SIZE;
    }

    /// @dev True when `proof` links segment `index` with bytes `segment` to `segmentRoot`.
    function verify(
        bytes32[] calldata proof,
        bytes32 segmentRoot,
        uint256 index,
        bytes calldata segment
    ) internal pure returns (bool) {
        bytes32 digest;
        // keccak256(segment) over free memory, not allocated (the segment stays in calldata).
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let m := mload(0x40)
            calldatacopy(m, segment.offset, segment.length)
            digest := keccak256(m, segment.length)
        }
        return FragmentLeaf.processProof(proof, FragmentLeaf.hash(index, digest)) == segmentRoot;
    }
}
