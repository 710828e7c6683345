// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

import {IEncryptionKeyRegistry} from "./interfaces/IEncryptionKeyRegistry.sol";

/**
 * @title EncryptionKeyRegistry
 * @notice Accounts' X25519 encryption public keys, registered directly or through a relayer with an
 * EIP-712 signature (the same shape as ERC-2612 `permit`). Ownerless and standalone: it serves every
 * DISP image registry on the chain.
 */
contract EncryptionKeyRegistry is IEncryptionKeyRegistry, EIP712, Nonces {
    /// @inheritdoc IEncryptionKeyRegistry
    /// @dev The EIP-712 type string is what wallets hash: it cannot be shortened.
    // solhint-disable-next-line gas-small-strings
    bytes32 public constant REGISTER_KEY_TYPEHASH = keccak256(
        "RegisterKey(address account,bytes32 publicKey,uint256 nonce,uint256 deadline)"
    );

    mapping(address account => bytes32 publicKey) private _keys;

    constructor() EIP712("DISP EncryptionKeyRegistry", "1") {}

    /// @inheritdoc IEncryptionKeyRegistry
    function registerKey(bytes32 publicKey) external returns (bool changed) {
        return _register(msg.sender, publicKey);
    }

    /// @inheritdoc IEncryptionKeyRegistry
    function registerKeyBySig(
        address account,
        bytes32 publicKey,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bool changed) {
        if (block.timestamp > deadline) revert EncryptionKeyRegistryExpiredSignature(deadline);
        bytes32 structHash = keccak256(
            abi.encode(REGISTER_KEY_TYPEHASH, account, publicKey, _useNonce(account), deadline)
        );
        address signer = ECDSA.recover(_hashTypedDataV4(structHash), signature);
        if (signer != account) revert EncryptionKeyRegistryInvalidSigner(signer, account);
        return _register(account, publicKey);
    }

    /// @inheritdoc IEncryptionKeyRegistry
    function keyOf(address account) external view returns (bytes32) {
        return _keys[account];
    }

    /// @inheritdoc IEncryptionKeyRegistry
    function nonces(address account) public view override(IEncryptionKeyRegistry, Nonces) returns (uint256) {
        return super.nonces(account);
    }

    /// @inheritdoc IEncryptionKeyRegistry
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    function _register(address account, bytes32 publicKey) private returns (bool) {
        if (publicKey == bytes32(0)) revert EncryptionKeyRegistryZeroKey();
        bytes32 previousKey = _keys[account];
        if (previousKey == publicKey) return false;
        _keys[account] = publicKey;
        emit EncryptionKeyRegistered(account, publicKey, previousKey);
        return true;
    }
}
