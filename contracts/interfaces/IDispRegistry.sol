// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ICommunityRegistry} from "./ICommunityRegistry.sol";
import {IImageKeys} from "./IImageKeys.sol";
import {IImageRegistry} from "./IImageRegistry.sol";
import {IStorageReceipts} from "./IStorageReceipts.sol";

/**
 * @title IDispRegistry
 * @notice The deployed registry: communities, images, storage receipts and wrapped content keys in one
 * contract, with OpenZeppelin AccessControl roles (`DEFAULT_ADMIN_ROLE`, `COMMUNITY_MANAGER_ROLE`)
 * and OpenZeppelin `multicall(bytes[])` to batch calls into one transaction. Clients code against this.
 */
interface IDispRegistry is ICommunityRegistry, IImageRegistry, IStorageReceipts, IImageKeys {
    /**
     * @notice The admin must be a real account, or the roles could never be managed.
     * @param admin The address given.
     */
    error DispRegistryInvalidAdmin(address admin);
}
