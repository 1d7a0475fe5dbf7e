// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {AgenticCommerce} from "../../src/commerce/AgenticCommerce.sol";
import {IACPHook} from "../../src/interfaces/IACPHook.sol";
import {ShortTransfer} from "../../src/commerce/CommerceErrors.sol";
import {CommerceFixture} from "./CommerceFixture.sol";

/// A hook that can be told to revert, to burn all its gas, or to re-enter the escrow.
contract HostileHook is IACPHook {
    enum Mode {
        Pass,
        Revert,
        BurnGas,
        Reenter
    }

    Mode public mode;
    AgenticCommerce public acp;
    bool public reentered;

    function set(Mode m, AgenticCommerce a) external {
        mode = m;
        acp = a;
    }

    function beforeAction(uint256 jobId, bytes4, bytes calldata) external {
        _act(jobId);
    }

    function afterAction(uint256 jobId, bytes4, bytes calldata) external {
        _act(jobId);
    }

    function _act(uint256 jobId) private {
        if (mode == Mode.Revert) revert("hostile");
        if (mode == Mode.BurnGas) {
            while (true) {}
        }
        if (mode == Mode.Reenter) {
            acp.claimRefund(jobId); // reverts: the escrow is non-reentrant
            reentered = true;
        }
    }
}

/// A hook that records what it is called with.
contract RecordingHook is IACPHook {
    struct Call {
        bool before;
        uint256 jobId;
        bytes4 selector;
        bytes data;
    }

    Call[] public calls;

    function beforeAction(uint256 jobId, bytes4 selector, bytes calldata data) external {
        calls.push(Call(true, jobId, selector, data));
    }

    function afterAction(uint256 jobId, bytes4 selector, bytes calldata data) external {
        calls.push(Call(false, jobId, selector, data));
    }

    function count() external view returns (uint256) {
        return calls.length;
    }
}

/// An ERC-20 that re-enters the escrow on every transfer, swallowing the outcome.
contract ReentrantToken is ERC20 {
    AgenticCommerce public acp;
    uint256 public target;
    uint256 public reentrySucceeded;
    uint256 public reentryAttempts;

    constructor() ERC20("Reentrant", "RE") {}

    function arm(AgenticCommerce a, uint256 jobId) external {
        acp = a;
        target = jobId;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (address(acp) != address(0) && target != 0) {
            reentryAttempts++;
            try acp.claimRefund(target) {
                reentrySucceeded++;
            } catch {}
            try acp.complete(target, bytes32(0), "") {
                reentrySucceeded++;
            } catch {}
        }
    }
}

/// An ERC-20 that keeps 1% of every transfer.
contract FeeToken is ERC20 {
    constructor() ERC20("Fee", "FEE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0)) return super._update(from, to, value);
        super._update(from, to, value - value / 100);
        super._update(from, address(0xFEE), value / 100);
    }
}

/// An ERC-20 whose owner can blacklist addresses (as USDC and USDT can): a transfer from or to one reverts.
contract BlacklistToken is ERC20 {
    error Blacklisted(address who);

    mapping(address => bool) public blacklisted;

    constructor() ERC20("Blacklist", "BLK") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setBlacklisted(address who, bool on) external {
        blacklisted[who] = on;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (blacklisted[from]) revert Blacklisted(from);
        if (blacklisted[to]) revert Blacklisted(to);
        super._update(from, to, value);
    }
}

