// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Errors the escrow and its hooks share: declared once, so each name has one meaning.

/// @notice A token transfer in delivered less than asked (a fee-on-transfer or otherwise
///         non-standard token): refused, because the accounting counts what arrived. Raised for
///         the escrow's budget (AgenticCommerce.fund) and the job hook's bond (HermitJobHook).
error ShortTransfer(uint256 received, uint256 expected);
