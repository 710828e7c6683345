// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @dev For scripts/bench-gas-keys.ts only: the two ways a grant's wrapped key can be published, to
 * measure their gas per grantee. (a) every envelope in an event, (b) one IPFS keyring per version
 * whose CID the chain commits to (the envelopes then live in the keyring file).
 */
contract KeyPublicationMock {
    event WrappedKeyPublished(
        uint256 indexed imageId,
        uint256 indexed version,
        address indexed grantee,
        bytes envelope
    );
    event KeyringCommitted(uint256 indexed imageId, uint256 indexed version, bytes keyringCid);

    mapping(uint256 imageId => mapping(uint256 version => bytes32 digest)) private _keyrings;

    function publishWrappedKeys(
        uint256 imageId,
        uint256 version,
        address[] calldata grantees,
        bytes[] calldata envelopes
    ) external {
        for (uint256 i = 0; i < grantees.length; ++i) {
            emit WrappedKeyPublished(imageId, version, grantees[i], envelopes[i]);
        }
    }

    function commitKeyring(uint256 imageId, uint256 version, bytes calldata keyringCid) external {
        _keyrings[imageId][version] = keccak256(keyringCid);
        emit KeyringCommitted(imageId, version, keyringCid);
    }
}
