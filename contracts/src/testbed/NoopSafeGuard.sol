// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Safe 1.4.1's transaction guard interface (GuardManager.sol); Enum.Operation is a uint8 in the ABI.
interface ISafeGuard {
    function checkTransaction(
        address to,
        uint256 value,
        bytes memory data,
        uint8 operation,
        uint256 safeTxGas,
        uint256 baseGas,
        uint256 gasPrice,
        address gasToken,
        address payable refundReceiver,
        bytes memory signatures,
        address msgSender
    ) external;

    function checkAfterExecution(bytes32 txHash, bool success) external;
}

/// @notice TEST BED ONLY. A Safe guard that allows everything: Safe 1.4.1's setGuard accepts only a
/// contract that says (ERC-165) it is a guard, so a test of a wanted setGuard needs a real one.
contract NoopSafeGuard is ISafeGuard {
    function checkTransaction(
        address,
        uint256,
        bytes memory,
        uint8,
        uint256,
        uint256,
        uint256,
        address,
        address payable,
        bytes memory,
        address
    ) external pure {}

    function checkAfterExecution(bytes32, bool) external pure {}

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(ISafeGuard).interfaceId || interfaceId == 0x01ffc9a7;
    }
}
