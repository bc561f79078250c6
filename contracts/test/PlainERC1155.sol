// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";

/// @notice Test-only: a plain OpenZeppelin ERC-1155, the gas floor the benchmark compares transfers with.
contract PlainERC1155 is ERC1155 {
    constructor() ERC1155("") {
        _mint(msg.sender, 1, 100, "");
    }
}
