// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @dev A Merkle tree over leaves in the given order, built independently of the contracts' helpers:
/// pairs are hashed sorted, as OpenZeppelin's MerkleProof expects, and an odd last node moves up.
library SortedPairTree {
    function root(bytes32[] memory leaves) internal pure returns (bytes32) {
        bytes32[] memory level = leaves;
        while (level.length > 1) level = parentLevel(level);
        return level[0];
    }

    /// @dev The proof of the leaf at `position` (trees of up to 256 leaves).
    function proof(bytes32[] memory leaves, uint256 position) internal pure returns (bytes32[] memory path) {
        bytes32[] memory siblings = new bytes32[](8);
        uint256 length = 0;
        bytes32[] memory level = leaves;
        while (level.length > 1) {
            uint256 sibling = position ^ 1;
            if (sibling < level.length) siblings[length++] = level[sibling];
            level = parentLevel(level);
            position /= 2;
        }
        path = new bytes32[](length);
        for (uint256 i = 0; i < length; ++i) path[i] = siblings[i];
    }

    function parentLevel(bytes32[] memory level) internal pure returns (bytes32[] memory parents) {
        parents = new bytes32[]((level.length + 1) / 2);
        for (uint256 i = 0; i < parents.length; ++i) {
            if (2 * i + 1 == level.length) {
                parents[i] = level[2 * i];
            } else {
                (bytes32 a, bytes32 b) = (level[2 * i], level[2 * i + 1]);
                parents[i] = a < b ? keccak256(abi.encode(a, b)) : keccak256(abi.encode(b, a));
            }
        }
    }
}
