// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

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
    function hash(uint256 index, bytes32 digest) internal pure returns (bytes32 leaf) {
        // keccak256(bytes.concat(keccak256(abi.encode(index, digest)))) in scratch space: every
        // storage proof hashes two leaves, and abi.encode would allocate memory for each.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            mstore(0x00, index)
            mstore(0x20, digest)
            mstore(0x00, keccak256(0x00, 0x40))
            leaf := keccak256(0x00, 0x20)
        }
    }

    /// @dev True when `proof` links the leaf of (`index`, `digest`) to `root`.
    function verify(
        bytes32[] calldata proof,
        bytes32 root,
        uint256 index,
        bytes32 digest
    ) internal pure returns (bool) {
        return processProof(proof, hash(index, digest)) == root;
    }

    /**
     * @dev The root `proof` leads to from `leaf`, each inner node the hash of its two children
     * sorted (OpenZeppelin's `MerkleProof.processProofCalldata`, as a loop over calldata words:
     * a storage proof walks 16 levels, and the loop saves about 50 gas a level, bench:gas-proofs).
     */
    function processProof(bytes32[] calldata proof, bytes32 leaf) internal pure returns (bytes32 node) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            node := leaf
            // The ABI decoder checked that the `proof.length` words lie inside the calldata.
            let end := add(proof.offset, shl(5, proof.length))
            for {
                let ptr := proof.offset
            } lt(ptr, end) {
                ptr := add(ptr, 0x20)
            } {
                let sibling := calldataload(ptr)
                // The smaller hash goes first: the node at 0x20 when its sibling is smaller.
                let nodeAt := shl(5, lt(sibling, node))
                mstore(nodeAt, node)
                mstore(xor(nodeAt, 0x20), sibling)
                node := keccak256(0x00, 0x40)
            }
        }
    }
}
