// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Vm} from "forge-std/Vm.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";
import {AgenticCommerce} from "../../src/commerce/AgenticCommerce.sol";
import {ACPHookBase} from "../../src/commerce/hooks/ACPHookBase.sol";
import {HermitJobHook} from "../../src/commerce/hooks/HermitJobHook.sol";
import {IAgentIdentity} from "../../src/interfaces/IAgentIdentity.sol";
import {IAgentReputation} from "../../src/interfaces/IAgentReputation.sol";
import {IAgentValidation} from "../../src/interfaces/IAgentValidation.sol";
import {JobFeedbackFile} from "../../src/commerce/hooks/JobFeedbackFile.sol";
import {CommerceFixture} from "./CommerceFixture.sol";

contract HermitJobHookTest is CommerceFixture {
    function _lastFeedback() internal view returns (int128 value, uint8 decimals, string memory tag1, string memory tag2) {
        uint64 index = reputation.getLastIndex(agentId, address(hook));
        bool revoked;
        (value, decimals, tag1, tag2, revoked) = reputation.readFeedback(agentId, address(hook), index);
        assertFalse(revoked);
    }

    function test_CompletionReturnsTheBondAndWritesPaidFeedback() public {
        uint256 p0 = token.balanceOf(provider);
        uint256 jobId = _funded(address(hook), 100e6);
        assertEq(token.balanceOf(address(hook)), 50e6);
        assertEq(p0 - token.balanceOf(provider), 50e6);
        vm.prank(provider);
        acp.submit(jobId, keccak256("the summary"), "");
        vm.prank(evaluator);
        acp.complete(jobId, keccak256("checked"), abi.encode(int128(87), uint8(0)));
        assertEq(token.balanceOf(provider) - p0, 100e6); // paid, bond back
        assertEq(token.balanceOf(address(hook)), 0);
        (int128 value, uint8 decimals, string memory tag1, string memory tag2) = _lastFeedback();
        assertEq(value, 87);
        assertEq(decimals, 0);
        assertEq(tag1, "job");
        assertEq(tag2, "completed");
        address[] memory clients = reputation.getClients(agentId);
        assertEq(clients.length, 1);
        assertEq(clients[0], address(hook)); // the hook is the author: only paid jobs count
    }

    function test_TheFeedbackFileIsOnChainAndMatchesItsHash() public {
        vm.warp(1_764_583_200); // 2025-12-01T10:00:00Z
        uint256 jobId = _submitted(address(hook), 42e6);
        (string memory uri, bytes32 hash) = JobFeedbackFile.build(
            JobFeedbackFile.Fields({
                identityRegistry: address(identity),
                agentId: agentId,
                author: address(hook),
                value: 100,
                valueDecimals: 0,
                completed: true,
                escrow: address(acp),
                jobId: jobId,
                client: client,
                evaluator: evaluator,
                budget: 42e6,
                token: address(token),
                deliverable: keccak256("the summary"),
                reason: bytes32(0)
            })
        );
        vm.recordLogs();
        vm.prank(evaluator);
        acp.complete(jobId, bytes32(0), "");
        // the registry announced exactly this file and hash, from the hook as author
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bytes32 topic = keccak256("NewFeedback(uint256,address,uint64,int128,uint8,string,string,string,string,string,bytes32)");
        uint256 found;
        for (uint256 k = 0; k < logs.length; k++) {
            if (logs[k].emitter != address(reputation) || logs[k].topics[0] != topic) continue;
            found++;
            assertEq(logs[k].topics[2], bytes32(uint256(uint160(address(hook)))));
            (,,,,,, string memory feedbackURI, bytes32 feedbackHash) =
                abi.decode(logs[k].data, (uint64, int128, uint8, string, string, string, string, bytes32));
            assertEq(feedbackURI, uri);
            assertEq(feedbackHash, hash);
        }
        assertEq(found, 1);
        string memory chain = "eip155:31337:";
        string memory json = string.concat(
            string.concat('{"agentRegistry":"', chain, _hex(address(identity)), '","agentId":', vm.toString(agentId)),
            string.concat(',"clientAddress":"', chain, _hex(address(hook)), '","createdAt":"2025-12-01T10:00:00Z","value":100,"valueDecimals":0'),
            string.concat(',"tag1":"job","tag2":"completed","job":{"escrow":"', chain, _hex(address(acp)), '","jobId":"', vm.toString(jobId)),
            string.concat('","client":"', _hex(client), '","evaluator":"', _hex(evaluator), '","budget":"42000000","token":"', _hex(address(token))),
            string.concat('","deliverable":"', vm.toString(keccak256("the summary")), '","reason":"', vm.toString(bytes32(0)), '"}}')
        );
        assertEq(uri, string.concat("data:application/json;base64,", Base64.encode(bytes(json))));
        assertEq(hash, keccak256(bytes(json)));
    }

    function _hex(address a) private pure returns (string memory) {
        return vm.toLowercase(vm.toString(a));
    }

    function test_RejectionPaysTheBondToTheClientAndWritesNegativeFeedback() public {
        uint256 c0 = token.balanceOf(client);
        uint256 jobId = _submitted(address(hook), 100e6);
        vm.prank(evaluator);
        acp.reject(jobId, keccak256("garbage"), "");
        assertEq(token.balanceOf(client) - c0, 50e6); // budget back and the provider's bond on top
        assertEq(token.balanceOf(address(hook)), 0);
        (int128 value,,, string memory tag2) = _lastFeedback();
        assertEq(value, 0);
        assertEq(tag2, "rejected");
    }

    function test_AnEvaluatorRejectionBeforeSubmissionAlsoSlashesTheBond() public {
        uint256 c0 = token.balanceOf(client);
        uint256 jobId = _funded(address(hook), 10e6);
        vm.prank(evaluator);
        acp.reject(jobId, bytes32(0), "");
        assertEq(token.balanceOf(client) - c0, 5e6);
    }

    function test_AClientCancellingAnOpenJobWritesNoFeedback() public {
        uint256 jobId = _create(address(hook));
        vm.prank(client);
        acp.reject(jobId, bytes32(0), "");
        assertEq(reputation.getClients(agentId).length, 0);
    }

    function test_ExpiryWithoutDeliveryPaysTheBondToTheClient() public {
        uint256 c0 = token.balanceOf(client);
        uint256 jobId = _funded(address(hook), 10e6);
        vm.expectRevert(abi.encodeWithSelector(HermitJobHook.JobNotExpired.selector, jobId));
        hook.settleExpired(jobId);
        vm.warp(block.timestamp + 1 days);
        acp.claimRefund(jobId);
        vm.prank(stranger);
        hook.settleExpired(jobId);
        assertEq(token.balanceOf(client) - c0, 5e6);
        vm.expectRevert(abi.encodeWithSelector(HermitJobHook.NothingToSettle.selector, jobId));
        hook.settleExpired(jobId);
    }

    function test_ExpiryAfterDeliveryReturnsTheBondToTheProvider() public {
        uint256 p0 = token.balanceOf(provider);
        uint256 jobId = _submitted(address(hook), 10e6);
        vm.warp(block.timestamp + 1 days);
        acp.claimRefund(jobId); // the evaluator never answered: not the provider's fault
        hook.settleExpired(jobId);
        assertEq(token.balanceOf(provider), p0);
    }

    function test_ADeliveryTooLateToBeReviewedLosesTheBondAtExpiry() public {
        uint256 c0 = token.balanceOf(client);
        uint256 jobId = _funded(address(hook), 10e6);
        vm.warp(block.timestamp + 1 days - REVIEW + 1); // less than the review window left
        vm.prank(provider);
        acp.submit(jobId, keccak256("junk"), "");
        vm.warp(block.timestamp + REVIEW);
        acp.claimRefund(jobId);
        hook.settleExpired(jobId);
        assertEq(token.balanceOf(client) - c0, 5e6);
    }

    /// Delivers `offset` seconds after the last moment that leaves the evaluator its review window,
    /// lets the job expire unanswered, and settles the bond: true when it went back to the provider.
    function _bondReturnedAfterDeliveryAt(int256 offset) internal returns (bool) {
        uint256 jobId = _funded(address(hook), 10e6);
        uint256 expiredAt = acp.getJob(jobId).expiredAt;
        vm.warp(uint256(int256(expiredAt - REVIEW) + offset));
        vm.prank(provider);
        acp.submit(jobId, keccak256("the summary"), "");
        vm.warp(expiredAt);
        acp.claimRefund(jobId);
        uint256 c0 = token.balanceOf(client);
        uint256 p0 = token.balanceOf(provider);
        hook.settleExpired(jobId);
        uint256 toClient = token.balanceOf(client) - c0;
        uint256 toProvider = token.balanceOf(provider) - p0;
        assertEq(toClient + toProvider, 5e6, "the whole bond, to one party");
        assertTrue(toClient == 0 || toProvider == 0);
        return toProvider != 0;
    }

    /// The review window is inclusive to the second: delivered exactly `reviewSeconds` before the
    /// expiry keeps the bond, one second later loses it.
    function test_TheReviewWindowEdgeIsExactToTheSecond() public {
        assertTrue(_bondReturnedAfterDeliveryAt(-1), "a second before the edge: in time");
        assertTrue(_bondReturnedAfterDeliveryAt(0), "on the edge: in time");
        assertFalse(_bondReturnedAfterDeliveryAt(1), "a second after the edge: too late");
    }

    /// Anywhere in the job's life (often near the edge): the bond at expiry follows the review window.
    function testFuzz_TheBondAtExpiryFollowsTheReviewWindow(int256 offset, bool nearTheEdge) public {
        offset = nearTheEdge ? bound(offset, -3, 3) : bound(offset, -int256(uint256(1 days - REVIEW)), int256(uint256(REVIEW)) - 1);
        assertEq(_bondReturnedAfterDeliveryAt(offset), offset <= 0);
    }

    function test_NoSubmissionAfterTheExpiry() public {
        uint256 jobId = _funded(address(hook), 10e6);
        vm.warp(block.timestamp + 1 days);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(AgenticCommerce.PastExpiry.selector, uint64(block.timestamp)));
        acp.submit(jobId, keccak256("late"), "");
    }

    function test_ALongDescriptionCannotStarveTheHook() public {
        // 24 KB of description: the hook reads the job without it, so settling costs the same
        vm.prank(client);
        uint256 jobId = acp.createJob(provider, evaluator, block.timestamp + 1 days, string(new bytes(24_000)), address(hook));
        vm.prank(client);
        acp.setBudget(jobId, 10e6, "");
        vm.prank(provider);
        hook.acceptJob(jobId, 10e6, 0, agentId);
        vm.prank(client);
        acp.fund(jobId, 10e6, "");
        vm.prank(provider);
        acp.submit(jobId, keccak256("ok"), "");
        vm.prank(evaluator);
        acp.complete(jobId, bytes32(0), "");
        (,,, string memory tag2) = _lastFeedback();
        assertEq(tag2, "completed");
    }

    function test_TooLittleGasRevertsInsteadOfSkippingTheRecords() public {
        uint256 jobId = _submitted(address(hook), 10e6);
        vm.prank(evaluator);
        vm.expectRevert(HermitJobHook.InsufficientGas.selector);
        acp.complete{gas: 700_000}(jobId, bytes32(0), "");
        assertEq(uint8(_status(jobId)), uint8(AgenticCommerce.Status.Submitted));
    }

    function test_TheProviderAcceptsAsItsOwnAgentOnly() public {
        uint256 jobId = _create(address(hook));
        vm.prank(client);
        acp.setBudget(jobId, 1e6, "");
        vm.prank(stranger);
        uint256 other = identity.register("data:application/json,{}");
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(HermitJobHook.NotTheProvidersAgent.selector, other, provider));
        hook.acceptJob(jobId, 1e6, 0, other);
        vm.prank(provider);
        hook.acceptJob(jobId, 1e6, 0, agentId);
        // the agent changes hands before funding: the outcome would be recorded against someone else's agent
        vm.prank(provider);
        identity.transferFrom(provider, stranger, agentId);
        vm.prank(client);
        vm.expectRevert(abi.encodeWithSelector(HermitJobHook.NotTheProvidersAgent.selector, agentId, provider));
        acp.fund(jobId, 1e6, "");
    }

    function test_AStrangerCannotTakeABondWithAJobTheProviderNeverAccepted() public {
        // the attack: name a provider that approved the hook, evaluate yourself, fund, reject
        uint256 p0 = token.balanceOf(provider);
        vm.startPrank(stranger);
        uint256 jobId = acp.createJob(provider, stranger, block.timestamp + 1 days, "trap", address(hook));
        acp.setBudget(jobId, 100e6, "");
        vm.expectRevert(abi.encodeWithSelector(HermitJobHook.NotAccepted.selector, jobId));
        acp.fund(jobId, 100e6, "");
        // nor can anyone but the provider accept for it
        vm.expectRevert(abi.encodeWithSelector(HermitJobHook.NotTheProvider.selector, jobId));
        hook.acceptJob(jobId, 100e6, 0, agentId);
        vm.stopPrank();
        assertEq(token.balanceOf(provider), p0);
        assertEq(reputation.getClients(agentId).length, 0); // and no feedback about an agent that never worked
    }

    function test_TheAcceptanceBindsBudgetAndDeadline() public {
        uint256 jobId = _create(address(hook));
        vm.prank(client);
        acp.setBudget(jobId, 10e6, "");
        vm.prank(provider);
        vm.expectEmit(address(hook));
        emit HermitJobHook.JobAccepted(jobId, provider, agentId, 10e6, 2 hours);
        hook.acceptJob(jobId, 10e6, 2 hours, agentId);
        // the client lowers the price after the provider accepted: refused
        vm.startPrank(client);
        acp.setBudget(jobId, 1, "");
        vm.expectRevert(abi.encodeWithSelector(HermitJobHook.TermsChanged.selector, jobId));
        acp.fund(jobId, 1, "");
        acp.setBudget(jobId, 10e6, "");
        vm.stopPrank();
        // funded too close to the expiry for the working time the provider asked for: refused
        vm.warp(block.timestamp + 23 hours);
        vm.prank(client);
        vm.expectRevert(abi.encodeWithSelector(HermitJobHook.TooLate.selector, jobId, uint64(block.timestamp + 1 hours)));
        acp.fund(jobId, 10e6, "");
        vm.warp(block.timestamp - 2 hours);
        vm.prank(client);
        acp.fund(jobId, 10e6, "");
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(HermitJobHook.NotOpen.selector, jobId));
        hook.acceptJob(jobId, 1, 0, agentId);
    }

    function test_AProviderCannotEscapeItsBondByBlockingTheFeedback() public {
        // making the hook an operator of its agent turns the hook's feedback into "self-feedback"
        vm.prank(provider);
        identity.approve(address(hook), agentId);
        uint256 c0 = token.balanceOf(client);
        uint256 jobId = _submitted(address(hook), 10e6);
        vm.prank(evaluator);
        vm.expectEmit(address(hook));
        emit HermitJobHook.JobOutcome(jobId, agentId, false, 0, 0);
        vm.expectEmit(address(hook));
        emit HermitJobHook.RecordFailed(jobId, true, abi.encodeWithSignature("Error(string)", "Self-feedback not allowed"));
        acp.reject(jobId, bytes32(0), "");
        assertEq(uint8(_status(jobId)), uint8(AgenticCommerce.Status.Rejected));
        assertEq(token.balanceOf(client) - c0, 5e6); // the bond was taken anyway
    }

    function test_TheScoreIsZeroToHundred() public {
        uint256 jobId = _submitted(address(hook), 10e6);
        vm.startPrank(evaluator);
        vm.expectRevert(abi.encodeWithSelector(HermitJobHook.BadScore.selector, int128(101), uint8(0)));
        acp.complete(jobId, bytes32(0), abi.encode(int128(101), uint8(0)));
        vm.expectRevert(abi.encodeWithSelector(HermitJobHook.BadScore.selector, int128(-1), uint8(0)));
        acp.complete(jobId, bytes32(0), abi.encode(int128(-1), uint8(0)));
        vm.expectRevert(abi.encodeWithSelector(HermitJobHook.BadScore.selector, int128(50), uint8(2)));
        acp.complete(jobId, bytes32(0), abi.encode(int128(50), uint8(2)));
        acp.complete(jobId, bytes32(0), abi.encode(int128(0), uint8(0)));
        vm.stopPrank();
        (int128 value, uint8 decimals, string memory tag1, string memory tag2) = _lastFeedback();
        assertEq(value, 0);
        assertEq(decimals, 0);
        assertEq(tag1, "job");
        assertEq(tag2, "completed");
    }

    function test_AProviderThatDidNotApproveTheBondCannotBeFunded() public {
        vm.prank(provider);
        token.approve(address(hook), 0);
        uint256 jobId = _create(address(hook));
        vm.prank(client);
        acp.setBudget(jobId, 1e6, "");
        vm.prank(provider);
        hook.acceptJob(jobId, 1e6, 0, agentId);
        vm.startPrank(client);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(hook), 0, 0.5e6));
        acp.fund(jobId, 1e6, "");
        vm.stopPrank();
        assertEq(token.balanceOf(address(acp)), 0);
    }

    function test_TheEvaluatorsDecisionIsAValidationResponse() public {
        uint256 jobId = _funded(address(hook), 10e6);
        // the provider asks first, with a salt nobody knows yet, then submits with that salt
        bytes32 salt = keccak256("provider's secret salt");
        bytes32 requestHash = hook.validationRequestHash(jobId, keccak256("the summary"), salt);
        vm.startPrank(provider);
        validation.validationRequest(address(hook), agentId, "data:application/json,{}", requestHash);
        acp.submit(jobId, keccak256("the summary"), abi.encode(salt));
        vm.stopPrank();
        assertEq(hook.requestHashOf(jobId), requestHash);
        vm.prank(evaluator);
        acp.complete(jobId, keccak256("checked"), "");
        (address validator, uint256 agent, uint8 response, bytes32 responseHash, string memory tag,) = validation.getValidationStatus(requestHash);
        assertEq(validator, address(hook));
        assertEq(agent, agentId);
        assertEq(response, 100);
        assertEq(responseHash, keccak256("checked"));
        assertEq(tag, "job");
    }

    function test_WithoutAValidationRequestTheJobStillSettles() public {
        uint256 jobId = _submitted(address(hook), 10e6);
        vm.prank(evaluator);
        acp.reject(jobId, bytes32(0), "");
        assertEq(uint8(_status(jobId)), uint8(AgenticCommerce.Status.Rejected));
    }

    function test_OnlyTheEscrowCallsTheHook() public {
        vm.expectRevert(ACPHookBase.OnlyACP.selector);
        hook.afterAction(1, AgenticCommerce.complete.selector, abi.encode(bytes32(0), bytes("")));
        vm.expectRevert(ACPHookBase.OnlyACP.selector);
        hook.beforeAction(1, AgenticCommerce.fund.selector, "");
    }

    function test_ABondOnlyHookNeedsNoAgent() public {
        HermitJobHook bondOnly = new HermitJobHook(acp, 1_000, REVIEW, IAgentIdentity(address(0)), IAgentReputation(address(0)), IAgentValidation(address(0)));
        vm.prank(provider);
        token.approve(address(bondOnly), type(uint256).max);
        uint256 jobId = _create(address(bondOnly));
        vm.prank(client);
        acp.setBudget(jobId, 10e6, "");
        vm.prank(provider);
        bondOnly.acceptJob(jobId, 10e6, 0, 0);
        vm.startPrank(client);
        acp.fund(jobId, 10e6, "");
        vm.stopPrank();
        assertEq(token.balanceOf(address(bondOnly)), 1e6);
        vm.expectRevert(HermitJobHook.BadBond.selector);
        new HermitJobHook(acp, 10_001, REVIEW, IAgentIdentity(address(0)), IAgentReputation(address(0)), IAgentValidation(address(0)));
    }

    function test_IsoDateKnownDays() public pure {
        assertEq(JobFeedbackFile.isoDate(0), "1970-01-01T00:00:00Z");
        assertEq(JobFeedbackFile.isoDate(951_782_400), "2000-02-29T00:00:00Z");
        assertEq(JobFeedbackFile.isoDate(4_102_444_799), "2099-12-31T23:59:59Z");
    }

    /// Against a plain count of years and months (slow, obviously right).
    function testFuzz_IsoDateMatchesACalendarCount(uint32 ts) public pure {
        uint256 days_ = uint256(ts) / 86400;
        uint256 y = 1970;
        while (days_ >= (_leap(y) ? 366 : 365)) days_ -= _leap(y++) ? 366 : 365;
        uint8[12] memory len = [31, _leap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        uint256 m = 0;
        while (days_ >= len[m]) days_ -= len[m++];
        uint256 s = uint256(ts) % 86400;
        string memory want = string.concat(
            vm.toString(y), "-", _two(m + 1), "-", _two(days_ + 1), "T", _two(s / 3600), ":", _two((s % 3600) / 60), ":", _two(s % 60), "Z"
        );
        assertEq(JobFeedbackFile.isoDate(ts), want);
    }

    function _leap(uint256 y) private pure returns (bool) {
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    }

    function _two(uint256 v) private pure returns (string memory) {
        return v < 10 ? string.concat("0", vm.toString(v)) : vm.toString(v);
    }
}
