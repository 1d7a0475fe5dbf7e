// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IACPHook} from "../../interfaces/IACPHook.sol";
import {AgenticCommerce} from "../AgenticCommerce.sol";

/// @notice Routes ERC-8183 hook calls to named virtual functions, decoding `data` as the ERC
///         encodes it; only the escrow it was built for may call it. Override what you need.
abstract contract ACPHookBase is IACPHook {
    AgenticCommerce public immutable acp;

    error OnlyACP();

    constructor(AgenticCommerce acp_) {
        acp = acp_;
    }

    modifier onlyACP() {
        if (msg.sender != address(acp)) revert OnlyACP();
        _;
    }

    function beforeAction(uint256 jobId, bytes4 selector, bytes calldata data) external onlyACP {
        if (selector == AgenticCommerce.fund.selector) _beforeFund(jobId, data);
    }

    function afterAction(uint256 jobId, bytes4 selector, bytes calldata data) external onlyACP {
        if (selector == AgenticCommerce.fund.selector) {
            _afterFund(jobId, data);
        } else if (selector == AgenticCommerce.submit.selector) {
            (bytes32 deliverable, bytes memory opt) = abi.decode(data, (bytes32, bytes));
            _afterSubmit(jobId, deliverable, opt);
        } else if (selector == AgenticCommerce.complete.selector) {
            (bytes32 reason, bytes memory opt) = abi.decode(data, (bytes32, bytes));
            _afterSettle(jobId, true, reason, opt);
        } else if (selector == AgenticCommerce.reject.selector) {
            (bytes32 reason, bytes memory opt) = abi.decode(data, (bytes32, bytes));
            _afterSettle(jobId, false, reason, opt);
        }
    }

    /// @dev The job without its description (which could be long enough to eat the hook's gas).
    function _job(uint256 jobId) internal view returns (AgenticCommerce.Terms memory) {
        return acp.getTerms(jobId);
    }

    function _beforeFund(uint256 jobId, bytes calldata optParams) internal virtual {}
    function _afterFund(uint256 jobId, bytes calldata optParams) internal virtual {}
    function _afterSubmit(uint256 jobId, bytes32 deliverable, bytes memory optParams) internal virtual {}
    /// @dev complete (`completed`) or reject, by the evaluator — or by the client while Open.
    function _afterSettle(uint256 jobId, bool completed, bytes32 reason, bytes memory optParams) internal virtual {}
}