contract AgenticCommerceTest is CommerceFixture {
    // ------------------------------------------------------------ happy path and transitions

    function test_HappyPathPaysTheProvider() public {
        uint256 jobId = _create(address(0));
        vm.prank(provider);
        acp.setBudget(jobId, 100e6, ""); // the provider proposes a price
        vm.startPrank(client);
        vm.expectEmit(address(acp));
        emit AgenticCommerce.JobFunded(jobId, client, 100e6);
        acp.fund(jobId, 100e6, "");
        vm.stopPrank();
        assertEq(token.balanceOf(address(acp)), 100e6);
        vm.prank(provider);
        vm.expectEmit(address(acp));
        emit AgenticCommerce.JobSubmitted(jobId, provider, keccak256("work"));
        acp.submit(jobId, keccak256("work"), "");
        uint256 before = token.balanceOf(provider);
        vm.prank(evaluator);
        vm.expectEmit(address(acp));
        emit AgenticCommerce.PaymentReleased(jobId, provider, 100e6);
        acp.complete(jobId, keccak256("looks right"), "");
        assertEq(token.balanceOf(provider) - before, 100e6);
        assertEq(token.balanceOf(address(acp)), 0);
        assertEq(acp.totalEscrowed(), 0);
        AgenticCommerce.Job memory job = acp.getJob(jobId);
        assertEq(uint8(job.status), uint8(AgenticCommerce.Status.Completed));
        assertEq(job.deliverable, keccak256("work"));
        assertEq(job.description, "summarize this");
    }

    function test_CreateJobChecksItsArguments() public {
        vm.startPrank(client);
        vm.expectRevert(AgenticCommerce.ZeroAddress.selector);
        acp.createJob(provider, address(0), block.timestamp + 1, "", address(0));
        vm.expectRevert(AgenticCommerce.BadExpiry.selector);
        acp.createJob(provider, evaluator, block.timestamp, "", address(0));
        vm.expectRevert(abi.encodeWithSelector(AgenticCommerce.NotAHook.selector, stranger));
        acp.createJob(provider, evaluator, block.timestamp + 1, "", stranger);
        assertEq(acp.createJob(address(0), evaluator, block.timestamp + 1, "", address(0)), 1);
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSelector(AgenticCommerce.UnknownJob.selector, 2));
        acp.getJob(2);
    }

    function test_ProviderSetLaterByTheClientOnly() public {
        vm.prank(client);
        uint256 jobId = acp.createJob(address(0), evaluator, block.timestamp + 1 days, "open bid", address(0));
        vm.startPrank(client);
        acp.setBudget(jobId, 5e6, "");
        vm.expectRevert(AgenticCommerce.ProviderNotSet.selector);
        acp.fund(jobId, 5e6, "");
        vm.expectRevert(AgenticCommerce.ZeroAddress.selector);
        acp.setProvider(jobId, address(0), "");
        vm.stopPrank();
        vm.prank(stranger);
        vm.expectRevert(AgenticCommerce.Unauthorized.selector);
        acp.setProvider(jobId, stranger, "");
        vm.startPrank(client);
        acp.setProvider(jobId, provider, "");
        vm.expectRevert(AgenticCommerce.ProviderAlreadySet.selector);
        acp.setProvider(jobId, stranger, "");
        acp.fund(jobId, 5e6, "");
        vm.stopPrank();
        assertEq(acp.getJob(jobId).provider, provider);
    }

    function test_BudgetRules() public {
        uint256 jobId = _create(address(0));
        vm.prank(stranger);
        vm.expectRevert(AgenticCommerce.Unauthorized.selector);
        acp.setBudget(jobId, 1, "");
        vm.startPrank(client);
        vm.expectRevert(AgenticCommerce.ZeroBudget.selector);
        acp.fund(jobId, 0, "");
        acp.setBudget(jobId, 10e6, "");
        vm.stopPrank();
        // the provider raises the price just before funding: the client's expectation protects it
        vm.prank(provider);
        acp.setBudget(jobId, 50e6, "");
        vm.startPrank(client);
        vm.expectRevert(abi.encodeWithSelector(AgenticCommerce.BudgetMismatch.selector, 50e6, 10e6));
        acp.fund(jobId, 10e6, "");
        acp.fund(jobId, 50e6, "");
        vm.expectRevert(abi.encodeWithSelector(AgenticCommerce.WrongStatus.selector, jobId, AgenticCommerce.Status.Funded));
        acp.setBudget(jobId, 1, "");
        vm.expectRevert(abi.encodeWithSelector(AgenticCommerce.WrongStatus.selector, jobId, AgenticCommerce.Status.Funded));
        acp.fund(jobId, 50e6, "");
        vm.stopPrank();
        uint256 other = _create(address(0));
        vm.prank(stranger);
        vm.expectRevert(AgenticCommerce.Unauthorized.selector);
        acp.fund(other, 0, "");
    }

    function test_OnlyTheProviderSubmitsAFundedJob() public {
        uint256 jobId = _create(address(0));
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(AgenticCommerce.WrongStatus.selector, jobId, AgenticCommerce.Status.Open));
        acp.submit(jobId, bytes32(uint256(1)), "");
        jobId = _funded(address(0), 1e6);
        vm.prank(client);
        vm.expectRevert(AgenticCommerce.Unauthorized.selector);
        acp.submit(jobId, bytes32(uint256(1)), "");
        vm.prank(provider);
        acp.submit(jobId, bytes32(uint256(1)), "");
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(AgenticCommerce.WrongStatus.selector, jobId, AgenticCommerce.Status.Submitted));
        acp.submit(jobId, bytes32(uint256(2)), "");
    }

    function test_OnlyTheEvaluatorCompletesASubmittedJob() public {
        uint256 jobId = _funded(address(0), 1e6);
        vm.prank(evaluator);
        vm.expectRevert(abi.encodeWithSelector(AgenticCommerce.WrongStatus.selector, jobId, AgenticCommerce.Status.Funded));
        acp.complete(jobId, bytes32(0), "");
        vm.prank(provider);
        acp.submit(jobId, bytes32(uint256(1)), "");
        for (uint256 k = 0; k < 3; k++) {
            vm.prank([client, provider, stranger][k]);
            vm.expectRevert(AgenticCommerce.Unauthorized.selector);
            acp.complete(jobId, bytes32(0), "");
        }
        vm.prank(evaluator);
        acp.complete(jobId, bytes32(0), "");
        vm.prank(evaluator);
        vm.expectRevert(abi.encodeWithSelector(AgenticCommerce.WrongStatus.selector, jobId, AgenticCommerce.Status.Completed));
        acp.complete(jobId, bytes32(0), "");
    }

    function test_RejectRules() public {
        // Open: the client only (no money moves)
        uint256 jobId = _create(address(0));
        vm.prank(evaluator);
        vm.expectRevert(AgenticCommerce.Unauthorized.selector);
        acp.reject(jobId, bytes32(0), "");
        vm.prank(client);
        acp.reject(jobId, bytes32(0), "");
        assertEq(uint8(_status(jobId)), uint8(AgenticCommerce.Status.Rejected));
        // Funded and Submitted: the evaluator only, and the client is refunded
        for (uint256 submitted = 0; submitted < 2; submitted++) {
            jobId = submitted == 1 ? _submitted(address(0), 7e6) : _funded(address(0), 7e6);
            vm.prank(client);
            vm.expectRevert(AgenticCommerce.Unauthorized.selector);
            acp.reject(jobId, bytes32(0), "");
            uint256 before = token.balanceOf(client);
            vm.prank(evaluator);
            vm.expectEmit(address(acp));
            emit AgenticCommerce.JobRejected(jobId, evaluator, keccak256("bad"));
            acp.reject(jobId, keccak256("bad"), "");
            assertEq(token.balanceOf(client) - before, 7e6);
            vm.prank(evaluator);
            vm.expectRevert(abi.encodeWithSelector(AgenticCommerce.WrongStatus.selector, jobId, AgenticCommerce.Status.Rejected));
            acp.reject(jobId, bytes32(0), "");
        }
        assertEq(token.balanceOf(address(acp)), 0);
    }

    function test_NothingMovesOutOfAFinalState() public {
        uint256 completed = _submitted(address(0), 1e6);
        vm.prank(evaluator);
        acp.complete(completed, bytes32(0), "");
        uint256 rejected = _funded(address(0), 1e6);
        vm.prank(evaluator);
        acp.reject(rejected, bytes32(0), "");
        uint256 expired = _funded(address(0), 1e6);
        vm.warp(block.timestamp + 1 days);
        acp.claimRefund(expired);
        uint256[3] memory ids = [completed, rejected, expired];
        for (uint256 k = 0; k < 3; k++) {
            uint256 id = ids[k];
            bytes memory wrong = abi.encodeWithSelector(AgenticCommerce.WrongStatus.selector, id, _status(id));
            vm.startPrank(client);
            vm.expectRevert(wrong);
            acp.setBudget(id, 1, "");
            vm.expectRevert(wrong);
            acp.fund(id, 1e6, "");
            vm.expectRevert(wrong);
            acp.reject(id, bytes32(0), "");
            vm.stopPrank();
            vm.prank(provider);
            vm.expectRevert(wrong);
            acp.submit(id, bytes32(0), "");
            vm.startPrank(evaluator);
            vm.expectRevert(wrong);
            acp.complete(id, bytes32(0), "");
            vm.expectRevert(wrong);
            acp.reject(id, bytes32(0), "");
            vm.stopPrank();
            vm.expectRevert(wrong);
            acp.claimRefund(id);
        }
        assertEq(token.balanceOf(address(acp)), 0);
    }

    function test_BudgetAndProviderAreFixedOnceFunded() public {
        vm.prank(client);
        uint256 jobId = acp.createJob(address(0), evaluator, block.timestamp + 1 days, "", address(0));
        vm.startPrank(client);
        acp.setProvider(jobId, provider, "");
        acp.setBudget(jobId, 2e6, "");
        acp.fund(jobId, 2e6, "");
        vm.expectRevert(abi.encodeWithSelector(AgenticCommerce.WrongStatus.selector, jobId, AgenticCommerce.Status.Funded));
        acp.setProvider(jobId, stranger, "");
        vm.stopPrank();
        vm.prank(provider);
        acp.submit(jobId, bytes32(uint256(1)), "");
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(AgenticCommerce.WrongStatus.selector, jobId, AgenticCommerce.Status.Submitted));
        acp.setBudget(jobId, 9e6, "");
    }

    function test_AnExpiredJobCannotBeFunded() public {
        uint256 jobId = _create(address(0));
        vm.prank(client);
        acp.setBudget(jobId, 1e6, "");
        vm.warp(block.timestamp + 1 days);
        vm.prank(client);
        vm.expectRevert(abi.encodeWithSelector(AgenticCommerce.PastExpiry.selector, uint64(block.timestamp)));
        acp.fund(jobId, 1e6, "");
    }

    function test_HooksGetEachCallsArgumentsAsTheErcEncodesThem() public {
        RecordingHook h = new RecordingHook();
        vm.prank(client);
        uint256 jobId = acp.createJob(address(0), evaluator, block.timestamp + 1 days, "", address(h));
        vm.startPrank(client);
        acp.setProvider(jobId, provider, hex"01");
        acp.setBudget(jobId, 3e6, hex"02");
        acp.fund(jobId, 3e6, hex"03");
        vm.stopPrank();
        vm.prank(provider);
        acp.submit(jobId, bytes32(uint256(7)), hex"04");
        vm.prank(evaluator);
        acp.complete(jobId, bytes32(uint256(8)), hex"05");
        vm.warp(block.timestamp + 2 days);
        bytes4[5] memory sel = [acp.setProvider.selector, acp.setBudget.selector, acp.fund.selector, acp.submit.selector, acp.complete.selector];
        bytes[5] memory data = [
            abi.encode(provider, hex"01"),
            abi.encode(uint256(3e6), hex"02"),
            bytes(hex"03"),
            abi.encode(bytes32(uint256(7)), hex"04"),
            abi.encode(bytes32(uint256(8)), hex"05")
        ];
        assertEq(h.count(), 10);
        for (uint256 k = 0; k < 10; k++) {
            (bool before, uint256 id, bytes4 selector, bytes memory d) = h.calls(k);
            assertEq(before, k % 2 == 0);
            assertEq(id, jobId);
            assertEq(selector, sel[k / 2]);
            assertEq(d, data[k / 2]);
        }
        // reject is hooked the same way; claimRefund never is
        uint256 other = _funded(address(h), 1e6);
        vm.prank(evaluator);
        acp.reject(other, bytes32(uint256(9)), hex"06");
        (,, bytes4 rs, bytes memory rd) = h.calls(h.count() - 1);
        assertEq(rs, acp.reject.selector);
        assertEq(rd, abi.encode(bytes32(uint256(9)), hex"06"));
        uint256 late = _funded(address(h), 1e6);
        uint256 n = h.count();
        vm.warp(block.timestamp + 2 days);
        acp.claimRefund(late);
        assertEq(h.count(), n);
    }

    function test_ClaimRefundAfterExpiryByAnyone() public {
        uint256 open = _create(address(0));
        uint256 funded = _funded(address(0), 3e6);
        uint256 submitted = _submitted(address(0), 4e6);
        vm.expectRevert(abi.encodeWithSelector(AgenticCommerce.BeforeExpiry.selector, uint64(block.timestamp + 1 days)));
        acp.claimRefund(funded);
        vm.warp(block.timestamp + 1 days);
        vm.expectRevert(abi.encodeWithSelector(AgenticCommerce.WrongStatus.selector, open, AgenticCommerce.Status.Open));
        acp.claimRefund(open);
        uint256 before = token.balanceOf(client);
        vm.startPrank(stranger);
        acp.claimRefund(funded);
        acp.claimRefund(submitted);
        vm.expectRevert(abi.encodeWithSelector(AgenticCommerce.WrongStatus.selector, funded, AgenticCommerce.Status.Expired));
        acp.claimRefund(funded);
        vm.stopPrank();
        assertEq(token.balanceOf(client) - before, 7e6);
        // after expiry a submitted job can still be evaluated until someone claims the refund
        uint256 late = _submitted(address(0), 1e6);
        vm.warp(block.timestamp + 2 days);
        vm.prank(evaluator);
        acp.complete(late, bytes32(0), "");
    }

    /// Any budget, any path, with or without the job hook: the budget ends with exactly one of
    /// client or provider, the provider's bond with the party the rules name, and nothing stays
    /// in the escrow or the hook.
    function testFuzz_EveryPathSettlesTheWholeBudget(uint96 budget, uint8 path, uint32 wait, bool hooked) public {
        budget = uint96(bound(budget, 1, 1_000_000e6));
        path = uint8(bound(path, 0, 4)); // reject funded, expire funded, reject / complete / expire submitted
        wait = uint32(bound(wait, 0, 2 days)); // the job expires after 1 day: both sides of it
        uint256 bond = hooked ? uint256(budget) * BOND_BPS / 10_000 : 0;
        uint256 c0 = token.balanceOf(client);
        uint256 p0 = token.balanceOf(provider);
        uint256 jobId = _funded(hooked ? address(hook) : address(0), budget);
        if (path >= 2) {
            vm.prank(provider);
            acp.submit(jobId, keccak256(abi.encode(budget)), ""); // a day before the expiry: in time for review
        }
        vm.warp(block.timestamp + wait);
        uint64 expiredAt = acp.getJob(jobId).expiredAt;
        bool bondToProvider;
        if (path == 0 || path == 2) {
            vm.prank(evaluator);
            acp.reject(jobId, bytes32(0), "");
        } else if (path == 3) {
            vm.prank(evaluator);
            acp.complete(jobId, bytes32(0), "");
            bondToProvider = true;
        } else if (block.timestamp < expiredAt) {
            vm.expectRevert(abi.encodeWithSelector(AgenticCommerce.BeforeExpiry.selector, expiredAt));
            acp.claimRefund(jobId);
            return;
        } else {
            acp.claimRefund(jobId);
            if (bond != 0) hook.settleExpired(jobId);
            bondToProvider = path == 4;
        }
        assertEq(token.balanceOf(address(acp)), 0);
        assertEq(token.balanceOf(address(hook)), 0);
        int256 toProvider = int256(token.balanceOf(provider)) - int256(p0);
        int256 toClient = int256(token.balanceOf(client)) - int256(c0);
        assertEq(toProvider + toClient, 0, "money created or lost");
        assertEq(toProvider, (path == 3 ? int256(uint256(budget)) : int256(0)) - (bondToProvider ? int256(0) : int256(bond)));
    }

    // ------------------------------------------------------------ hooks cannot lock money

    function test_ARevertingHookBlocksActionsButNeverTheRefund() public {
        HostileHook h = new HostileHook();
        uint256 jobId = _funded(address(h), 9e6);
        h.set(HostileHook.Mode.Revert, acp);
        vm.prank(provider);
        vm.expectRevert(bytes("hostile"));
        acp.submit(jobId, bytes32(uint256(1)), "");
        vm.prank(evaluator);
        vm.expectRevert(bytes("hostile"));
        acp.reject(jobId, bytes32(0), "");
        vm.warp(block.timestamp + 1 days);
        uint256 before = token.balanceOf(client);
        acp.claimRefund(jobId);
        assertEq(token.balanceOf(client) - before, 9e6);
    }

    function test_AGasBurningHookIsBoundedAndCannotBlockTheRefund() public {
        HostileHook h = new HostileHook();
        uint256 jobId = _funded(address(h), 9e6);
        h.set(HostileHook.Mode.BurnGas, acp);
        vm.prank(provider);
        uint256 g = gasleft();
        vm.expectRevert();
        acp.submit{gas: 5_000_000}(jobId, bytes32(uint256(1)), "");
        assertLt(g - gasleft(), HOOK_GAS + 200_000); // the hook got its limit, no more
        vm.warp(block.timestamp + 1 days);
        acp.claimRefund(jobId);
        assertEq(token.balanceOf(address(acp)), 0);
    }

    function test_AHookCannotReenterTheEscrow() public {
        HostileHook h = new HostileHook();
        uint256 jobId = _funded(address(h), 9e6);
        h.set(HostileHook.Mode.Reenter, acp);
        vm.warp(block.timestamp + 1 days);
        vm.prank(evaluator);
        vm.expectRevert(ReentrancyGuard.ReentrancyGuardReentrantCall.selector);
        acp.reject(jobId, bytes32(0), "");
        assertFalse(h.reentered());
        assertEq(token.balanceOf(address(acp)), 9e6);
        acp.claimRefund(jobId); // claimRefund calls no hook
        assertEq(token.balanceOf(address(acp)), 0);
    }

    function test_AReentrantTokenCannotDrainOrDoubleSettle() public {
        ReentrantToken rt = new ReentrantToken();
        AgenticCommerce racp = new AgenticCommerce(IERC20(address(rt)), HOOK_GAS);
        rt.mint(client, 100e6);
        vm.startPrank(client);
        rt.approve(address(racp), type(uint256).max);
        uint256 a = racp.createJob(provider, evaluator, block.timestamp + 1 days, "a", address(0));
        uint256 b = racp.createJob(provider, evaluator, block.timestamp + 1 days, "b", address(0));
        racp.setBudget(a, 10e6, "");
        racp.setBudget(b, 20e6, "");
        racp.fund(a, 10e6, "");
        vm.stopPrank();
        rt.arm(racp, a); // the pull of b's budget tries to settle job a from inside
        vm.prank(client);
        racp.fund(b, 20e6, "");
        assertEq(rt.reentrySucceeded(), 0);
        assertEq(uint8(racp.getJob(a).status), uint8(AgenticCommerce.Status.Funded));
        rt.arm(AgenticCommerce(address(0)), 0);
        vm.prank(provider);
        racp.submit(b, bytes32(uint256(1)), "");
        rt.arm(racp, b); // every transfer now tries to settle job b from inside
        vm.warp(block.timestamp + 1 days);
        racp.claimRefund(a);
        assertGt(rt.reentryAttempts(), 0);
        assertEq(rt.reentrySucceeded(), 0);
        assertEq(rt.balanceOf(address(racp)), 20e6);
        assertEq(racp.totalEscrowed(), 20e6);
        assertEq(uint8(racp.getJob(b).status), uint8(AgenticCommerce.Status.Submitted));
    }

    function test_AFeeOnTransferTokenCannotShortTheEscrow() public {
        FeeToken ft = new FeeToken();
        AgenticCommerce facp = new AgenticCommerce(IERC20(address(ft)), HOOK_GAS);
        ft.mint(client, 100e6);
        vm.startPrank(client);
        ft.approve(address(facp), type(uint256).max);
        uint256 jobId = facp.createJob(provider, evaluator, block.timestamp + 1 days, "", address(0));
        facp.setBudget(jobId, 10e6, "");
        vm.expectRevert(abi.encodeWithSelector(ShortTransfer.selector, 9.9e6, 10e6));
        facp.fund(jobId, 10e6, "");
        vm.stopPrank();
    }

    /// Payments are pushed, not pulled: a blacklisted payee makes that job's settlement revert, and
    /// only that job's. The budget stays escrowed; the other party's path (here the refund after
    /// expiry) still works.
    function test_ABlacklistedPayeeMakesOnlyItsOwnSettlementRevert() public {
        BlacklistToken bt = new BlacklistToken();
        AgenticCommerce bacp = new AgenticCommerce(IERC20(address(bt)), HOOK_GAS);
        bt.mint(client, 100e6);
        vm.startPrank(client);
        bt.approve(address(bacp), type(uint256).max);
        uint256 blocked = bacp.createJob(provider, evaluator, block.timestamp + 1 days, "", address(0));
        uint256 other = bacp.createJob(stranger, evaluator, block.timestamp + 1 days, "", address(0));
        bacp.setBudget(blocked, 10e6, "");
        bacp.fund(blocked, 10e6, "");
        bacp.setBudget(other, 5e6, "");
        bacp.fund(other, 5e6, "");
        vm.stopPrank();
        vm.prank(provider);
        bacp.submit(blocked, keccak256("work"), "");
        vm.prank(stranger);
        bacp.submit(other, keccak256("other work"), "");

        bt.setBlacklisted(provider, true);
        vm.prank(evaluator);
        vm.expectRevert(abi.encodeWithSelector(BlacklistToken.Blacklisted.selector, provider));
        bacp.complete(blocked, bytes32(0), "");
        assertEq(uint8(bacp.getJob(blocked).status), uint8(AgenticCommerce.Status.Submitted));
        assertEq(bt.balanceOf(address(bacp)), 15e6);

        // Another job with the same token settles as usual.
        vm.prank(evaluator);
        bacp.complete(other, bytes32(0), "");
        assertEq(bt.balanceOf(stranger), 5e6);

        // The client's refund after expiry is not blocked by the provider's blacklisting.
        vm.warp(block.timestamp + 1 days + 1);
        bacp.claimRefund(blocked);
        assertEq(bt.balanceOf(client), 100e6 - 5e6);
        assertEq(bt.balanceOf(address(bacp)), 0);
    }
}
