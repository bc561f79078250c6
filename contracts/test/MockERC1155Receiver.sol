// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {ERC1155Holder} from "@openzeppelin/contracts/token/ERC1155/utils/ERC1155Holder.sol";

/// @notice Test-only: a contract participant (e.g. a custody wallet) that accepts I-TECs via the receiver hook.
contract MockERC1155Receiver is ERC1155Holder {
    uint256 public received;

    function onERC1155Received(
        address operator,
        address from,
        uint256 id,
        uint256 value,
        bytes memory data
    ) public override returns (bytes4) {
        received += value;
        return super.onERC1155Received(operator, from, id, value, data);
    }
}
