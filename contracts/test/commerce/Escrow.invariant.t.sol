// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, console} from "forge-std/Test.sol";
import {AgenticCommerce} from "../../src/commerce/AgenticCommerce.sol";
import {HermitJobHook} from "../../src/commerce/hooks/HermitJobHook.sol";
import {CommerceFixture} from "./CommerceFixture.sol";

/// Random jobs, with and without the hook, by the client and by a stranger who names the same
/// provider (and plays its own evaluator: the trap the provider must not fall into), through
/// random allowed steps and random forbidden ones. A ghost ledger says where every token should
/// be, computed from the rules, not read from the contracts.
///
/// Every allowed step picks a job in the state it needs and the party allowed to act; when no job
/// is in that state it first takes one there by allowed steps (creating, pricing, accepting,
/// funding…), so every call does what it is named for (fail_on_revert is on: an allowed step that
/// reverts fails the run). Forbidden steps are their own handler function and must revert. Time
/// moves in bounded steps (jobs live 1 to 8 hours, warps are at most half an hour) and deliberately
/// to the edges that matter: a submission exactly `reviewSeconds` before the expiry, one second
/// later, in the last second, and the expiry itself (a refund of a live job waits for it).
/// `_bound` is forge-std's `bound` without its log line, so that -vv output shows the counts.
contract EscrowHandler is Test {
    AgenticCommerce internal acp;
    HermitJobHook internal hook;
    address internal client;
    address internal stranger;
    address internal provider;
    address internal evaluator;
    address internal constant NOBODY = address(0xBAD);
    uint256 internal agentId;
    uint256 internal review;
    uint256 internal bondBps;
    uint256[] public jobs;

    /// The job as the rules say it should be (the invariant checks the escrow agrees).
    struct Ghost {
        AgenticCommerce.Status status;
        address client;
        address evaluator;
        uint256 budget;
        uint256 expiredAt;
        bool hooked;
        // the provider's acceptance, as the hook should hold it
        bool accepted;
        uint256 acceptedBudget;
        uint256 minWork;
        // the bond, as the rules fix it at funding
        uint256 bond;
        bool bondOpen;
        bool submitted;
        uint256 submittedAt;
    }

    mapping(uint256 => Ghost) internal ghost;
    /// What each party should have gained (or lost) so far.
    mapping(address => int256) public delta;
    /// Budgets the escrow should hold: funded, not yet paid out or refunded.
    uint256 public ghostEscrowed;
    /// Bonds the hook should hold: locked at funding, not yet returned or paid out.
    uint256 public ghostBonded;

    /// Handler calls in this run (a replayed, shrunk failure is shorter than a run).
    uint256 public steps;
    // how often each allowed step succeeded (the sweep in afterInvariant is not counted)
    uint256 public created;
    uint256 public budgetsSet;
    uint256 public acceptances;
    uint256 public plainFundings;
    uint256 public hookedFundings;
    uint256 public submissions;
    uint256 public lateSubmissions; // of a bonded job, less than reviewSeconds before its expiry
    uint256 public completions;
    uint256 public openRejections;
    uint256 public rejections; // of funded or submitted jobs: the evaluator's refund
    uint256 public refunds;
    uint256 public bondsReturnedOnExpiry;
    uint256 public bondsSlashedOnExpiry;
    uint256 public forbiddenRefused;

    constructor(AgenticCommerce acp_, HermitJobHook hook_, address[4] memory who, uint256 agentId_) {
        acp = acp_;
        hook = hook_;
        (client, stranger, provider, evaluator) = (who[0], who[1], who[2], who[3]);
        agentId = agentId_;
        review = hook_.reviewSeconds();
        bondBps = hook_.bondBps();
    }

    modifier step() {
        steps++;
        _;
    }

    function jobCount() external view returns (uint256) {
        return jobs.length;
    }

    function isBondOpen(uint256 jobId) external view returns (bool) {
        return ghost[jobId].bondOpen;
    }

    function statusOf(uint256 jobId) external view returns (AgenticCommerce.Status) {
        return ghost[jobId].status;
    }

    // ------------------------------------------------------------ picking a job in a state (from the ghost: no calls)

    /// The first job from a random start that `ok` accepts, or 0.
    function _pick(uint256 seed, function(Ghost storage) internal view returns (bool) ok) internal view returns (uint256) {
        uint256 n = jobs.length;
        if (n == 0) return 0;
        seed %= n;
        for (uint256 i; i < n; i++) {
            uint256 jobId = jobs[(seed + i) % n];
            if (ok(ghost[jobId])) return jobId;
        }
        return 0;
    }

    function _isOpen(Ghost storage g) internal view returns (bool) {
        return g.status == AgenticCommerce.Status.Open;
    }

    function _isUnpriced(Ghost storage g) internal view returns (bool) {
        return g.status == AgenticCommerce.Status.Open && g.budget == 0;
    }

    /// Open, unpriced, not expired, and one the provider would take (not the stranger's hooked trap).
    function _isToPrice(Ghost storage g) internal view returns (bool) {
        return _isUnpriced(g) && block.timestamp < g.expiredAt && (!g.hooked || g.client == client);
    }

    /// Open, priced, hooked, the honest client's, not expired, and not accepted at its current budget.
    function _isToAccept(Ghost storage g) internal view returns (bool) {
        return g.status == AgenticCommerce.Status.Open && g.budget != 0 && g.hooked && g.client == client && block.timestamp < g.expiredAt
            && !(g.accepted && g.acceptedBudget == g.budget);
    }

    function _isFundable(Ghost storage g) internal view returns (bool) {
        if (g.status != AgenticCommerce.Status.Open || g.budget == 0 || block.timestamp >= g.expiredAt) return false;
        return !g.hooked || (g.accepted && g.acceptedBudget == g.budget && block.timestamp + g.minWork <= g.expiredAt);
    }

    function _isFundableBonded(Ghost storage g) internal view returns (bool) {
        return _isFundable(g) && g.hooked && g.budget * bondBps / 10_000 != 0;
    }

    function _isLive(Ghost storage g) internal view returns (bool) {
        return g.status == AgenticCommerce.Status.Funded || g.status == AgenticCommerce.Status.Submitted;
    }

    function _isSubmittable(Ghost storage g) internal view returns (bool) {
        return g.status == AgenticCommerce.Status.Funded && block.timestamp < g.expiredAt;
    }

    function _isSubmittableBonded(Ghost storage g) internal view returns (bool) {
        return _isSubmittable(g) && g.bondOpen;
    }

    function _isSubmitted(Ghost storage g) internal view returns (bool) {
        return g.status == AgenticCommerce.Status.Submitted;
    }

    function _isRefundable(Ghost storage g) internal view returns (bool) {
        return _isLive(g) && block.timestamp >= g.expiredAt;
    }

    function _isLiveBonded(Ghost storage g) internal view returns (bool) {
        return _isLive(g) && g.bondOpen;
    }

    function _isSubmittedBonded(Ghost storage g) internal view returns (bool) {
        return _isSubmitted(g) && g.bondOpen;
    }

    function _isExpiredBonded(Ghost storage g) internal view returns (bool) {
        return g.status == AgenticCommerce.Status.Expired && g.bondOpen;
    }

    function _anyone(uint256 seed) internal view returns (address) {
        return [client, stranger, provider, evaluator, NOBODY][seed % 5];
    }

    // ------------------------------------------------------------ bringing a job to a state, by allowed steps

    /// A job that can be funded now (bonded: hooked with a non-zero bond): one that is, else the
    /// nearest one further along (accepted, priced, or a new job) taken there.
    function _toFundable(uint256 seed, bool bonded) internal returns (uint256 jobId) {
        jobId = _pick(seed, bonded ? _isFundableBonded : _isFundable);
        if (jobId != 0) return jobId;
        jobId = _pick(seed, _isToAccept);
        if (jobId == 0 || (bonded && ghost[jobId].budget * bondBps / 10_000 == 0)) {
            jobId = bonded ? 0 : _pick(seed, _isToPrice);
            if (jobId == 0) jobId = _create(bonded || seed % 4 != 0, false, seed);
            // whole tokens, so that a bond is never rounded to zero
            _setBudget(jobId, 1e6 + (seed >> 16) % 999e6, seed);
            if (!ghost[jobId].hooked) return jobId;
        }
        _accept(jobId, seed >> 32);
    }

    /// A funded job that can still be submitted.
    function _toFunded(uint256 seed, bool bonded) internal returns (uint256 jobId) {
        jobId = _pick(seed, bonded ? _isSubmittableBonded : _isSubmittable);
        if (jobId != 0) return jobId;
        jobId = _toFundable(seed, bonded);
        _fund(jobId);
    }

    // ------------------------------------------------------------ allowed steps

    /// Mostly hooked jobs of the honest client: those are the ones that lock and settle bonds.
    function create(uint8 kind, uint256 ttl) public step {
        _create(kind % 4 != 0, kind % 5 == 0, ttl);
    }

    function _create(bool hooked, bool byStranger, uint256 ttl) internal returns (uint256 jobId) {
        address who = byStranger ? stranger : client;
        // a stranger plays its own evaluator: the trap the provider must not fall into
        address judge = byStranger ? stranger : evaluator;
        uint256 expiredAt = block.timestamp + _bound(ttl, 1 hours, 8 hours);
        vm.prank(who);
        jobId = acp.createJob(provider, judge, expiredAt, "job", hooked ? address(hook) : address(0));
        jobs.push(jobId);
        Ghost storage g = ghost[jobId];
        (g.status, g.client, g.evaluator, g.expiredAt, g.hooked) = (AgenticCommerce.Status.Open, who, judge, expiredAt, hooked);
        created++;
    }

    /// Prices an unpriced job (any amount, down to a budget whose bond rounds to zero); now and then
    /// re-prices a priced one, which voids the provider's acceptance.
    function setBudget(uint256 seed, uint256 amount, uint256 choice) public step {
        uint256 jobId = _pick(seed, _isUnpriced);
        if (jobId == 0 && choice % 4 == 0) jobId = _pick(seed, _isOpen);
        if (jobId == 0) jobId = _create(choice % 4 != 0, choice % 5 == 0, seed);
        _setBudget(jobId, _bound(amount, 1, 1_000e6), choice);
    }

    function _setBudget(uint256 jobId, uint256 amount, uint256 choice) internal {
        Ghost storage g = ghost[jobId];
        // the client or the provider: both may
        vm.prank(choice % 2 == 0 ? g.client : provider);
        acp.setBudget(jobId, amount, "");
        g.budget = amount;
        budgetsSet++;
    }

    /// The provider accepts only its honest client's jobs (a real provider checks the evaluator).
    function accept(uint256 seed, uint256 minWork) public step {
        uint256 jobId = _pick(seed, _isToAccept);
        if (jobId == 0) {
            jobId = _pick(seed, _isToPrice);
            if (jobId == 0 || !ghost[jobId].hooked) jobId = _create(true, false, seed);
            _setBudget(jobId, 1e6 + seed % 999e6, seed);
        }
        _accept(jobId, minWork);
    }

    function _accept(uint256 jobId, uint256 minWork) internal {
        Ghost storage g = ghost[jobId];
        // never more than the time left, so that an accepted job can be funded
        uint256 work = _bound(minWork, 0, _min(30 minutes, g.expiredAt - block.timestamp));
        vm.prank(provider);
        hook.acceptJob(jobId, g.budget, uint64(work), agentId);
        (g.accepted, g.acceptedBudget, g.minWork) = (true, g.budget, work);
        acceptances++;
    }

    function fund(uint256 seed) public step {
        _fund(_toFundable(seed, false));
    }

    function _fund(uint256 jobId) internal {
        Ghost storage g = ghost[jobId];
        vm.prank(g.client);
        acp.fund(jobId, g.budget, "");
        g.status = AgenticCommerce.Status.Funded;
        delta[g.client] -= int256(g.budget);
        ghostEscrowed += g.budget;
        if (!g.hooked) {
            plainFundings++;
            return;
        }
        hookedFundings++;
        uint256 bond = g.budget * bondBps / 10_000;
        if (bond == 0) return;
        (g.bond, g.bondOpen) = (bond, true);
        delta[provider] -= int256(bond);
        ghostBonded += bond;
    }

    /// A submission now, or (moving time forward) exactly at the edge of the review window, a
    /// second past it, or in the job's last second.
    function submit(uint256 seed, bytes32 deliverable, uint8 timing) public step {
        _submit(_toFunded(seed, timing % 2 == 0), deliverable, timing);
    }

    function _submit(uint256 jobId, bytes32 deliverable, uint8 timing) internal {
        Ghost storage g = ghost[jobId];
        uint256 at = [block.timestamp, block.timestamp, g.expiredAt - review, g.expiredAt - review + 1, g.expiredAt - 1][timing % 5];
        if (at > block.timestamp) vm.warp(at);
        vm.prank(provider);
        acp.submit(jobId, deliverable, "");
        (g.status, g.submitted, g.submittedAt) = (AgenticCommerce.Status.Submitted, true, block.timestamp);
        submissions++;
        if (g.bondOpen && block.timestamp + review > g.expiredAt) lateSubmissions++;
    }

    /// The evaluator accepts a submitted job; with none, one is submitted first (now).
    function complete(uint256 seed, uint8 score) public step {
        uint256 jobId = _pick(seed, _isSubmitted);
        if (jobId == 0) {
            jobId = _toFunded(seed, score % 2 == 0);
            _submit(jobId, bytes32(seed), 0);
        }
        Ghost storage g = ghost[jobId];
        vm.prank(g.evaluator);
        acp.complete(jobId, bytes32(0), abi.encode(int128(uint128(score % 101)), uint8(0)));
        g.status = AgenticCommerce.Status.Completed;
        completions++;
        _release(g, provider);
        _bondTo(g, provider);
    }

    /// The evaluator refunds a funded or submitted job; now and then the client cancels an open one.
    function reject(uint256 seed, uint256 choice) public step {
        uint256 jobId = _pick(seed, _isLive);
        if (jobId == 0 && choice % 3 == 0) jobId = _pick(seed, _isOpen);
        if (jobId == 0) {
            jobId = _toFunded(seed, choice % 2 == 0);
            if (choice % 3 == 1) _submit(jobId, bytes32(seed), 0);
        }
        Ghost storage g = ghost[jobId];
        bool open = g.status == AgenticCommerce.Status.Open;
        vm.prank(open ? g.client : g.evaluator);
        acp.reject(jobId, bytes32(choice), "");
        g.status = AgenticCommerce.Status.Rejected;
        if (open) {
            openRejections++;
            return;
        }
        rejections++;
        _release(g, g.client);
        _bondTo(g, g.client);
    }

    /// Anyone refunds a job after its expiry; with none expired, time moves to a live job's expiry.
    function claimRefund(uint256 seed, uint256 who) public step {
        uint256 jobId = _pick(seed, _isRefundable);
        if (jobId == 0) jobId = _pick(seed, _isLive);
        if (jobId == 0) jobId = _toFunded(seed, false);
        _claimRefund(jobId, _anyone(who));
    }

    function _claimRefund(uint256 jobId, address caller) internal {
        Ghost storage g = ghost[jobId];
        if (block.timestamp < g.expiredAt) vm.warp(g.expiredAt);
        vm.prank(caller);
        acp.claimRefund(jobId);
        g.status = AgenticCommerce.Status.Expired;
        _release(g, g.client);
        refunds++;
    }

    /// Anyone settles the bond of an expired job; with none, a live bonded job (preferably a
    /// submitted one the evaluator never answered) is refunded at its expiry first.
    function settleExpired(uint256 seed, uint256 who) public step {
        uint256 jobId = _pick(seed, _isExpiredBonded);
        if (jobId == 0) {
            jobId = _pick(seed, _isSubmittedBonded);
            if (jobId == 0) {
                jobId = _toFunded(seed, true);
                // delivered in time, on the edge, too late, or never
                if (who % 3 != 0) _submit(jobId, bytes32(seed), uint8(who >> 16));
            }
            _claimRefund(jobId, _anyone(who >> 8));
        }
        if (_settleExpired(jobId, _anyone(who))) bondsReturnedOnExpiry++;
        else bondsSlashedOnExpiry++;
    }

    function _settleExpired(uint256 jobId, address caller) internal returns (bool toProvider) {
        Ghost storage g = ghost[jobId];
        // the bond goes back only if the delivery left the evaluator its whole review window
        toProvider = g.submitted && g.submittedAt + review <= g.expiredAt;
        vm.prank(caller);
        hook.settleExpired(jobId);
        _bondTo(g, toProvider ? provider : g.client);
    }

    function warp(uint256 secs) public step {
        vm.warp(block.timestamp + _bound(secs, 0, 30 minutes));
    }

    /// Pays out a job's budget in the ledger, to whom the rules say.
    function _release(Ghost storage g, address who) internal {
        ghostEscrowed -= g.budget;
        delta[who] += int256(g.budget);
    }

    /// Pays out a job's bond in the ledger, to whom the rules say.
    function _bondTo(Ghost storage g, address who) internal {
        if (!g.bondOpen) return;
        g.bondOpen = false;
        ghostBonded -= g.bond;
        delta[who] += int256(g.bond);
    }

    // ------------------------------------------------------------ forbidden steps

    /// A random party tries a random step on a random job; when the rules forbid it, it must revert
    /// (and, the ledger shows, move nothing). Allowed combinations are left to the steps above.
    function forbidden(uint256 seed, uint8 action, uint256 who) public step {
        if (jobs.length == 0) return;
        uint256 jobId = jobs[seed % jobs.length];
        address actor = _anyone(who);
        action = action % 8;
        if (_allowed(ghost[jobId], action, actor)) return;
        vm.prank(actor);
        (bool ok,) = (action < 6 ? address(acp) : address(hook)).call(_callOf(jobId, action));
        assertFalse(ok, "a step the rules forbid succeeded");
        forbiddenRefused++;
    }

    function _callOf(uint256 jobId, uint8 action) internal view returns (bytes memory) {
        uint256 budget = ghost[jobId].budget;
        if (action == 0) return abi.encodeCall(AgenticCommerce.setBudget, (jobId, 7e6, ""));
        if (action == 1) return abi.encodeCall(AgenticCommerce.fund, (jobId, budget, ""));
        if (action == 2) return abi.encodeCall(AgenticCommerce.submit, (jobId, bytes32(uint256(1)), ""));
        if (action == 3) return abi.encodeCall(AgenticCommerce.complete, (jobId, bytes32(0), ""));
        if (action == 4) return abi.encodeCall(AgenticCommerce.reject, (jobId, bytes32(0), ""));
        if (action == 5) return abi.encodeCall(AgenticCommerce.claimRefund, (jobId));
        if (action == 6) return abi.encodeCall(HermitJobHook.acceptJob, (jobId, budget, 0, agentId));
        return abi.encodeCall(HermitJobHook.settleExpired, (jobId));
    }

    /// The rules of ERC-8183 and of the hook, written out independently of the contracts.
    function _allowed(Ghost storage g, uint8 action, address actor) internal view returns (bool) {
        bool open = g.status == AgenticCommerce.Status.Open;
        bool expired = block.timestamp >= g.expiredAt;
        if (action == 0) return open && (actor == g.client || actor == provider);
        if (action == 1) return actor == g.client && _isFundable(g);
        if (action == 2) return actor == provider && g.status == AgenticCommerce.Status.Funded && !expired;
        if (action == 3) return actor == g.evaluator && g.status == AgenticCommerce.Status.Submitted;
        if (action == 4) return (open && actor == g.client) || (_isLive(g) && actor == g.evaluator);
        if (action == 5) return _isLive(g) && expired;
        if (action == 6) return open && actor == provider;
        return _isExpiredBonded(g);
    }

    function _min(uint256 a, uint256 b) internal pure returns (uint256) {
        return a < b ? a : b;
    }

    // ------------------------------------------------------------ the sweep after a run

    /// After every deadline: refunds and settles everything left, through the same ledger.
    function sweep() external {
        vm.warp(block.timestamp + 9 hours);
        for (uint256 k; k < jobs.length; k++) {
            uint256 jobId = jobs[k];
            if (_isLive(ghost[jobId])) _claimRefund(jobId, _anyone(k));
            if (ghost[jobId].bondOpen) _settleExpired(jobId, _anyone(k + 1));
        }
    }
}

