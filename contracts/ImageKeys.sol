// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IImageKeys} from "./interfaces/IImageKeys.sol";

/**
 * @title ImageKeys
 * @notice Wrapped content keys, published as events with the block of the latest one kept per
 * (image, version, account). The deriving contract says who may publish and who may hold a key
 * through {_requireKeyPublisher} and {_mayHoldKey}.
 */
abstract contract ImageKeys is IImageKeys {
    /// @inheritdoc IImageKeys
    uint256 public constant ENVELOPE_BYTES = 81;

    /// @inheritdoc IImageKeys
    uint256 public constant MAX_KEYS_PER_CALL = 64;

    address private immutable _KEY_REGISTRY;

    mapping(uint256 imageId => mapping(uint256 version => mapping(address account => uint256 blockNumber)))
        private _keyBlocks;

    /// @param keyRegistry The EncryptionKeyRegistry the envelopes are wrapped to.
    constructor(address keyRegistry) {
        if (keyRegistry == address(0)) revert ImageKeysInvalidKeyRegistry(keyRegistry);
        _KEY_REGISTRY = keyRegistry;
    }

    /// @inheritdoc IImageKeys
    function publishKeys(
        uint256 imageId,
        uint256 version,
        address[] calldata accounts,
        bytes[] calldata envelopes
    ) external {
        _requireKeyPublisher(imageId, version, msg.sender);
        if (accounts.length != envelopes.length)
            revert ImageKeysLengthMismatch(accounts.length, envelopes.length);
        if (accounts.length > MAX_KEYS_PER_CALL)
            revert ImageKeysTooManyKeys(accounts.length, MAX_KEYS_PER_CALL);
        for (uint256 i = 0; i < accounts.length; ++i) {
            address account = accounts[i];
            if (!_mayHoldKey(imageId, account)) revert ImageKeysAccountCannotRead(imageId, account);
            if (envelopes[i].length != ENVELOPE_BYTES)
                revert ImageKeysInvalidEnvelope(i, envelopes[i].length);
            _keyBlocks[imageId][version][account] = block.number;
            emit KeyWrapped(imageId, version, account, envelopes[i]);
        }
    }

    /// @inheritdoc IImageKeys
    function keyBlock(uint256 imageId, uint256 version, address account) external view returns (uint256) {
        return _keyBlocks[imageId][version][account];
    }

    /// @inheritdoc IImageKeys
    function encryptionKeyRegistry() external view returns (address) {
        return _KEY_REGISTRY;
    }

    /// @dev Reverts unless `version` of `imageId` exists and `caller` is its owner or an editor.
    function _requireKeyPublisher(uint256 imageId, uint256 version, address caller) internal view virtual;

    /// @dev Whether `account` is the owner, an editor or a reader of `imageId` in its current epoch,
    /// or the owner it is offered to.
    function _mayHoldKey(uint256 imageId, address account) internal view virtual returns (bool);
}
