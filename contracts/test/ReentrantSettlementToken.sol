// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/**
 * @title ReentrantSettlementToken
 * @notice Test-only malicious ERC-20 (as if an admin admitted a hostile token): a plain token whose `transferFrom`
 * first runs one armed call back into the market, recording its outcome. Never deployed outside tests.
 */
contract ReentrantSettlementToken {
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    address private _target;
    bytes private _reentry;
    bool public reentered;
    bool public reentrySucceeded;
    bytes public reentryResult;

    error Insufficient();

    function mint(address to, uint256 amount) external {
        balanceOf[to] += amount;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        return true;
    }

    /// @notice The call to run (once) from the next `transferFrom`.
    function arm(address target, bytes calldata data) external {
        _target = target;
        _reentry = data;
        reentered = false;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        if (_target != address(0) && !reentered) {
            reentered = true;
            // solhint-disable-next-line avoid-low-level-calls
            (reentrySucceeded, reentryResult) = _target.call(_reentry);
        }
        if (allowance[from][msg.sender] < amount || balanceOf[from] < amount) revert Insufficient();
        allowance[from][msg.sender] -= amount;
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
        return true;
    }
}
