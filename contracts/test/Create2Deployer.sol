// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {Create2} from "@openzeppelin/contracts/utils/Create2.sol";

/**
 * @title Create2Deployer
 * @notice Test-only: deploys contracts at addresses known in advance (CREATE2), as counterfactual smart wallets
 * are. An address can be admitted as a participant while it has no code and receive code later — what the
 * audit's finding 4 (a cached "has code" flag) needed. Never deployed outside tests.
 */
contract Create2Deployer {
    /// @notice A contract was deployed at `deployed` with `salt`.
    event Deployed(address indexed deployed, bytes32 salt);

    /// @notice Deploys `initCode` with `salt`; the address is {addressOf}(salt, keccak256(initCode)).
    function deploy(bytes32 salt, bytes calldata initCode) external returns (address deployed) {
        deployed = Create2.deploy(0, salt, initCode);
        emit Deployed(deployed, salt);
    }

    /// @notice The address {deploy} will use for `salt` and init code hash `initCodeHash`.
    function addressOf(bytes32 salt, bytes32 initCodeHash) external view returns (address) {
        return Create2.computeAddress(salt, initCodeHash);
    }
}
