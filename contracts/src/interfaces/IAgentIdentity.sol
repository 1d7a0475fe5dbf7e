// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice What the job hook reads from an ERC-8004 identity registry: who controls an agent.
///         Implemented by IdentityRegistry, so a signature drift between the two fails to compile.
interface IAgentIdentity {
    /// @notice The agent's owner (its ERC-721 owner); reverts for an unknown agent.
    function ownerOf(uint256 agentId) external view returns (address);
    /// @notice The wallet the agent is paid at (the reserved `agentWallet` metadata), or address(0).
    function getAgentWallet(uint256 agentId) external view returns (address);
}
