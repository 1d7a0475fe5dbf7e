// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

interface IUniswapV2Router02Like {
    function swapExactTokensForTokens(uint256 amountIn, uint256 amountOutMin, address[] calldata path, address to, uint256 deadline)
        external
        returns (uint256[] memory amounts);
}

/// @notice TEST BED ONLY. A router whose own calldata Hermit cannot read the minimum-out of, the way
///         it cannot read a Universal Router V4 swap: `execute(commands, inputs, deadline)` with
///         Universal Router's signature and a command byte (0x10, V4_SWAP) whose input is opaque to
///         the verifier. It swaps through the real Uniswap V2 Router02 it is given.
contract OpaqueSwapRouter {
    IUniswapV2Router02Like public immutable router02;

    constructor(IUniswapV2Router02Like router02_) {
        router02 = router02_;
    }

    /// @param inputs one entry: abi.encode(tokenIn, tokenOut, amountIn, amountOutMin, recipient)
    function execute(bytes calldata, bytes[] calldata inputs, uint256 deadline) external payable {
        (address tokenIn, address tokenOut, uint256 amountIn, uint256 amountOutMin, address recipient) =
            abi.decode(inputs[0], (address, address, uint256, uint256, address));
        require(IERC20(tokenIn).transferFrom(msg.sender, address(this), amountIn), "pull failed");
        require(IERC20(tokenIn).approve(address(router02), amountIn), "approve failed");
        address[] memory path = new address[](2);
        (path[0], path[1]) = (tokenIn, tokenOut);
        router02.swapExactTokensForTokens(amountIn, amountOutMin, path, recipient, deadline);
    }
}
