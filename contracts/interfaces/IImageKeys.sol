// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title IImageKeys
 * @notice The wrapped content keys of private images. Each version of a private image is encrypted
 * under its own content key; the owner or an editor wraps that key to each account that may read
 * the image (to the account's X25519 key on the {encryptionKeyRegistry}) and publishes the 81-byte
 * envelope here. Envelopes live in {KeyWrapped} events only; the registry keeps the block of the
 * latest one per (image, version, account) in {keyBlock}, so a reader fetches its envelope with one
 * `eth_getLogs` over one block, filtered on all three topics, and never scans the chain.
 *
 * A grant and its key go in one transaction through `multicall` (the grant first, so the grantee
 * can read when the key is published): a failing publish reverts the grant with it.
 */
interface IImageKeys {
    /**
     * @notice `account`'s wrapped content key of `version` of `imageId` (it replaces any earlier one).
     * @param imageId The image.
     * @param version The version whose content key is wrapped.
     * @param account The account that can unwrap it.
     * @param envelope The envelope, `ENVELOPE_BYTES` long (the crypto package's format).
     */
    event KeyWrapped(
        uint256 indexed imageId,
        uint256 indexed version,
        address indexed account,
        bytes envelope
    );

    /**
     * @notice A key is published only to an account that can read the image now (its owner, an
     * editor or a reader of the current grant epoch; a public flag does not count) or the account
     * the image is offered to, which owns it once it accepts.
     * @param imageId The image.
     * @param account The account given.
     */
    error ImageKeysAccountCannotRead(uint256 imageId, address account);

    /**
     * @notice Every envelope is `ENVELOPE_BYTES` long.
     * @param index The envelope's position in the call.
     * @param length Its length.
     */
    error ImageKeysInvalidEnvelope(uint256 index, uint256 length);

    /**
     * @notice One envelope per account.
     * @param accounts The number of accounts given.
     * @param envelopes The number of envelopes given.
     */
    error ImageKeysLengthMismatch(uint256 accounts, uint256 envelopes);

    /**
     * @notice One call publishes at most `MAX_KEYS_PER_CALL` keys.
     * @param count The number of keys given.
     * @param max `MAX_KEYS_PER_CALL`.
     */
    error ImageKeysTooManyKeys(uint256 count, uint256 max);

    /**
     * @notice The encryption key registry must be a real address.
     * @param keyRegistry The address given.
     */
    error ImageKeysInvalidKeyRegistry(address keyRegistry);

    /**
     * @notice Publishes `envelopes[i]`, the content key of `version` wrapped to `accounts[i]`, for
     * each `i`. Only the image's owner or an editor; the version must exist and every account must
     * be able to read the image now or be its pending owner ({ImageKeysAccountCannotRead}). Emits
     * one {KeyWrapped} per key.
     * @param imageId The image.
     * @param version A version in `1..versionCount`.
     * @param accounts The accounts, at most `MAX_KEYS_PER_CALL`.
     * @param envelopes Their envelopes, in the same order, each `ENVELOPE_BYTES` long.
     */
    function publishKeys(
        uint256 imageId,
        uint256 version,
        address[] calldata accounts,
        bytes[] calldata envelopes
    ) external;

    /**
     * @notice The block of the latest {KeyWrapped} for `account` and `version` of `imageId`, 0 when
     * none was published.
     */
    function keyBlock(uint256 imageId, uint256 version, address account) external view returns (uint256);

    /// @notice The EncryptionKeyRegistry whose keys the envelopes are wrapped to.
    function encryptionKeyRegistry() external view returns (address);

    /// @notice The length of every envelope: 81 bytes.
    function ENVELOPE_BYTES() external view returns (uint256);

    /// @notice The most keys one {publishKeys} call takes: 64.
    function MAX_KEYS_PER_CALL() external view returns (uint256);
}
