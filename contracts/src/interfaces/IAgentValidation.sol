// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice What the job hook uses of an ERC-8004 validation registry: it reads the provider's request
///         and answers it with the evaluator's decision. Implemented by ValidationRegistry, so a
///         signature drift between the two fails to compile.
interface IAgentValidation {
    function validationResponse(bytes32 requestHash, uint8 response, string calldata responseURI, bytes32 responseHash, string calldata tag)
        external;
    function getValidationStatus(bytes32 requestHash)
        external
        view
        returns (address validatorAddress, uint256 agentId, uint8 response, bytes32 responseHash, string memory tag, uint256 lastUpdate);
}
