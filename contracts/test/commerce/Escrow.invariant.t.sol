// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {DevToken} from "../../src/DevToken.sol";
import {AgenticCommerce} from "../../src/commerce/AgenticCommerce.sol";
import {HermitJobHook} from "../../src/commerce/hooks/HermitJobHook.sol";
import {CommerceFixture} from "./CommerceFixture.sol";

/// Random jobs through random (allowed and forbidden) steps, with and without the hook.
contract EscrowHandler is Test {
    AgenticCommerce internal acp;
    HermitJobHook internal hook;
    address internal client;
    address internal provider;
    address internal evaluator;
    uint256 internal agentId;
    uint256[] public jobs;
    /// How far the random runs got, printed after each run (a run that never settles tests little).
    uint256 public settled;

    constructor(AgenticCommerce acp_, HermitJobHook hook_, address client_, address provider_, address evaluator_, uint256 agentId_) {
        acp = acp_;
        hook = hook_;
        client = client_;
        provider = provider_;
        evaluator = evaluator_;
        agentId = agentId_;
    }

    function jobCount() external view returns (uint256) {
        return jobs.length;
    }

    function _pick(uint256 seed) private view returns (uint256) {
        return jobs.length == 0 ? 0 : jobs[seed % jobs.length];
    }

    /// Mostly the party allowed to act, sometimes anyone else (those calls must fail harmlessly).
    function _as(uint256 seed, address allowed) private view returns (address) {
        return seed % 5 == 0 ? [client, provider, evaluator, address(0xBAD)][(seed / 5) % 4] : allowed;
    }

    function create(bool hooked, uint32 ttl) external {
        vm.prank(client);
        jobs.push(acp.createJob(provider, evaluator, block.timestamp + bound(ttl, 1, 30 days), "job", hooked ? address(hook) : address(0)));
    }

    function setBudget(uint256 seed, uint256 who, uint96 amount) external {
        uint256 jobId = _pick(seed);
        vm.prank(_as(who, who % 2 == 0 ? client : provider));
        try acp.setBudget(jobId, bound(amount, 0, 1_000e6), "") {} catch {}
    }

    function fund(uint256 seed, uint256 who) external {
        uint256 jobId = _pick(seed);
        if (jobId == 0) return;
        uint256 budget = acp.getJob(jobId).budget;
        vm.prank(_as(who, client));
        try acp.fund(jobId, budget, abi.encode(agentId)) {} catch {}
    }

    function submit(uint256 seed, uint256 who, bytes32 deliverable) external {
        vm.prank(_as(who, provider));
        try acp.submit(_pick(seed), deliverable, "") {} catch {}
    }

    function complete(uint256 seed, uint256 who, int8 value) external {
        vm.prank(_as(who, evaluator));
        try acp.complete(_pick(seed), bytes32(0), abi.encode(int128(value), uint8(0))) {
            settled++;
        } catch {}
    }

    function reject(uint256 seed, uint256 who) external {
        uint256 jobId = _pick(seed);
        if (jobId == 0) return;
        vm.prank(_as(who, acp.getJob(jobId).status == AgenticCommerce.Status.Open ? client : evaluator));
        try acp.reject(jobId, bytes32(0), "") {
            settled++;
        } catch {}
    }

    function claimRefund(uint256 seed) external {
        try acp.claimRefund(_pick(seed)) {
            settled++;
        } catch {}
    }

    function settleExpired(uint256 seed) external {
        try hook.settleExpired(_pick(seed)) {} catch {}
    }

    /// One allowed step for a random job, so runs reach every terminal state often.
    function advance(uint256 seed, uint256 choice, uint96 amount) external {
        uint256 jobId = _pick(seed);
        if (jobId == 0) return;
        AgenticCommerce.Job memory job = acp.getJob(jobId);
        bool late = block.timestamp >= job.expiredAt;
        if (job.status == AgenticCommerce.Status.Open) {
            vm.prank(client);
            if (job.budget == 0) acp.setBudget(jobId, bound(amount, 1, 1_000e6), "");
            else acp.fund(jobId, job.budget, abi.encode(agentId));
        } else if (job.status == AgenticCommerce.Status.Funded || job.status == AgenticCommerce.Status.Submitted) {
            if (late && choice % 2 == 0) {
                acp.claimRefund(jobId);
            } else if (job.status == AgenticCommerce.Status.Funded && choice % 3 != 0) {
                vm.prank(provider);
                acp.submit(jobId, bytes32(choice), "");
            } else {
                vm.prank(evaluator);
                if (job.status == AgenticCommerce.Status.Submitted && choice % 3 != 0) acp.complete(jobId, bytes32(0), "");
                else acp.reject(jobId, bytes32(0), "");
            }
            if (acp.getJob(jobId).status > AgenticCommerce.Status.Submitted) settled++;
        } else if (job.status == AgenticCommerce.Status.Expired) {
            (,, uint256 bond,, bool done) = hook.bonds(jobId);
            if (bond != 0 && !done) hook.settleExpired(jobId);
        }
    }

    function warp(uint32 secs) external {
        vm.warp(block.timestamp + bound(secs, 0, 10 days));
    }
}

contract EscrowInvariantTest is CommerceFixture {
    EscrowHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new EscrowHandler(acp, hook, client, provider, evaluator, agentId);
        targetContract(address(handler));
    }

    function _live() internal view returns (uint256 escrow, uint256 bonded) {
        for (uint256 k = 0; k < handler.jobCount(); k++) {
            uint256 jobId = handler.jobs(k);
            AgenticCommerce.Job memory job = acp.getJob(jobId);
            if (job.status == AgenticCommerce.Status.Funded || job.status == AgenticCommerce.Status.Submitted) escrow += job.budget;
            (,, uint256 amount,, bool settled) = hook.bonds(jobId);
            if (!settled) bonded += amount;
        }
    }

    /// No money created, none lost: the escrow holds exactly the live budgets, the hook exactly the live bonds.
    /// forge-config: default.invariant.depth = 160
    function invariant_BalancesEqualLiveEscrowsAndBonds() public view {
        (uint256 escrow, uint256 bonded) = _live();
        assertEq(token.balanceOf(address(acp)), escrow);
        assertEq(acp.totalEscrowed(), escrow);
        assertEq(token.balanceOf(address(hook)), bonded);
        assertEq(hook.totalBonded(), bonded);
        uint256 held = token.balanceOf(client) + token.balanceOf(provider) + token.balanceOf(stranger);
        assertEq(held + token.balanceOf(address(acp)) + token.balanceOf(address(hook)), token.totalSupply());
    }

    /// None stuck: after every deadline, anyone can get every escrow and bond out.
    function afterInvariant() public {
        vm.warp(block.timestamp + 31 days);
        for (uint256 k = 0; k < handler.jobCount(); k++) {
            uint256 jobId = handler.jobs(k);
            AgenticCommerce.Status s = acp.getJob(jobId).status;
            if (s == AgenticCommerce.Status.Funded || s == AgenticCommerce.Status.Submitted) acp.claimRefund(jobId);
            (,, uint256 amount,, bool settled) = hook.bonds(jobId);
            if (amount != 0 && !settled) hook.settleExpired(jobId);
        }
        assertEq(token.balanceOf(address(acp)), 0);
        assertEq(token.balanceOf(address(hook)), 0);
        emit log_named_uint("jobs settled by the random steps", handler.settled());
    }
}
