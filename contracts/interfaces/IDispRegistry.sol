// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ICommunityRegistry} from "./ICommunityRegistry.sol";
import {IImageRegistry} from "./IImageRegistry.sol";

/**
 * @title IDispRegistry
 * @notice The deployed registry: communities and images in one contract, with OpenZeppelin
 * AccessControl roles (`DEFAULT_ADMIN_ROLE`, `COMMUNITY_MANAGER_ROLE`). Clients code against this.
 */
interface IDispRegistry is ICommunityRegistry, IImageRegistry {
    /**
     * @notice The admin must be a real account, or the roles could never be managed.
     * @param admin The address given.
     */
    error DispRegistryInvalidAdmin(address admin);
}