contract EscrowInvariantTest is CommerceFixture {
    /// Steps per run: the depth set for the invariant below.
    uint256 internal constant DEPTH = 160;
    EscrowHandler internal handler;
    mapping(address => uint256) internal initial;
    address[] internal parties;

    function setUp() public override {
        super.setUp();
        handler = new EscrowHandler(acp, hook, [client, stranger, provider, evaluator], agentId);
        parties = [client, stranger, provider, evaluator, address(0xBAD), address(handler)];
        for (uint256 k = 0; k < parties.length; k++) {
            address who = parties[k];
            vm.startPrank(who);
            token.approve(address(acp), type(uint256).max);
            token.approve(address(hook), type(uint256).max);
            vm.stopPrank();
            initial[who] = token.balanceOf(who);
        }
        targetContract(address(handler));
        // the sweep is for afterInvariant only: a random sweep would end every run's jobs at once
        bytes4[] memory selectors = new bytes4[](11);
        selectors[0] = EscrowHandler.create.selector;
        selectors[1] = EscrowHandler.setBudget.selector;
        selectors[2] = EscrowHandler.accept.selector;
        selectors[3] = EscrowHandler.fund.selector;
        selectors[4] = EscrowHandler.submit.selector;
        selectors[5] = EscrowHandler.complete.selector;
        selectors[6] = EscrowHandler.reject.selector;
        selectors[7] = EscrowHandler.claimRefund.selector;
        selectors[8] = EscrowHandler.settleExpired.selector;
        selectors[9] = EscrowHandler.warp.selector;
        selectors[10] = EscrowHandler.forbidden.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// Every job in the state the rules say, with the bond the rules say is still open.
    function _model() internal view {
        for (uint256 k = 0; k < handler.jobCount(); k++) {
            uint256 jobId = handler.jobs(k);
            assertEq(uint8(acp.getTerms(jobId).status), uint8(handler.statusOf(jobId)), "a job is in another state than the rules say");
            (,, uint256 amount,, bool settled,) = hook.bonds(jobId);
            assertEq(amount != 0 && !settled, handler.isBondOpen(jobId), "a bond is open other than the rules say");
        }
    }

    function _ledger() internal view {
        for (uint256 k = 0; k < parties.length; k++) {
            address who = parties[k];
            assertEq(int256(token.balanceOf(who)), int256(initial[who]) + handler.delta(who), "a party holds other than the rules say");
        }
    }

    /// No money created, none lost, none misdirected: the escrow holds exactly the budgets the rules
    /// say are live, the hook exactly the bonds they say are open, and every party exactly what they
    /// gave it (all from the ghost ledger, not from the contracts' own books, which must agree too).
    /// forge-config: default.invariant.depth = 160
    function invariant_BalancesEqualLiveEscrowsAndBonds() public view {
        assertEq(token.balanceOf(address(acp)), handler.ghostEscrowed(), "the escrow holds other budgets than the rules say");
        assertEq(acp.totalEscrowed(), handler.ghostEscrowed());
        assertEq(token.balanceOf(address(hook)), handler.ghostBonded(), "the hook holds other bonds than the rules say");
        assertEq(hook.totalBonded(), handler.ghostBonded());
        _ledger();
    }

    /// The run reached the states the invariant claims to check (each minimum is far below what a
    /// run of 160 steps reaches; see the counts with -vv), and then none is stuck: after every
    /// deadline anyone can get every escrow and bond out, to the party the rules say.
    function afterInvariant() public {
        uint256[14] memory c = [
            handler.created(),
            handler.budgetsSet(),
            handler.acceptances(),
            handler.plainFundings(),
            handler.hookedFundings(),
            handler.submissions(),
            handler.lateSubmissions(),
            handler.completions(),
            handler.openRejections(),
            handler.rejections(),
            handler.refunds(),
            handler.bondsReturnedOnExpiry(),
            handler.bondsSlashedOnExpiry(),
            handler.forbiddenRefused()
        ];
        console.log("escrow, the last run (%s steps):", handler.steps());
        console.log("  created %s, budgets set %s, acceptances %s", c[0], c[1], c[2]);
        console.log("  fundings plain %s / hooked %s, submissions %s", c[3], c[4], c[5]);
        console.log("  late submissions of a bonded job %s, completions %s", c[6], c[7]);
        console.log("  rejections open %s / funded %s, refunds %s", c[8], c[9], c[10]);
        console.log("  bonds on expiry returned %s / slashed %s, forbidden steps refused %s", c[11], c[12], c[13]);
        // a replayed, shrunk failure is shorter than a run: only full runs must reach the minimums
        if (handler.steps() >= DEPTH) {
            assertGe(c[4], 10, "too few hooked fundings");
            assertGe(c[5], 5, "too few submissions");
            assertGe(c[7], 1, "no completion");
            assertGe(c[9], 1, "no evaluator rejection");
            assertGe(c[11] + c[12], 1, "no bond settled on expiry");
            assertGe(c[13], 1, "no forbidden step tried");
        }
        _model();
        handler.sweep();
        _model();
        assertEq(handler.ghostEscrowed(), 0);
        assertEq(token.balanceOf(address(acp)), 0);
        assertEq(token.balanceOf(address(hook)), 0);
        assertEq(handler.ghostBonded(), 0);
        _ledger();
    }
}
