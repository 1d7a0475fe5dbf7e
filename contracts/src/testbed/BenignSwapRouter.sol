// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice TEST BED ONLY. A fixed-price swap router with Uniswap V2's function signatures, so the
///         transaction verifier decodes it as a router. It sells `path[1]` from its own inventory.
contract BenignSwapRouter {
    /// @notice units of path[1] paid per unit of path[0], scaled by 1e18
    mapping(address tokenIn => mapping(address tokenOut => uint256)) public rate;
    /// @notice units of token paid per wei, scaled by 1e18
    mapping(address tokenOut => uint256) public ethRate;

    error Expired();
    error InsufficientOutput(uint256 out, uint256 min);

    function setRate(address tokenIn, address tokenOut, uint256 rate_) external {
        rate[tokenIn][tokenOut] = rate_;
    }

    function setEthRate(address tokenOut, uint256 rate_) external {
        ethRate[tokenOut] = rate_;
    }

    function swapExactTokensForTokens(uint256 amountIn, uint256 amountOutMin, address[] calldata path, address to, uint256 deadline)
        external
        returns (uint256[] memory amounts)
    {
        if (block.timestamp > deadline) revert Expired();
        uint256 out = amountIn * rate[path[0]][path[1]] / 1e18;
        if (out < amountOutMin) revert InsufficientOutput(out, amountOutMin);
        require(IERC20(path[0]).transferFrom(msg.sender, address(this), amountIn), "pull failed");
        require(IERC20(path[1]).transfer(to, out), "pay failed");
        amounts = new uint256[](2);
        (amounts[0], amounts[1]) = (amountIn, out);
    }

    function swapExactETHForTokens(uint256 amountOutMin, address[] calldata path, address to, uint256 deadline)
        external
        payable
        returns (uint256[] memory amounts)
    {
        if (block.timestamp > deadline) revert Expired();
        uint256 out = msg.value * ethRate[path[1]] / 1e18;
        if (out < amountOutMin) revert InsufficientOutput(out, amountOutMin);
        require(IERC20(path[1]).transfer(to, out), "pay failed");
        amounts = new uint256[](2);
        (amounts[0], amounts[1]) = (msg.value, out);
    }
}
