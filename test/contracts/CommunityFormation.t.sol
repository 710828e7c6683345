// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

import {DispRegistry} from "../../contracts/DispRegistry.sol";
import {EncryptionKeyRegistry} from "../../contracts/EncryptionKeyRegistry.sol";
import {ICommunityRegistry} from "../../contracts/interfaces/ICommunityRegistry.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @dev Community formation over random pools: first come first served or chosen nodes, the pool
/// shrinks by the community size and keeps the others' order, and no node ever holds two slots.
contract CommunityFormationFuzzTest is TestBase {
    uint256 private constant MAX_POOL = 160;

    DispRegistry private registry;

    function setUp() public {
        registry = new DispRegistry(address(this), address(this), address(new EncryptionKeyRegistry()));
    }

    function testFuzz_formsFromTheFrontOfThePool(uint256 poolSize, uint256 size, uint256 leaver) public {
        uint256 pool = bound(poolSize, 2, MAX_POOL);
        _optIn(0, pool);
        // Optionally one node (front, middle or back) leaves first: the order of the rest must hold.
        uint256 left = bound(leaver, 0, pool + 2);
        address[] memory expected = new address[](pool);
        uint256 free = 0;
        if (left < pool) {
            vm.prank(_node(left));
            registry.optOut();
        }
        for (uint256 i = 0; i < pool; ++i) {
            if (i != left) expected[free++] = _node(i);
        }
        if (free < 2) return; // nothing to form
        size = bound(size, 2, free < 64 ? free : 64);

        uint256 communityId = registry.formCommunity(size);

        assertEq(communityId, 1, "first community id");
        assertEq(registry.communitySize(communityId), size, "size");
        address[] memory members = registry.communityMembers(communityId);
        for (uint256 slot = 0; slot < size; ++slot) {
            assertEq(members[slot], expected[slot], "members are the first free nodes, in order");
            ICommunityRegistry.NodeInfo memory info = registry.nodeInfo(members[slot]);
            assertEq(uint256(info.status), uint256(ICommunityRegistry.NodeStatus.Serving), "member serves");
            assertEq(info.communityId, communityId, "member's community");
            assertEq(info.slot, slot, "member's slot");
        }
        assertEq(registry.freeNodeCount(), free - size, "the pool shrinks by the size");
        address[] memory rest = registry.nextFreeNodes(MAX_POOL);
        assertEq(rest.length, free - size, "the rest of the pool is listed");
        for (uint256 i = 0; i < rest.length; ++i) {
            assertEq(rest[i], expected[size + i], "the rest keeps its order");
        }
    }

    function testFuzz_noNodeServesTwoCommunities(uint256 poolSize, uint256 sizes) public {
        uint256 pool = bound(poolSize, 2, MAX_POOL);
        _optIn(0, pool);
        uint256 formed = 0;
        uint256 served = 0;
        while (true) {
            uint256 free = registry.freeNodeCount();
            if (free < 2) break;
            uint256 size = bound(uint256(keccak256(abi.encode(sizes, formed))), 2, free < 64 ? free : 64);
            registry.formCommunity(size);
            ++formed;
            served += size;
        }
        assertEq(registry.communityCount(), formed, "community count");
        assertEq(served + registry.freeNodeCount(), pool, "every node is either serving or free");
        // A node's record names one community and slot: if a node had been given two slots, the
        // earlier one would not point back at it.
        for (uint256 c = 1; c <= formed; ++c) {
            address[] memory members = registry.communityMembers(c);
            for (uint256 slot = 0; slot < members.length; ++slot) {
                ICommunityRegistry.NodeInfo memory info = registry.nodeInfo(members[slot]);
                assertEq(info.communityId, c, "member's community");
                assertEq(info.slot, slot, "member's slot");
            }
        }
    }

    function testFuzz_revertsWhenThePoolIsTooSmall(uint256 poolSize, uint256 size) public {
        uint256 pool = bound(poolSize, 0, 63);
        _optIn(0, pool);
        size = bound(size, pool < 2 ? 2 : pool + 1, 64);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICommunityRegistry.CommunityRegistryNotEnoughFreeNodes.selector,
                size,
                pool
            )
        );
        registry.formCommunity(size);
    }

    function testFuzz_replacementTakesTheFrontFreeNode(uint256 poolSize, uint256 slot) public {
        uint256 pool = bound(poolSize, 5, 80);
        _optIn(0, pool);
        registry.formCommunity(4);
        slot = bound(slot, 0, 3);
        address replaced = registry.communityMember(1, slot);

        address newNode = registry.replaceMember(1, slot);

        assertEq(newNode, _node(4), "the front free node takes the slot");
        assertEq(registry.communityMember(1, slot), newNode, "slot holder");
        assertEq(uint256(registry.nodeInfo(replaced).status), 0, "the replaced node left the registry");
        assertEq(registry.freeNodeCount(), pool - 5, "the pool shrinks by one");
    }

    function testFuzz_formsFromChosenNodesAnywhereInThePool(uint256 poolSize, uint256 seed) public {
        uint256 pool = bound(poolSize, 2, MAX_POOL);
        _optIn(0, pool);
        // A random subset, in a random order: node i is chosen when its bit of the seed is set.
        uint256 size = 0;
        address[] memory chosen = new address[](pool < 64 ? pool : 64);
        for (uint256 i = pool; i > 0 && size < chosen.length; --i) {
            if ((uint256(keccak256(abi.encode(seed, i))) & 1) == 1) chosen[size++] = _node(i - 1);
        }
        if (size < 2) return; // too few chosen to form a community
        address[] memory nodes = new address[](size);
        for (uint256 slot = 0; slot < size; ++slot) nodes[slot] = chosen[slot];

        uint256 communityId = registry.formCommunityWith(nodes);

        address[] memory members = registry.communityMembers(communityId);
        for (uint256 slot = 0; slot < size; ++slot) {
            assertEq(members[slot], nodes[slot], "the chosen nodes, by slot");
            assertEq(registry.nodeInfo(nodes[slot]).slot, slot, "member's slot");
        }
        // The others stay free, in their order.
        address[] memory rest = registry.nextFreeNodes(MAX_POOL);
        assertEq(rest.length, pool - size, "the pool shrinks by the size");
        uint256 next = 0;
        for (uint256 i = 0; i < pool; ++i) {
            if (uint256(registry.nodeInfo(_node(i)).status) == uint256(ICommunityRegistry.NodeStatus.Free)) {
                assertEq(rest[next++], _node(i), "the rest keeps its order");
            }
        }
        assertEq(next, rest.length, "every free node is listed");
    }

    function _optIn(uint256 first, uint256 count) private {
        string[] memory multiaddrs = new string[](1);
        multiaddrs[0] = "/ip4/127.0.0.1/tcp/4001";
        for (uint256 i = first; i < first + count; ++i) {
            vm.prank(_node(i));
            // A peer id is held by one account at a time: each node has its own.
            registry.optIn(string.concat("12D3KooWFuzzNode", Strings.toString(i)), multiaddrs, "");
        }
    }

    function _node(uint256 i) private pure returns (address) {
        return address(uint160(0x10000 + i));
    }
}
