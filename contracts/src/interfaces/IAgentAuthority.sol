// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice What the reputation registry asks an ERC-8004 identity registry to refuse self-feedback.
///         Implemented by IdentityRegistry, so a signature drift between the two fails to compile.
interface IAgentAuthority {
    /// @notice True for the agent's owner, an operator of the owner, or the token's approved address;
    ///         reverts for an unknown agent.
    function isAuthorizedOrOwner(address spender, uint256 agentId) external view returns (bool);
}
