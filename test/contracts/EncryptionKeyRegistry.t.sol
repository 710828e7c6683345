// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EncryptionKeyRegistry} from "../../contracts/EncryptionKeyRegistry.sol";
import {IEncryptionKeyRegistry} from "../../contracts/interfaces/IEncryptionKeyRegistry.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @dev The signing cheatcodes these tests use, at the standard cheatcode address.
interface SigningVm {
    function addr(uint256 privateKey) external returns (address);

    function sign(uint256 privateKey, bytes32 digest) external returns (uint8 v, bytes32 r, bytes32 s);

    function warp(uint256 timestamp) external;

    function expectRevert(bytes calldata revertData) external;
}

/// @dev Registration by signature for random accounts, keys and deadlines: valid once, by its signer only.
contract EncryptionKeyRegistryFuzzTest is TestBase {
    /// secp256k1's group order: private keys are 1..N-1.
    uint256 private constant N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
    SigningVm private constant svm = SigningVm(address(uint160(uint256(keccak256("hevm cheat code")))));

    EncryptionKeyRegistry private registry;

    function setUp() public {
        registry = new EncryptionKeyRegistry();
    }

    function _sign(
        uint256 privateKey,
        address account,
        bytes32 publicKey,
        uint256 nonce,
        uint256 deadline
    ) private returns (bytes memory) {
        bytes32 structHash = keccak256(
            abi.encode(registry.REGISTER_KEY_TYPEHASH(), account, publicKey, nonce, deadline)
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", registry.DOMAIN_SEPARATOR(), structHash));
        (uint8 v, bytes32 r, bytes32 s) = svm.sign(privateKey, digest);
        return abi.encodePacked(r, s, v);
    }

    function testFuzz_registersOnceUntilTheDeadline(
        uint256 seed,
        bytes32 publicKey,
        uint256 lifetime
    ) public {
        if (publicKey == bytes32(0)) publicKey = bytes32(uint256(1));
        uint256 privateKey = bound(seed, 1, N - 1);
        address account = svm.addr(privateKey);
        uint256 deadline = block.timestamp + bound(lifetime, 0, 365 days);
        bytes memory signature = _sign(privateKey, account, publicKey, 0, deadline);

        assertTrue(registry.registerKeyBySig(account, publicKey, deadline, signature), "changed");
        assertEq(uint256(registry.keyOf(account)), uint256(publicKey), "registered key");
        assertEq(registry.nonces(account), 1, "nonce used");

        // The same signature again: its nonce is used, so it recovers to another address.
        (bool replayed, ) = address(registry).call(
            abi.encodeCall(registry.registerKeyBySig, (account, publicKey, deadline, signature))
        );
        assertFalse(replayed, "replay accepted");
    }

    function testFuzz_refusesAnotherSigner(uint256 seed, uint256 otherSeed, bytes32 publicKey) public {
        if (publicKey == bytes32(0)) publicKey = bytes32(uint256(1));
        uint256 privateKey = bound(seed, 1, N - 1);
        uint256 otherKey = bound(otherSeed, 1, N - 1);
        if (otherKey == privateKey) otherKey = privateKey == 1 ? 2 : privateKey - 1;
        address account = svm.addr(privateKey);
        address other = svm.addr(otherKey);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory signature = _sign(otherKey, account, publicKey, 0, deadline);

        svm.expectRevert(
            abi.encodeWithSelector(
                IEncryptionKeyRegistry.EncryptionKeyRegistryInvalidSigner.selector,
                other,
                account
            )
        );
        registry.registerKeyBySig(account, publicKey, deadline, signature);
    }

    function testFuzz_refusesAfterTheDeadline(uint256 seed, uint256 late) public {
        uint256 privateKey = bound(seed, 1, N - 1);
        address account = svm.addr(privateKey);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory signature = _sign(privateKey, account, bytes32(uint256(7)), 0, deadline);
        svm.warp(deadline + bound(late, 1, 3650 days));

        svm.expectRevert(
            abi.encodeWithSelector(
                IEncryptionKeyRegistry.EncryptionKeyRegistryExpiredSignature.selector,
                deadline
            )
        );
        registry.registerKeyBySig(account, bytes32(uint256(7)), deadline, signature);
    }
}
