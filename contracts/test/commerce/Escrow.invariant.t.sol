// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {DevToken} from "../../src/DevToken.sol";
import {AgenticCommerce} from "../../src/commerce/AgenticCommerce.sol";
import {HermitJobHook} from "../../src/commerce/hooks/HermitJobHook.sol";
import {CommerceFixture} from "./CommerceFixture.sol";

/// Random jobs through random (allowed and forbidden) steps, with and without the hook, by the
/// client and by a stranger who names the same provider. A ghost ledger says where every token
/// should be, computed from the rules, not read from the contracts.
contract EscrowHandler is Test {
    AgenticCommerce internal acp;
    HermitJobHook internal hook;
    DevToken internal token;
    address internal client;
    address internal stranger;
    address internal provider;
    address internal evaluator;
    uint256 internal agentId;
    uint256[] public jobs;

    struct Ghost {
        bool hooked;
        uint256 bond;
        bool submitted;
        bool bondOpen;
        uint256 submittedAt;
    }

    mapping(uint256 => Ghost) internal ghost;
    /// What each party should have gained (or lost) so far.
    mapping(address => int256) public delta;
    uint256 public settled;

    constructor(AgenticCommerce acp_, HermitJobHook hook_, DevToken token_, address[4] memory who, uint256 agentId_) {
        acp = acp_;
        hook = hook_;
        token = token_;
        (client, stranger, provider, evaluator) = (who[0], who[1], who[2], who[3]);
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
        return seed % 5 == 0 ? [client, stranger, provider, evaluator, address(0xBAD)][(seed / 5) % 5] : allowed;
    }

    function create(bool hooked, bool byStranger, uint32 ttl) external {
        address who = byStranger ? stranger : client;
        // a stranger plays its own evaluator: the trap the provider must not fall into
        vm.prank(who);
        uint256 jobId = acp.createJob(provider, byStranger ? stranger : evaluator, block.timestamp + bound(ttl, 1, 30 days), "job", hooked ? address(hook) : address(0));
        jobs.push(jobId);
        ghost[jobId].hooked = hooked;
    }

    function setBudget(uint256 seed, uint256 who, uint96 amount) external {
        uint256 jobId = _pick(seed);
        if (jobId == 0) return;
        vm.prank(_as(who, who % 2 == 0 ? acp.getJob(jobId).client : provider));
        try acp.setBudget(jobId, bound(amount, 0, 1_000e6), "") {} catch {}
    }

    /// The provider accepts only its honest client's jobs (a real provider checks the evaluator).
    function accept(uint256 seed, uint32 minWork) external {
        uint256 jobId = _pick(seed);
        if (jobId == 0) return;
        AgenticCommerce.Job memory job = acp.getJob(jobId);
        if (job.client != client) return;
        vm.prank(provider);
        try hook.acceptJob(jobId, job.budget, uint64(bound(minWork, 0, 2 days)), agentId) {} catch {}
    }

    function fund(uint256 seed, uint256 who) external {
        uint256 jobId = _pick(seed);
        if (jobId == 0) return;
        AgenticCommerce.Job memory job = acp.getJob(jobId);
        vm.prank(_as(who, job.client));
        try acp.fund(jobId, job.budget, "") {
            delta[job.client] -= int256(job.budget);
            if (ghost[jobId].hooked) {
                uint256 bond = job.budget * hook.bondBps() / 10_000;
                ghost[jobId].bond = bond;
                ghost[jobId].bondOpen = bond != 0;
                delta[provider] -= int256(bond);
            }
        } catch {}
    }

    function submit(uint256 seed, uint256 who, bytes32 deliverable) external {
        uint256 jobId = _pick(seed);
        if (jobId == 0) return;
        vm.prank(_as(who, provider));
        try acp.submit(jobId, deliverable, "") {
            ghost[jobId].submitted = true;
            ghost[jobId].submittedAt = block.timestamp;
        } catch {}
    }

    function complete(uint256 seed, uint256 who, uint8 score) external {
        uint256 jobId = _pick(seed);
        if (jobId == 0) return;
        AgenticCommerce.Job memory job = acp.getJob(jobId);
        vm.prank(_as(who, job.evaluator));
        try acp.complete(jobId, bytes32(0), abi.encode(int128(uint128(score % 101)), uint8(0))) {
            settled++;
            delta[provider] += int256(job.budget);
            _bondTo(jobId, provider);
        } catch {}
    }

    function reject(uint256 seed, uint256 who) external {
        uint256 jobId = _pick(seed);
        if (jobId == 0) return;
        AgenticCommerce.Job memory job = acp.getJob(jobId);
        bool open = job.status == AgenticCommerce.Status.Open;
        vm.prank(_as(who, open ? job.client : job.evaluator));
        try acp.reject(jobId, bytes32(0), "") {
            settled++;
            if (!open) {
                delta[job.client] += int256(job.budget);
                _bondTo(jobId, job.client);
            }
        } catch {}
    }

    function claimRefund(uint256 seed) external {
        uint256 jobId = _pick(seed);
        if (jobId == 0) return;
        AgenticCommerce.Job memory job = acp.getJob(jobId);
        try acp.claimRefund(jobId) {
            settled++;
            delta[job.client] += int256(job.budget);
        } catch {}
    }

    function settleExpired(uint256 seed) external {
        uint256 jobId = _pick(seed);
        if (jobId == 0) return;
        AgenticCommerce.Job memory job = acp.getJob(jobId);
        // the bond goes back only if the delivery left the evaluator its review window
        bool reviewable = ghost[jobId].submitted && ghost[jobId].submittedAt + hook.reviewSeconds() <= job.expiredAt;
        try hook.settleExpired(jobId) {
            _bondTo(jobId, reviewable ? provider : job.client);
        } catch {}
    }

    function _bondTo(uint256 jobId, address who) private {
        if (!ghost[jobId].bondOpen) return;
        ghost[jobId].bondOpen = false;
        delta[who] += int256(ghost[jobId].bond);
    }

    /// One allowed step for a random job, so runs reach every terminal state often.
    function advance(uint256 seed, uint256 choice, uint96 amount) external {
        uint256 jobId = _pick(seed);
        if (jobId == 0) return;
        AgenticCommerce.Job memory job = acp.getJob(jobId);
        if (job.status == AgenticCommerce.Status.Open) {
            if (job.budget == 0) {
                vm.prank(job.client);
                acp.setBudget(jobId, bound(amount, 1, 1_000e6), "");
            } else if (ghost[jobId].hooked && job.client == client && choice % 2 == 0) {
                this.accept(seed, 0);
            } else {
                this.fund(seed, 1);
            }
        } else if (job.status == AgenticCommerce.Status.Funded || job.status == AgenticCommerce.Status.Submitted) {
            if (block.timestamp >= job.expiredAt && choice % 2 == 0) this.claimRefund(seed);
            else if (job.status == AgenticCommerce.Status.Funded && choice % 3 != 0) this.submit(seed, 1, bytes32(choice));
            else if (job.status == AgenticCommerce.Status.Submitted && choice % 3 != 0) this.complete(seed, 1, uint8(choice));
            else this.reject(seed, 1);
        } else if (job.status == AgenticCommerce.Status.Expired) {
            this.settleExpired(seed);
        }
    }

    function warp(uint32 secs) external {
        vm.warp(block.timestamp + bound(secs, 0, 10 days));
    }
}

