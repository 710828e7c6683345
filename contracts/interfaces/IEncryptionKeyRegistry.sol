// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title IEncryptionKeyRegistry
 * @notice Each account's X25519 encryption public key, to which the content keys of private images
 * are wrapped when the account is granted read access. The key is derived off chain from the
 * account's signature over a fixed message (see the DISP crypto package), so the account keeps no new
 * secret; registering it again with another key rotates it (envelopes made for the old key stay
 * readable only with the old secret).
 *
 * An account registers its own key with {registerKey}, or signs an EIP-712 `RegisterKey` message
 * that anyone (a relayer) posts with {registerKeyBySig}, so that an account without ether can
 * register. Each signature carries the account's next nonce and a deadline: it is valid once,
 * until the deadline.
 */
interface IEncryptionKeyRegistry {
    /**
     * @notice `account`'s encryption key changed to `publicKey` (from `previousKey`, zero for the
     * first registration). Emitted only when the key changes.
     */
    event EncryptionKeyRegistered(address indexed account, bytes32 publicKey, bytes32 previousKey);

    /// @notice A zero public key was offered: it is what "no key" reads as.
    error EncryptionKeyRegistryZeroKey();

    /// @notice The signature's deadline (a block timestamp) has passed.
    error EncryptionKeyRegistryExpiredSignature(uint256 deadline);

    /// @notice The signature was made by `signer`, not by `account` (or for another nonce or key).
    error EncryptionKeyRegistryInvalidSigner(address signer, address account);

    /// @notice The EIP-712 type hash of `RegisterKey(address account,bytes32 publicKey,uint256 nonce,uint256 deadline)`.
    function REGISTER_KEY_TYPEHASH() external view returns (bytes32);

    /**
     * @notice Registers (or rotates) the caller's encryption public key.
     * @return changed False when `publicKey` already was the caller's key (then nothing is emitted).
     */
    function registerKey(bytes32 publicKey) external returns (bool changed);

    /**
     * @notice Registers (or rotates) `account`'s key with `account`'s EIP-712 signature over
     * `RegisterKey(account, publicKey, nonces(account), deadline)`; anyone may send it. The nonce is
     * used even when the key does not change.
     * @param signature 65 bytes `r || s || v` from `eth_signTypedData_v4`.
     * @return changed False when `publicKey` already was `account`'s key.
     */
    function registerKeyBySig(
        address account,
        bytes32 publicKey,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bool changed);

    /// @notice `account`'s encryption public key, zero when it registered none.
    function keyOf(address account) external view returns (bytes32);

    /// @notice The nonce `account`'s next signature must carry.
    function nonces(address account) external view returns (uint256);

    /// @notice The EIP-712 domain separator signatures are made for.
    function DOMAIN_SEPARATOR() external view returns (bytes32);
}
