// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @dev A "registry" that says every account holds every role: the attack on ExternalDeviceSets' admin check.
contract MockOpenAccessControl {
    function hasRole(bytes32, address) external pure returns (bool) {
        return true;
    }
}
