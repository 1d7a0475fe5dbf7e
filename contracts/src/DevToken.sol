// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title DevToken
/// @notice An ERC-20 with EIP-2612 permits and an open faucet, for local devnets only: anyone may
///         mint. Hermit's devnet deploys it as a stand-in stablecoin for escrow, payments and the
///         transaction-checking scenarios. Never deploy it where its tokens could be mistaken for money.
contract DevToken is ERC20, ERC20Permit {
    uint8 private immutable _decimals;

    /// @notice The largest amount one faucet call may mint, in base units.
    uint256 public immutable faucetLimit;

    error FaucetLimitExceeded(uint256 requested, uint256 limit);

    constructor(string memory name_, string memory symbol_, uint8 decimals_, uint256 faucetLimit_)
        ERC20(name_, symbol_)
        ERC20Permit(name_)
    {
        _decimals = decimals_;
        faucetLimit = faucetLimit_;
    }

    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// @notice Mints `amount` to `to`; anyone may call, up to `faucetLimit` a call.
    function mint(address to, uint256 amount) external {
        if (amount > faucetLimit) revert FaucetLimitExceeded(amount, faucetLimit);
        _mint(to, amount);
    }
}
