// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice ERC-8183 hook: called around every hookable core function (all but claimRefund).
///         `selector` names the core function, `data` carries its arguments as the ERC encodes them.
interface IACPHook {
    function beforeAction(uint256 jobId, bytes4 selector, bytes calldata data) external;
    function afterAction(uint256 jobId, bytes4 selector, bytes calldata data) external;
}
