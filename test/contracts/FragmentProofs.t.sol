// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

import {DispRegistry} from "../../contracts/DispRegistry.sol";
import {EncryptionKeyRegistry} from "../../contracts/EncryptionKeyRegistry.sol";
import {SortedPairTree} from "./utils/SortedPairTree.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @dev Random version trees built here, independently of the contracts' helpers, with the leaf
/// encoding of OpenZeppelin's StandardMerkleTree for ["uint256", "bytes32"] values, then proven
/// (and disproven) through the deployed registry.
contract FragmentProofsFuzzTest is TestBase {
    uint256 private constant MANIFEST_LEAF_INDEX = type(uint256).max;
    uint256 private constant NODES = 64;

    DispRegistry private registry;
    uint256 private imageId;

    struct Tree {
        uint256[] indices;
        bytes32[] digests;
        bytes32[] leaves; // in tree order
    }

    function setUp() public {
        registry = new DispRegistry(address(this), address(this), address(new EncryptionKeyRegistry()));
        for (uint256 i = 0; i < NODES; ++i) {
            vm.prank(address(uint160(0x10000 + i)));
            registry.optIn(string.concat("12D3KooWFuzzNode", Strings.toString(i)), new string[](0), "");
        }
    }

    function testFuzz_provesEveryKindOfLeaf(uint256 seed, uint256 count, uint256 pick) public {
        (Tree memory tree, uint256 n) = _registerRandomImage(seed, count);
        uint256 position = bound(pick, 0, n);
        assertTrue(
            registry.verifyFragment(
                imageId,
                1,
                tree.indices[position],
                tree.digests[position],
                _proof(tree, position)
            ),
            "a genuine leaf verifies"
        );
    }

    function testFuzz_rejectsAnotherIndex(
        uint256 seed,
        uint256 count,
        uint256 pick,
        uint256 wrongIndex
    ) public {
        (Tree memory tree, uint256 n) = _registerRandomImage(seed, count);
        uint256 position = bound(pick, 0, n);
        if (wrongIndex == tree.indices[position]) wrongIndex = wrongIndex == 0 ? 1 : wrongIndex - 1;
        assertFalse(
            registry.verifyFragment(imageId, 1, wrongIndex, tree.digests[position], _proof(tree, position)),
            "a leaf at another index fails"
        );
    }

    function testFuzz_rejectsAnotherDigest(
        uint256 seed,
        uint256 count,
        uint256 pick,
        bytes32 wrongDigest
    ) public {
        (Tree memory tree, uint256 n) = _registerRandomImage(seed, count);
        uint256 position = bound(pick, 0, n);
        if (wrongDigest == tree.digests[position]) wrongDigest = ~wrongDigest;
        assertFalse(
            registry.verifyFragment(imageId, 1, tree.indices[position], wrongDigest, _proof(tree, position)),
            "another digest fails"
        );
    }

    function testFuzz_rejectsATamperedProof(
        uint256 seed,
        uint256 count,
        uint256 pick,
        uint256 element,
        bytes32 mask
    ) public {
        (Tree memory tree, uint256 n) = _registerRandomImage(seed, count);
        uint256 position = bound(pick, 0, n);
        bytes32[] memory proof = _proof(tree, position);
        // n >= 2 fragments plus the manifest: at least 3 leaves, so every proof has an element.
        element = bound(element, 0, proof.length - 1);
        proof[element] ^= (mask == bytes32(0) ? bytes32(uint256(1)) : mask);
        assertFalse(
            registry.verifyFragment(imageId, 1, tree.indices[position], tree.digests[position], proof),
            "a tampered proof fails"
        );
        // A proof cut short fails too.
        bytes32[] memory full = _proof(tree, position);
        bytes32[] memory short = new bytes32[](full.length - 1);
        for (uint256 i = 0; i < short.length; ++i) short[i] = full[i];
        assertFalse(
            registry.verifyFragment(imageId, 1, tree.indices[position], tree.digests[position], short),
            "a truncated proof fails"
        );
    }

    function testFuzz_rejectsALeafOfAnotherVersion(uint256 seed, uint256 count, uint256 pick) public {
        (Tree memory tree, uint256 n) = _registerRandomImage(seed, count);
        Tree memory next = _randomTree(uint256(keccak256(abi.encode(seed, "v2"))), n);
        registry.addVersion(imageId, _root(next.leaves), hex"01551220aa");
        uint256 position = bound(pick, 0, n);
        assertFalse(
            registry.verifyFragment(
                imageId,
                2,
                tree.indices[position],
                tree.digests[position],
                _proof(tree, position)
            ),
            "version 1's leaf fails against version 2"
        );
        assertTrue(
            registry.verifyFragment(
                imageId,
                2,
                next.indices[position],
                next.digests[position],
                _proof(next, position)
            ),
            "version 2's own leaf verifies"
        );
    }

    /// @dev Forms a community of 2..64 members and registers an image on it with a random tree.
    function _registerRandomImage(uint256 seed, uint256 count) private returns (Tree memory tree, uint256 n) {
        n = bound(count, 2, NODES);
        registry.formCommunity(n);
        tree = _randomTree(seed, n);
        imageId = registry.registerImage(1, n, _root(tree.leaves), hex"01551220ff");
    }

    /// @dev `n` fragment leaves and the manifest leaf, rotated by a seed-chosen offset so the
    /// manifest does not always sit last.
    function _randomTree(uint256 seed, uint256 n) private pure returns (Tree memory tree) {
        uint256 total = n + 1;
        tree.indices = new uint256[](total);
        tree.digests = new bytes32[](total);
        tree.leaves = new bytes32[](total);
        uint256 offset = seed % total;
        for (uint256 i = 0; i < total; ++i) {
            uint256 position = (i + offset) % total;
            uint256 index = i == n ? MANIFEST_LEAF_INDEX : i;
            bytes32 digest = keccak256(abi.encode(seed, i));
            tree.indices[position] = index;
            tree.digests[position] = digest;
            tree.leaves[position] = keccak256(bytes.concat(keccak256(abi.encode(index, digest))));
        }
    }

    function _root(bytes32[] memory leaves) private pure returns (bytes32) {
        return SortedPairTree.root(leaves);
    }

    function _proof(Tree memory tree, uint256 position) private pure returns (bytes32[] memory) {
        return SortedPairTree.proof(tree.leaves, position);
    }
}
