// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IERC1155Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {IERC1155MetadataURI} from "@openzeppelin/contracts/token/ERC1155/extensions/IERC1155MetadataURI.sol";
import {ERC1155Utils} from "@openzeppelin/contracts/token/ERC1155/utils/ERC1155Utils.sol";
import {Context} from "@openzeppelin/contracts/utils/Context.sol";
import {ERC165, IERC165} from "@openzeppelin/contracts/utils/introspection/ERC165.sol";

/**
 * @title LeanERC1155
 * @notice ERC-1155 core with OpenZeppelin's interfaces, errors, events and receiver checks (ERC1155Utils), but
 * without building memory arrays for single-token operations. Single transfers, mints and burns are the
 * registry's hot paths, and the benchmark counts every gas unit they spend above their storage writes (see
 * docs/adr/0002-gas-layout.md).
 * @dev Every operation — mint, burn, single or batch transfer (even an empty one), operator or not — calls
 * {_checkParties} once, and every token id that leaves an account passes {_checkToken} before any balance
 * changes: those are the hooks derived contracts override to enforce who may hold and move what. A receiver is
 * asked through {IERC1155Receiver} whenever it has code at the time of the transfer (ERC1155Utils checks it).
 */
abstract contract LeanERC1155 is Context, ERC165, IERC1155, IERC1155Errors {
    mapping(uint256 id => mapping(address account => uint256)) private _balances;
    mapping(address account => mapping(address operator => bool)) private _operatorApprovals;

    /**
     * @inheritdoc IERC165
     * @dev Declares {IERC1155MetadataURI}: the derived contract serves `uri` (the registry through its extension).
     */
    function supportsInterface(bytes4 interfaceId) public view virtual override(ERC165, IERC165) returns (bool) {
        return
            interfaceId == type(IERC1155).interfaceId ||
            interfaceId == type(IERC1155MetadataURI).interfaceId ||
            super.supportsInterface(interfaceId);
    }

    /// @inheritdoc IERC1155
    function balanceOf(address account, uint256 id) public view virtual returns (uint256) {
        return _balances[id][account];
    }

    /// @inheritdoc IERC1155
    function balanceOfBatch(
        address[] calldata accounts,
        uint256[] calldata ids
    ) public view virtual returns (uint256[] memory balances) {
        if (accounts.length != ids.length) revert ERC1155InvalidArrayLength(ids.length, accounts.length);
        balances = new uint256[](accounts.length);
        for (uint256 i = 0; i < accounts.length; ++i) {
            balances[i] = balanceOf(accounts[i], ids[i]);
        }
    }

    /// @inheritdoc IERC1155
    function setApprovalForAll(address operator, bool approved) public virtual {
        address owner = _msgSender();
        if (operator == address(0)) revert ERC1155InvalidOperator(address(0));
        _operatorApprovals[owner][operator] = approved;
        emit ApprovalForAll(owner, operator, approved);
    }

    /// @inheritdoc IERC1155
    function isApprovedForAll(address account, address operator) public view virtual returns (bool) {
        return _operatorApprovals[account][operator];
    }

    /// @inheritdoc IERC1155
    function safeTransferFrom(address from, address to, uint256 id, uint256 value, bytes calldata data) public virtual {
        address operator = _msgSender();
        if (from != operator && !_operatorApprovals[from][operator]) {
            revert ERC1155MissingApprovalForAll(operator, from);
        }
        if (to == address(0)) revert ERC1155InvalidReceiver(address(0));
        if (from == address(0)) revert ERC1155InvalidSender(address(0));
        _checkParties(operator, from, to);
        _move(from, to, id, value);
        emit TransferSingle(operator, from, to, id, value);
        ERC1155Utils.checkOnERC1155Received(operator, from, to, id, value, data);
    }

    /// @inheritdoc IERC1155
    function safeBatchTransferFrom(
        address from,
        address to,
        uint256[] calldata ids,
        uint256[] calldata values,
        bytes calldata data
    ) public virtual {
        address operator = _msgSender();
        if (from != operator && !_operatorApprovals[from][operator]) {
            revert ERC1155MissingApprovalForAll(operator, from);
        }
        if (to == address(0)) revert ERC1155InvalidReceiver(address(0));
        if (from == address(0)) revert ERC1155InvalidSender(address(0));
        if (ids.length != values.length) revert ERC1155InvalidArrayLength(ids.length, values.length);
        // Once, before the loop: an empty batch transfer is still a transfer between these parties.
        _checkParties(operator, from, to);
        for (uint256 i = 0; i < ids.length; ++i) {
            _move(from, to, ids[i], values[i]);
        }
        emit TransferBatch(operator, from, to, ids, values);
        ERC1155Utils.checkOnERC1155BatchReceived(operator, from, to, ids, values, data);
    }

    /// @dev Creates `value` tokens of `id` for `to`; calls the receiver hook last (checks-effects-interactions).
    function _mint(address to, uint256 id, uint256 value) internal {
        if (to == address(0)) revert ERC1155InvalidReceiver(address(0));
        address operator = _msgSender();
        _checkParties(operator, address(0), to);
        _move(address(0), to, id, value);
        emit TransferSingle(operator, address(0), to, id, value);
        ERC1155Utils.checkOnERC1155Received(operator, address(0), to, id, value, "");
    }

    /// @dev Destroys `value` tokens of `id` held by `from`.
    function _burn(address from, uint256 id, uint256 value) internal {
        if (from == address(0)) revert ERC1155InvalidSender(address(0));
        address operator = _msgSender();
        _checkParties(operator, from, address(0));
        _move(from, address(0), id, value);
        emit TransferSingle(operator, from, address(0), id, value);
    }

    /**
     * @dev Hook called once per operation, before any balance moves (`from` zero on mint, `to` zero on burn):
     * revert to refuse the parties.
     */
    function _checkParties(address operator, address from, address to) internal view virtual;

    /// @dev Hook called for every token id that leaves `from` (transfers and burns): revert to refuse the id.
    function _checkToken(uint256 id) internal view virtual;

    function _move(address from, address to, uint256 id, uint256 value) private {
        if (from != address(0)) {
            _checkToken(id);
            uint256 fromBalance = _balances[id][from];
            if (fromBalance < value) revert ERC1155InsufficientBalance(from, fromBalance, value, id);
            // Cannot underflow: checked just above.
            unchecked {
                _balances[id][from] = fromBalance - value;
            }
        }
        if (to != address(0)) {
            // Overflow reverts. Registry balances are bounded by a batch's uint32 size anyway.
            _balances[id][to] += value;
        }
    }
}
