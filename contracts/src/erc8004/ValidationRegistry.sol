// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IAgentValidation} from "../interfaces/IAgentValidation.sol";

/// @title ValidationRegistry — ERC-8004 validation registry (v2.0.0 interface)
/// @notice An agent's owner (or operator) asks a named validator to check some work
///         (`requestHash` commits to it, each hash once); that validator answers 0..100 and may
///         update its answer later (progressive finality). Written from the ERC text; not upgradeable.
contract ValidationRegistry is IAgentValidation {
    event ValidationRequest(
        address indexed validatorAddress, uint256 indexed agentId, string requestURI, bytes32 indexed requestHash
    );
    event ValidationResponse(
        address indexed validatorAddress,
        uint256 indexed agentId,
        bytes32 indexed requestHash,
        uint8 response,
        string responseURI,
        bytes32 responseHash,
        string tag
    );

    struct Validation {
        address validatorAddress;
        uint256 agentId;
        uint8 response;
        bytes32 responseHash;
        string tag;
        uint256 lastUpdate;
        bool hasResponse;
    }

    uint8 private constant MAX_RESPONSE = 100;

    address private immutable _identityRegistry;
    mapping(bytes32 requestHash => Validation) private _validations;
    mapping(uint256 agentId => bytes32[]) private _agentValidations;
    mapping(address validator => bytes32[]) private _validatorRequests;

    constructor(address identityRegistry_) {
        require(identityRegistry_ != address(0), "bad identity");
        _identityRegistry = identityRegistry_;
    }

    function getIdentityRegistry() external view returns (address) {
        return _identityRegistry;
    }

    function validationRequest(address validatorAddress, uint256 agentId, string calldata requestURI, bytes32 requestHash)
        external
    {
        require(validatorAddress != address(0), "bad validator");
        require(_validations[requestHash].validatorAddress == address(0), "exists");
        IERC721 identity = IERC721(_identityRegistry);
        address owner = identity.ownerOf(agentId);
        require(
            msg.sender == owner || identity.isApprovedForAll(owner, msg.sender) || identity.getApproved(agentId) == msg.sender,
            "Not authorized"
        );
        _validations[requestHash] = Validation(validatorAddress, agentId, 0, bytes32(0), "", block.timestamp, false);
        _agentValidations[agentId].push(requestHash);
        _validatorRequests[validatorAddress].push(requestHash);
        emit ValidationRequest(validatorAddress, agentId, requestURI, requestHash);
    }

    function validationResponse(
        bytes32 requestHash,
        uint8 response,
        string calldata responseURI,
        bytes32 responseHash,
        string calldata tag
    ) external {
        Validation storage v = _validations[requestHash];
        require(v.validatorAddress != address(0), "unknown");
        require(msg.sender == v.validatorAddress, "not validator");
        require(response <= MAX_RESPONSE, "resp>100");
        v.response = response;
        v.responseHash = responseHash;
        v.tag = tag;
        v.lastUpdate = block.timestamp;
        v.hasResponse = true;
        emit ValidationResponse(v.validatorAddress, v.agentId, requestHash, response, responseURI, responseHash, tag);
    }

    function getValidationStatus(bytes32 requestHash)
        external
        view
        returns (
            address validatorAddress,
            uint256 agentId,
            uint8 response,
            bytes32 responseHash,
            string memory tag,
            uint256 lastUpdate
        )
    {
        Validation storage v = _validations[requestHash];
        require(v.validatorAddress != address(0), "unknown");
        return (v.validatorAddress, v.agentId, v.response, v.responseHash, v.tag, v.lastUpdate);
    }

    /// @notice Count and floor average of the answered requests of an agent, only from
    ///         `validatorAddresses` when not empty and only with `tag` when not empty.
    function getSummary(uint256 agentId, address[] calldata validatorAddresses, string calldata tag)
        external
        view
        returns (uint64 count, uint8 avgResponse)
    {
        bytes32[] storage hashes = _agentValidations[agentId];
        bool anyTag = bytes(tag).length == 0;
        bytes32 tagHash = keccak256(bytes(tag));
        uint256 sum;
        for (uint256 i; i < hashes.length; i++) {
            Validation storage v = _validations[hashes[i]];
            if (!v.hasResponse) continue;
            if (!anyTag && keccak256(bytes(v.tag)) != tagHash) continue;
            if (validatorAddresses.length > 0 && !_contains(validatorAddresses, v.validatorAddress)) continue;
            sum += v.response;
            count++;
        }
        if (count > 0) avgResponse = uint8(sum / count);
    }

    function _contains(address[] calldata list, address who) private pure returns (bool) {
        for (uint256 i; i < list.length; i++) {
            if (list[i] == who) return true;
        }
        return false;
    }

    function getAgentValidations(uint256 agentId) external view returns (bytes32[] memory) {
        return _agentValidations[agentId];
    }

    function getValidatorRequests(address validatorAddress) external view returns (bytes32[] memory) {
        return _validatorRequests[validatorAddress];
    }

    function getVersion() external pure returns (string memory) {
        return "2.0.0";
    }
}
