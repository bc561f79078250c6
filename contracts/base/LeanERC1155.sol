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
 * @dev Every balance change — mint, burn, single or batch transfer, operator or not — passes through {_move},
 * and {_checkMove} is called for each token id before any balance changes: that is the one hook derived
 * contracts override to enforce who may hold and move what.
 */
abstract contract LeanERC1155 is Context, ERC165, IERC1155, IERC1155MetadataURI, IERC1155Errors {
    mapping(uint256 id => mapping(address account => uint256)) private _balances;
    mapping(address account => mapping(address operator => bool)) private _operatorApprovals;

    /// @inheritdoc IERC165
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
            balances[i] = _balances[ids[i]][accounts[i]];
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
        _move(operator, from, to, id, value);
        emit TransferSingle(operator, from, to, id, value);
        if (_isContractReceiver(to)) ERC1155Utils.checkOnERC1155Received(operator, from, to, id, value, data);
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
        for (uint256 i = 0; i < ids.length; ++i) {
            _move(operator, from, to, ids[i], values[i]);
        }
        emit TransferBatch(operator, from, to, ids, values);
        if (_isContractReceiver(to)) {
            ERC1155Utils.checkOnERC1155BatchReceived(operator, from, to, ids, values, data);
        }
    }

    /// @dev Creates `value` tokens of `id` for `to`; calls the receiver hook last (checks-effects-interactions).
    function _mint(address to, uint256 id, uint256 value) internal {
        if (to == address(0)) revert ERC1155InvalidReceiver(address(0));
        address operator = _msgSender();
        _move(operator, address(0), to, id, value);
        emit TransferSingle(operator, address(0), to, id, value);
        if (_isContractReceiver(to)) ERC1155Utils.checkOnERC1155Received(operator, address(0), to, id, value, "");
    }

    /// @dev Destroys `value` tokens of `id` held by `from`.
    function _burn(address from, uint256 id, uint256 value) internal {
        if (from == address(0)) revert ERC1155InvalidSender(address(0));
        address operator = _msgSender();
        _move(operator, from, address(0), id, value);
        emit TransferSingle(operator, from, address(0), id, value);
    }

    /**
     * @dev The hook: called for every token id before its balances move (`from` zero on mint, `to` zero on
     * burn). Revert to refuse the movement.
     */
    function _checkMove(address operator, address from, address to, uint256 id) internal view virtual;

    /// @dev Whether `to` must be asked through {IERC1155Receiver}. Default: it has code.
    function _isContractReceiver(address to) internal view virtual returns (bool) {
        return to.code.length > 0;
    }

    function _move(address operator, address from, address to, uint256 id, uint256 value) private {
        _checkMove(operator, from, to, id);
        if (from != address(0)) {
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
