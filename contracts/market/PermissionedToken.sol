// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

/**
 * @title PermissionedToken — TEST settlement token, no value
 * @notice A permissioned ERC-20 standing in for the tokenised deposit or stablecoin an operator would choose for
 * {ITECMarket} settlement: only its admin mints, and tokens move only between accounts the admin admitted (the
 * registry's participants). For tests and demonstrations; it represents no money.
 * @dev Each account's balance and admission share one slot, so a permissioned transfer reads no more storage than a
 * plain ERC-20's. An allowance of `type(uint256).max` is never decreased.
 */
contract PermissionedToken is IERC20Metadata, IERC20Errors {
    struct Account {
        uint128 balance;
        bool admitted;
    }

    /// @notice `account` was admitted (`admitted` true) or removed by the admin.
    event AdmissionChanged(address indexed account, bool admitted);
    /// @notice The admin handed its role to `admin`.
    event AdminChanged(address indexed previousAdmin, address indexed admin);

    /// @notice Only the admin may do this.
    error TokenUnauthorized(address caller);
    /// @notice `account` is not admitted to hold or send this token.
    error TokenAccountNotAdmitted(address account);

    string private _name;
    string private _symbol;
    uint8 private immutable _DECIMALS;
    address public admin;
    uint256 public totalSupply;
    mapping(address account => Account) private _accounts;
    mapping(address owner => mapping(address spender => uint256)) public allowance;

    constructor(string memory name_, string memory symbol_, uint8 decimals_, address admin_) {
        _name = name_;
        _symbol = symbol_;
        _DECIMALS = decimals_;
        admin = admin_;
        emit AdminChanged(address(0), admin_);
    }

    modifier onlyAdmin() {
        if (msg.sender != admin) revert TokenUnauthorized(msg.sender);
        _;
    }

    /// @notice Admits `account` (`true`) to hold and send the token, or removes it (its balance then cannot move).
    function setAdmitted(address account, bool admitted_) external onlyAdmin {
        _accounts[account].admitted = admitted_;
        emit AdmissionChanged(account, admitted_);
    }

    /// @notice Creates `amount` for admitted `to`.
    function mint(address to, uint256 amount) external onlyAdmin {
        Account storage a = _accounts[to];
        if (!a.admitted) revert TokenAccountNotAdmitted(to);
        uint256 supply = totalSupply + amount;
        if (supply > type(uint128).max) revert ERC20InvalidReceiver(to);
        totalSupply = supply;
        unchecked {
            a.balance += uint128(amount); // cannot overflow: no balance exceeds the total supply
        }
        emit Transfer(address(0), to, amount);
    }

    /// @notice Hands the admin role to `admin_`.
    function setAdmin(address admin_) external onlyAdmin {
        emit AdminChanged(admin, admin_);
        admin = admin_;
    }

    /// @notice Whether `account` may hold and send the token.
    function admitted(address account) external view returns (bool) {
        return _accounts[account].admitted;
    }

    function name() external view returns (string memory) {
        return _name;
    }

    function symbol() external view returns (string memory) {
        return _symbol;
    }

    function decimals() external view returns (uint8) {
        return _DECIMALS;
    }

    function balanceOf(address account) external view returns (uint256) {
        return _accounts[account].balance;
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    function approve(address spender, uint256 value) external returns (bool) {
        if (spender == address(0)) revert ERC20InvalidSpender(address(0));
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            if (allowed < value) revert ERC20InsufficientAllowance(msg.sender, allowed, value);
            unchecked {
                allowance[from][msg.sender] = allowed - value;
            }
        }
        _transfer(from, to, value);
        return true;
    }

    function _transfer(address from, address to, uint256 value) private {
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        Account storage f = _accounts[from];
        Account storage t = _accounts[to];
        if (!f.admitted) revert TokenAccountNotAdmitted(from);
        if (!t.admitted) revert TokenAccountNotAdmitted(to);
        uint256 balance = f.balance;
        if (balance < value) revert ERC20InsufficientBalance(from, balance, value);
        unchecked {
            f.balance = uint128(balance - value);
            t.balance += uint128(value); // cannot overflow: the total supply fits in uint128
        }
        emit Transfer(from, to, value);
    }
}