contract EscrowInvariantTest is CommerceFixture {
    EscrowHandler internal handler;
    mapping(address => uint256) internal initial;

    function setUp() public override {
        super.setUp();
        handler = new EscrowHandler(acp, hook, token, [client, stranger, provider, evaluator], agentId);
        for (uint256 k = 0; k < 4; k++) {
            address who = [client, stranger, provider, evaluator][k];
            vm.startPrank(who);
            token.approve(address(acp), type(uint256).max);
            token.approve(address(hook), type(uint256).max);
            vm.stopPrank();
            initial[who] = token.balanceOf(who);
        }
        targetContract(address(handler));
    }

    function _live() internal view returns (uint256 escrow, uint256 bonded) {
        for (uint256 k = 0; k < handler.jobCount(); k++) {
            uint256 jobId = handler.jobs(k);
            AgenticCommerce.Job memory job = acp.getJob(jobId);
            if (job.status == AgenticCommerce.Status.Funded || job.status == AgenticCommerce.Status.Submitted) escrow += job.budget;
            (,, uint256 amount,, bool settled,) = hook.bonds(jobId);
            if (!settled) bonded += amount;
        }
    }

    function _ledger() internal view {
        for (uint256 k = 0; k < 4; k++) {
            address who = [client, stranger, provider, evaluator][k];
            assertEq(int256(token.balanceOf(who)), int256(initial[who]) + handler.delta(who), "a party holds other than the rules say");
        }
    }

    /// No money created, none lost, none misdirected: the escrow holds exactly the live budgets, the
    /// hook exactly the live bonds, and every party exactly what the rules gave it.
    /// forge-config: default.invariant.depth = 160
    function invariant_BalancesEqualLiveEscrowsAndBonds() public view {
        (uint256 escrow, uint256 bonded) = _live();
        assertEq(token.balanceOf(address(acp)), escrow);
        assertEq(acp.totalEscrowed(), escrow);
        assertEq(token.balanceOf(address(hook)), bonded);
        assertEq(hook.totalBonded(), bonded);
        _ledger();
    }

    /// None stuck: after every deadline, anyone can get every escrow and bond out, to the right party.
    function afterInvariant() public {
        vm.warp(block.timestamp + 31 days);
        for (uint256 k = 0; k < handler.jobCount(); k++) {
            uint256 jobId = handler.jobs(k);
            AgenticCommerce.Status s = acp.getJob(jobId).status;
            if (s == AgenticCommerce.Status.Funded || s == AgenticCommerce.Status.Submitted) handler.claimRefund(k);
            (,, uint256 amount,, bool settled,) = hook.bonds(jobId);
            if (amount != 0 && !settled) handler.settleExpired(k);
        }
        assertEq(token.balanceOf(address(acp)), 0);
        assertEq(token.balanceOf(address(hook)), 0);
        _ledger();
        emit log_named_uint("jobs settled by the random steps", handler.settled());
    }
}
