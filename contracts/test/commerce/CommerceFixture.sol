// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {DevToken} from "../../src/DevToken.sol";
import {AgenticCommerce} from "../../src/commerce/AgenticCommerce.sol";
import {HermitJobHook} from "../../src/commerce/hooks/HermitJobHook.sol";
import {IAgentIdentity} from "../../src/interfaces/IAgentIdentity.sol";
import {IAgentReputation} from "../../src/interfaces/IAgentReputation.sol";
import {IAgentValidation} from "../../src/interfaces/IAgentValidation.sol";
import {IdentityRegistry} from "../../src/erc8004/IdentityRegistry.sol";
import {ReputationRegistry} from "../../src/erc8004/ReputationRegistry.sol";
import {ValidationRegistry} from "../../src/erc8004/ValidationRegistry.sol";

abstract contract CommerceFixture is Test {
    uint256 internal constant HOOK_GAS = 1_500_000;
    uint256 internal constant BOND_BPS = 5_000; // half the budget
    uint64 internal constant REVIEW = 1 hours;

    DevToken internal token;
    AgenticCommerce internal acp;
    IdentityRegistry internal identity;
    ReputationRegistry internal reputation;
    ValidationRegistry internal validation;
    HermitJobHook internal hook;

    address internal client = makeAddr("client");
    address internal provider = makeAddr("provider");
    address internal evaluator = makeAddr("evaluator");
    address internal stranger = makeAddr("stranger");
    uint256 internal agentId;

    function setUp() public virtual {
        token = new DevToken("Dev USD", "dUSD", 6, type(uint256).max);
        acp = new AgenticCommerce(IERC20(address(token)), HOOK_GAS);
        identity = new IdentityRegistry();
        reputation = new ReputationRegistry(address(identity));
        validation = new ValidationRegistry(address(identity));
        hook = new HermitJobHook(
            acp, BOND_BPS, REVIEW, IAgentIdentity(address(identity)), IAgentReputation(address(reputation)), IAgentValidation(address(validation))
        );
        vm.prank(provider);
        agentId = identity.register("data:application/json,{}");
        for (uint256 k = 0; k < 3; k++) {
            address who = [client, provider, stranger][k];
            token.mint(who, 1_000_000e6);
            vm.startPrank(who);
            token.approve(address(acp), type(uint256).max);
            token.approve(address(hook), type(uint256).max);
            vm.stopPrank();
        }
    }

    function _create(address hook_) internal returns (uint256 jobId) {
        vm.prank(client);
        jobId = acp.createJob(provider, evaluator, block.timestamp + 1 days, "summarize this", hook_);
    }

    function _funded(address hook_, uint256 budget) internal returns (uint256 jobId) {
        jobId = _create(hook_);
        vm.prank(client);
        acp.setBudget(jobId, budget, "");
        if (hook_ == address(hook)) {
            vm.prank(provider);
            hook.acceptJob(jobId, budget, 0, agentId);
        }
        vm.startPrank(client);
        acp.fund(jobId, budget, "");
        vm.stopPrank();
    }

    function _submitted(address hook_, uint256 budget) internal returns (uint256 jobId) {
        jobId = _funded(hook_, budget);
        vm.prank(provider);
        acp.submit(jobId, keccak256("the summary"), "");
    }

    function _status(uint256 jobId) internal view returns (AgenticCommerce.Status) {
        return acp.getJob(jobId).status;
    }
}
