// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

/**
 * @title MarketTestWallet
 * @notice Test-only smart-contract participant for the market: makes any call (`execute`: approve, fill, …), signs
 * offers through ERC-1271 with its `OWNER` key, and when certificates arrive runs one armed call back into the market
 * (e.g. a second fill of the same offer) before accepting them, recording its outcome. Never deployed outside tests.
 */
contract MarketTestWallet is IERC1155Receiver, IERC1271 {
    address public immutable OWNER;
    address private _target;
    bytes private _reentry;
    bool public reentered;
    bool public reentrySucceeded;
    bytes public reentryResult;

    error CallFailed(bytes result);

    constructor(address owner_) {
        OWNER = owner_;
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(hash, signature);
        return err == ECDSA.RecoverError.NoError && signer == OWNER ? IERC1271.isValidSignature.selector : bytes4(0);
    }

    /// @notice Runs `data` on `target` as this contract (approve the token, fill an offer …); bubbles a revert.
    function execute(address target, bytes calldata data) external returns (bytes memory result) {
        bool ok;
        // solhint-disable-next-line avoid-low-level-calls
        (ok, result) = target.call(data);
        if (!ok) revert CallFailed(result);
    }

    /// @notice The call to run (once) from the next ERC-1155 receipt.
    function arm(address target, bytes calldata data) external {
        _target = target;
        _reentry = data;
        reentered = false;
    }

    function onERC1155Received(address, address, uint256, uint256, bytes calldata) external returns (bytes4) {
        if (_target != address(0) && !reentered) {
            reentered = true;
            // solhint-disable-next-line avoid-low-level-calls
            (reentrySucceeded, reentryResult) = _target.call(_reentry);
        }
        return IERC1155Receiver.onERC1155Received.selector;
    }

    function onERC1155BatchReceived(
        address,
        address,
        uint256[] calldata,
        uint256[] calldata,
        bytes calldata
    ) external pure returns (bytes4) {
        return IERC1155Receiver.onERC1155BatchReceived.selector;
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IERC1155Receiver).interfaceId || interfaceId == type(IERC165).interfaceId;
    }
}
