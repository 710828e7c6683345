// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @dev The few cheatcodes these tests use. forge-std is not needed by Hardhat's Solidity test runner,
/// which serves the standard cheatcodes at the usual address.
interface Vm {
    function prank(address msgSender) external;

    function expectRevert(bytes calldata revertData) external;
}

/// @dev Assertions and input bounding for Solidity tests: a test fails when it reverts.
abstract contract TestBase {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    error AssertionFailed(string what, uint256 actual, uint256 expected);

    /// @dev Maps any `value` into `min..max` (inclusive), keeping small values where they are.
    function bound(uint256 value, uint256 min, uint256 max) internal pure returns (uint256) {
        if (value >= min && value <= max) return value;
        return min + (value % (max - min + 1));
    }

    function assertEq(uint256 actual, uint256 expected, string memory what) internal pure {
        if (actual != expected) revert AssertionFailed(what, actual, expected);
    }

    function assertEq(address actual, address expected, string memory what) internal pure {
        assertEq(uint160(actual), uint160(expected), what);
    }

    function assertTrue(bool condition, string memory what) internal pure {
        assertEq(condition ? 1 : 0, 1, what);
    }

    function assertFalse(bool condition, string memory what) internal pure {
        assertEq(condition ? 1 : 0, 0, what);
    }
}
