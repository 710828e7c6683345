// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/**
 * @title FragmentLeaf
 * @notice The Merkle leaf encoding shared by the contracts and the off-chain tools.
 *
 * A version's root is built off chain with `StandardMerkleTree.of(values, ["uint256", "bytes32"])`
 * from the npm package openzeppelin/merkle-tree. Its values are one `[i, sha256(fragment file i)]` per fragment
 * (`i` in `0..n-1`) plus one manifest value `[MANIFEST_LEAF_INDEX, sha256(canonical manifest bytes)]`,
 * where `MANIFEST_LEAF_INDEX` is `type(uint256).max`. A leaf is therefore
 *
 *     keccak256(bytes.concat(keccak256(abi.encode(uint256 index, bytes32 digest))))
 *
 * The double hash keeps a leaf (64 bytes of preimage) from ever being read as an inner node of the
 * tree (OpenZeppelin's second-preimage defence), and inner nodes hash their two children sorted, as
 * {MerkleProof} expects.
 */
library FragmentLeaf {
    /// @dev The index of the manifest's leaf; fragments use `0..fragmentCount-1`.
    uint256 internal constant MANIFEST_INDEX = type(uint256).max;

    /// @dev The leaf that commits to `digest` at position `index`.
    function hash(uint256 index, bytes32 digest) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(index, digest))));
    }

    /// @dev True when `proof` links the leaf of (`index`, `digest`) to `root`.
    function verify(
        bytes32[] calldata proof,
        bytes32 root,
        uint256 index,
        bytes32 digest
    ) internal pure returns (bool) {
        return MerkleProof.verifyCalldata(proof, root, hash(index, digest));
    }
}
