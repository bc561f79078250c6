// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";

/**
 * @title MockBoundERC1271Wallet
 * @notice Test-only smart-contract wallet that, like Safe, binds what its owner signs to the wallet: a signature
 * is valid when its single `owner` key signed (EIP-191 personal message) `keccak256(abi.encode(wallet, hash))`.
 * The same key thus makes a different signature for the wallet than for itself, so no check that compares
 * recovered keys can see that both come from one key — only counting auditing bodies, not addresses, can
 * (audit finding 1). Never deployed outside tests.
 */
contract MockBoundERC1271Wallet is IERC1271 {
    address public immutable OWNER;

    constructor(address owner_) {
        OWNER = owner_;
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        bytes32 bound = MessageHashUtils.toEthSignedMessageHash(keccak256(abi.encode(address(this), hash)));
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(bound, signature);
        return err == ECDSA.RecoverError.NoError && signer == OWNER ? IERC1271.isValidSignature.selector : bytes4(0);
    }
}
