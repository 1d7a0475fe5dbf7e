// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice What the job hook writes to an ERC-8004 reputation registry: one feedback per settled job.
///         Implemented by ReputationRegistry, so a signature drift between the two fails to compile.
interface IAgentReputation {
    function giveFeedback(
        uint256 agentId,
        int128 value,
        uint8 valueDecimals,
        string calldata tag1,
        string calldata tag2,
        string calldata endpoint,
        string calldata feedbackURI,
        bytes32 feedbackHash
    ) external;
}
