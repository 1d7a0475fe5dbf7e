// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, console} from "forge-std/Test.sol";
import {StdInvariant} from "forge-std/StdInvariant.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {PoseidonT3} from "poseidon-solidity/PoseidonT3.sol";
import {CreditPool} from "../../src/zkpay/CreditPool.sol";
import {ICreditVerifier} from "../../src/interfaces/ICreditVerifier.sol";
import {IExitVerifier} from "../../src/interfaces/IExitVerifier.sol";
import {CreditVerifier} from "../../src/zk/CreditVerifier.sol";
import {ExitVerifier} from "../../src/zk/ExitVerifier.sol";
import {DevToken} from "../../src/DevToken.sol";

/// Answers every proof with `answer` (for the pool's own logic; real proofs are tested below).
contract MockVerifier {
    bool public answer = true;

    function set(bool a) external {
        answer = a;
    }

    function verifyProof(uint256[2] calldata, uint256[2][2] calldata, uint256[2] calldata, uint256[3] calldata)
        external
        view
        returns (bool)
    {
        return answer;
    }

    function verifyProof(uint256[2] calldata, uint256[2][2] calldata, uint256[2] calldata, uint256[5] calldata)
        external
        view
        returns (bool)
    {
        return answer;
    }
}

/// An exit "proof" that commits to its public signals: a[0] = exitCommit(leaf, recipient, scope).
/// Stands in for the Groth16 binding (which the real-proof tests below check), so that the pool's
/// own checks of what it binds (the deposit's leaf, the recipient, `exitScope(index)`) can be tested.
contract CommitVerifier {
    function verifyProof(uint256[2] calldata a, uint256[2][2] calldata, uint256[2] calldata, uint256[3] calldata pub)
        external
        pure
        returns (bool)
    {
        return a[0] == exitCommit(pub[0], pub[1], pub[2]);
    }

    function verifyProof(uint256[2] calldata, uint256[2][2] calldata, uint256[2] calldata, uint256[5] calldata)
        external
        pure
        returns (bool)
    {
        return true;
    }
}

function exitCommit(uint256 leaf, uint256 recipient, uint256 scope) pure returns (uint256) {
    return uint256(keccak256(abi.encode(leaf, recipient, scope)));
}

/// Like a pairing check starved of gas: burns what it is given and answers false.
contract StarvedVerifier {
    function verifyProof(uint256[2] calldata, uint256[2][2] calldata, uint256[2] calldata, uint256[3] calldata)
        external
        view
        returns (bool)
    {
        uint256 x;
        while (gasleft() > 3_000) x++;
        return x == type(uint256).max;
    }
}

/// LeanIMT siblings of `index` (lone nodes move up unchanged), as the pool's remove() wants them.
library LeanIMTProof {
    function siblings(uint256[] memory leaves, uint256 index) internal pure returns (uint256[] memory out) {
        uint256[] memory level = leaves;
        uint256[] memory tmp = new uint256[](32);
        uint256 n;
        while (level.length > 1) {
            uint256 sib = index ^ 1;
            if (sib < level.length) tmp[n++] = level[sib];
            uint256[] memory next = new uint256[]((level.length + 1) / 2);
            for (uint256 i; i < next.length; i++) {
                next[i] = 2 * i + 1 < level.length ? PoseidonT3.hash([level[2 * i], level[2 * i + 1]]) : level[2 * i];
            }
            level = next;
            index >>= 1;
        }
        out = new uint256[](n);
        for (uint256 i; i < n; i++) out[i] = tmp[i];
    }

    /// The LeanIMT root of `leaves` (0 for none), rebuilt from scratch.
    function root(uint256[] memory leaves) internal pure returns (uint256) {
        if (leaves.length == 0) return 0;
        uint256[] memory level = leaves;
        while (level.length > 1) {
            uint256[] memory next = new uint256[]((level.length + 1) / 2);
            for (uint256 i; i < next.length; i++) {
                next[i] = 2 * i + 1 < level.length ? PoseidonT3.hash([level[2 * i], level[2 * i + 1]]) : level[2 * i];
            }
            level = next;
        }
        return level[0];
    }
}

abstract contract PoolFixture is Test {
    uint256 internal constant PRICE = 0.001 ether;
    uint256 internal constant STAKE = 0.1 ether;
    uint256 internal constant WINDOW = 10 minutes;
    uint256 internal constant DELAY = 1 hours;
    address internal provider = makeAddr("provider");
    address internal user = makeAddr("user");

    function _pool(IERC20 token, address creditV, address exitV) internal returns (CreditPool) {
        return new CreditPool(token, provider, PRICE, STAKE, WINDOW, DELAY, ICreditVerifier(creditV), IExitVerifier(exitV));
    }

    function _proof() internal pure returns (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c) {}
}

contract CreditPoolTest is PoolFixture {
    CreditPool internal pool;
    MockVerifier internal mock;
    uint256[] internal leaves;

    function setUp() public {
        mock = new MockVerifier();
        pool = _pool(IERC20(address(0)), address(mock), address(mock));
        vm.deal(user, 100 ether);
    }

    function _deposit(uint256 sk, uint256 tickets) internal returns (uint256 index, uint256 leaf) {
        leaf = pool.creditLeaf(sk, tickets);
        vm.prank(user);
        index = pool.deposit{value: tickets * PRICE + STAKE}(leaf, tickets);
        leaves.push(leaf);
    }

    function test_ConfigIsChecked() public {
        vm.expectRevert(CreditPool.BadConfig.selector);
        new CreditPool(IERC20(address(0)), provider, PRICE, STAKE, DELAY, WINDOW, ICreditVerifier(address(mock)), IExitVerifier(address(mock)));
        vm.expectRevert(CreditPool.BadConfig.selector);
        new CreditPool(IERC20(address(0)), provider, PRICE, STAKE, WINDOW, 400 days, ICreditVerifier(address(mock)), IExitVerifier(address(mock)));
        vm.expectRevert(CreditPool.BadConfig.selector);
        new CreditPool(IERC20(address(0)), provider, PRICE, STAKE, WINDOW, DELAY, ICreditVerifier(address(mock)), IExitVerifier(address(0)));
        // the exit delay must leave SLASH_MARGIN after the root window: one second less is refused
        uint256 margin = pool.SLASH_MARGIN();
        vm.expectRevert(CreditPool.BadConfig.selector);
        new CreditPool(IERC20(address(0)), provider, PRICE, STAKE, WINDOW, WINDOW + margin - 1, ICreditVerifier(address(mock)), IExitVerifier(address(mock)));
        new CreditPool(IERC20(address(0)), provider, PRICE, STAKE, WINDOW, WINDOW + margin, ICreditVerifier(address(mock)), IExitVerifier(address(mock)));
        vm.expectRevert(CreditPool.BadConfig.selector); // not an overflow panic
        new CreditPool(IERC20(address(0)), provider, PRICE, STAKE, type(uint256).max, DELAY, ICreditVerifier(address(mock)), IExitVerifier(address(mock)));
        assertLt(pool.scope(), 21888242871839275222246405745257275088548364400416034343698204186575808495617);
    }

    function testFuzz_DepositPaysTicketsAndLocksStake(uint256 sk, uint32 tickets) public {
        sk = bound(sk, 1, 1e70);
        tickets = uint32(bound(tickets, 1, 10_000));
        uint256 rootBefore = pool.currentRoot();
        (uint256 index,) = _deposit(sk, tickets);
        assertEq(index, 0);
        assertEq(pool.providerBalance(), uint256(tickets) * PRICE);
        assertEq(pool.lockedStakes(), STAKE);
        assertEq(address(pool).balance, pool.providerBalance() + pool.lockedStakes());
        assertTrue(pool.currentRoot() != rootBefore);
        assertTrue(pool.isKnownRoot(pool.currentRoot()));
    }

    /// Any amount but the exact one, up to 50 ether (the user's funds), over- or under-paying.
    function testFuzz_WrongPaymentReverts(uint256 value) public {
        uint256 expected = 5 * PRICE + STAKE;
        value = bound(value, 0, 50 ether - 1);
        if (value >= expected) value += 1; // every value but `expected`, none filtered away
        uint256 leaf = pool.creditLeaf(7, 5);
        vm.expectRevert(abi.encodeWithSelector(CreditPool.BadPayment.selector, expected, value));
        vm.prank(user);
        pool.deposit{value: value}(leaf, 5);
    }

    function test_BadTicketsAndLeaves() public {
        vm.startPrank(user);
        vm.expectRevert(CreditPool.BadTickets.selector);
        pool.deposit{value: STAKE}(1, 0);
        vm.expectRevert(CreditPool.BadTickets.selector);
        pool.deposit(1, uint256(type(uint32).max) + 1);
        pool.deposit{value: PRICE + STAKE}(42, 1);
        vm.expectRevert(abi.encodeWithSelector(CreditPool.LeafUsed.selector, 42));
        pool.deposit{value: PRICE + STAKE}(42, 1);
        vm.expectRevert(CreditPool.BadLeaf.selector);
        pool.deposit{value: PRICE + STAKE}(type(uint256).max, 1);
        vm.expectRevert(CreditPool.BadLeaf.selector);
        pool.deposit{value: PRICE + STAKE}(21888242871839275222246405745257275088548364400416034343698204186575808495617, 1);
        vm.expectRevert(CreditPool.BadLeaf.selector);
        pool.deposit{value: PRICE + STAKE}(0, 1);
        vm.stopPrank();
    }

    function test_TokenPool() public {
        DevToken token = new DevToken("Dev USD", "dUSD", 6, 1e30);
        CreditPool tp =
            new CreditPool(IERC20(address(token)), provider, 1_000, 50_000, WINDOW, DELAY, ICreditVerifier(address(mock)), IExitVerifier(address(mock)));
        token.mint(user, 1e12);
        vm.startPrank(user);
        token.approve(address(tp), type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(CreditPool.BadPayment.selector, 0, 1));
        tp.deposit{value: 1}(5, 10);
        tp.deposit(5, 10);
        vm.stopPrank();
        assertEq(token.balanceOf(address(tp)), 10 * 1_000 + 50_000);
        vm.prank(provider);
        tp.withdraw(provider);
        assertEq(token.balanceOf(provider), 10_000);
    }

    function testFuzz_SlashPaysTheProviderNotTheCaller(uint256 sk, address caller) public {
        sk = bound(sk, 1, 1e70);
        vm.assume(caller != provider && caller != address(pool));
        (uint256 index,) = _deposit(sk, 3);
        _deposit(sk + 1, 4);
        uint256 callerBefore = caller.balance;
        uint256 earned = pool.providerBalance();
        uint256[] memory siblings = LeanIMTProof.siblings(leaves, index);
        vm.expectRevert(CreditPool.WrongSecret.selector);
        vm.prank(caller);
        pool.slash(sk + 2, 3, index, siblings);
        vm.prank(caller);
        pool.slash(sk, 3, index, siblings);
        assertEq(pool.providerBalance(), earned + STAKE);
        assertEq(caller.balance, callerBefore);
        assertEq(pool.lockedStakes(), STAKE);
        (,, CreditPool.Status status,,) = pool.deposits(index);
        assertEq(uint256(status), uint256(CreditPool.Status.Slashed));
        vm.expectRevert(abi.encodeWithSelector(CreditPool.NotActive.selector, index));
        pool.slash(sk, 3, index, new uint256[](0));
        assertEq(address(pool).balance, pool.providerBalance() + pool.lockedStakes());
    }

    function test_ExitAfterDelayAndSlashableWhileExiting() public {
        (uint256 a,) = _deposit(11, 2);
        (uint256 b,) = _deposit(12, 2);
        address payable recipient = payable(makeAddr("fresh-recipient"));
        (uint256[2] memory pa, uint256[2][2] memory pb, uint256[2] memory pc) = _proof();
        mock.set(false);
        vm.expectRevert(CreditPool.InvalidProof.selector);
        pool.requestExit(a, recipient, pa, pb, pc);
        mock.set(true);
        pool.requestExit(a, recipient, pa, pb, pc);
        leaves[a] = 0;
        vm.expectRevert();
        pool.finalizeExit(a);
        vm.warp(block.timestamp + DELAY);
        pool.finalizeExit(a);
        assertEq(recipient.balance, STAKE);
        // b exits too, but is caught double-spending during the delay: slashed, never paid out
        pool.requestExit(b, recipient, pa, pb, pc);
        pool.slash(12, 2, b, new uint256[](0));
        vm.warp(block.timestamp + DELAY);
        vm.expectRevert(abi.encodeWithSelector(CreditPool.NotExiting.selector, b));
        pool.finalizeExit(b);
        assertEq(address(pool).balance, pool.providerBalance() + pool.lockedStakes());
        assertEq(pool.lockedStakes(), 0);
    }

    function test_OldRootsAcceptedOnlyWithinTheWindow() public {
        _deposit(21, 1);
        uint256 first = pool.currentRoot();
        vm.warp(block.timestamp + 100);
        _deposit(22, 1);
        assertTrue(pool.isKnownRoot(first));
        vm.warp(block.timestamp + WINDOW);
        assertTrue(pool.isKnownRoot(first));
        vm.warp(block.timestamp + 1);
        assertFalse(pool.isKnownRoot(first));
        assertTrue(pool.isKnownRoot(pool.currentRoot()));
        assertFalse(pool.isKnownRoot(12345));
        assertFalse(pool.isKnownRoot(0));
    }

    function test_OnlyTheProviderWithdraws() public {
        _deposit(31, 50);
        vm.expectRevert(CreditPool.NotProvider.selector);
        pool.withdraw(user);
        vm.prank(provider);
        pool.withdraw(provider);
        assertEq(provider.balance, 50 * PRICE);
        assertEq(pool.providerBalance(), 0);
    }

    function test_TooLittleGasForTheVerifierReverts() public {
        StarvedVerifier starved = new StarvedVerifier();
        CreditPool sp = _pool(IERC20(address(0)), address(mock), address(starved));
        uint256 leaf = sp.creditLeaf(41, 1);
        vm.prank(user);
        sp.deposit{value: PRICE + STAKE}(leaf, 1);
        (uint256[2] memory pa, uint256[2][2] memory pb, uint256[2] memory pc) = _proof();
        // below the floor: refused before verifying
        vm.expectRevert(CreditPool.InsufficientGasForVerification.selector);
        sp.requestExit{gas: 200_000}(0, user, pa, pb, pc);
        // enough to pass the floor, but the verifier runs dry and answers false: still a revert, not "invalid"
        vm.expectRevert(CreditPool.InsufficientGasForVerification.selector);
        sp.requestExit{gas: 400_000}(0, user, pa, pb, pc);
    }

    /// A deposit of `n` fresh leaves, mined (as forge runs it) in the same block as what follows.
    function _depositMany(uint256 seed, uint256 n) internal {
        for (uint256 k; k < n; k++) _deposit(uint256(keccak256(abi.encode(seed, k))) % 1e70 + 1, 1);
    }

    /// The front-run that reverted an honest exit: deposits (and another exit and a slash) mined
    /// ahead of it in the same block change the root. The exit takes no siblings, so it lands, and
    /// the pool's root is the tree of its leaves with this one zeroed.
    function testFuzz_ExitUnderConcurrentInsertions(uint8 before, uint8 ahead) public {
        before = uint8(bound(before, 0, 9));
        ahead = uint8(bound(ahead, 1, 9));
        _depositMany(1, before);
        (uint256 mine,) = _deposit(777, 3);
        (uint256 other,) = _deposit(778, 3);
        // what an exit prepared now would have needed, and that a front-run made stale
        uint256[] memory stale = LeanIMTProof.siblings(leaves, mine);
        uint256 rootWhenPrepared = pool.currentRoot();
        _depositMany(2, ahead);
        pool.slash(778, 3, other, stale); // another removal ahead, with siblings good for no current root
        leaves[other] = 0;
        assertTrue(pool.currentRoot() != rootWhenPrepared);
        (uint256[2] memory pa, uint256[2][2] memory pb, uint256[2] memory pc) = _proof();
        pool.requestExit(mine, user, pa, pb, pc);
        leaves[mine] = 0;
        assertEq(pool.currentRoot(), LeanIMTProof.root(leaves), "the pool's root is not the tree of its leaves");
        for (uint256 k; k < leaves.length; k++) assertEq(pool.node(0, k), leaves[k]);
        vm.warp(block.timestamp + DELAY);
        pool.finalizeExit(mine);
        assertEq(user.balance, 100 ether - (before + ahead) * (PRICE + STAKE) - 2 * (3 * PRICE + STAKE) + STAKE);
    }

    /// The dodge: a cheater gets a tree-changing transaction mined ahead of the provider's slash
    /// (here deposits, then its own requestExit). The slash ignores siblings, so it lands on the
    /// Exiting deposit; the stake goes to the provider and the exit never pays out.
    function testFuzz_SlashWhileExitingCannotBeDodged(uint8 ahead, uint256 junk) public {
        ahead = uint8(bound(ahead, 0, 9));
        (uint256 cheat,) = _deposit(900, 5);
        _deposit(901, 5);
        uint256[] memory prepared = LeanIMTProof.siblings(leaves, cheat);
        _depositMany(3, ahead);
        (uint256[2] memory pa, uint256[2][2] memory pb, uint256[2] memory pc) = _proof();
        address loot = makeAddr("cheater-recipient");
        pool.requestExit(cheat, loot, pa, pb, pc);
        leaves[cheat] = 0;
        uint256 rootAfterExit = pool.currentRoot();
        uint256 earned = pool.providerBalance();
        prepared[0] = junk; // whatever the siblings, the Exiting deposit is slashed
        pool.slash(900, 5, cheat, prepared);
        assertEq(pool.currentRoot(), rootAfterExit, "the leaf left the tree at requestExit; the slash changes no root");
        assertEq(pool.providerBalance(), earned + STAKE);
        (,, CreditPool.Status status,,) = pool.deposits(cheat);
        assertEq(uint8(status), uint8(CreditPool.Status.Slashed));
        vm.warp(block.timestamp + DELAY);
        vm.expectRevert(abi.encodeWithSelector(CreditPool.NotExiting.selector, cheat));
        pool.finalizeExit(cheat);
        assertEq(loot.balance, 0);
        assertEq(pool.currentRoot(), LeanIMTProof.root(leaves));
    }

    /// Whatever the window and delay the constructor accepts, a credit proof of an exiting leaf is
    /// accepted (through its last root) until rootWindow after requestExit and no longer, and the
    /// stake stays slashable for at least SLASH_MARGIN after that.
    function testFuzz_ExitDelayLeavesTimeToSlash(uint256 window, uint256 delay) public {
        window = bound(window, 0, 30 days);
        delay = bound(delay, window + pool.SLASH_MARGIN(), 365 days);
        CreditPool p = new CreditPool(IERC20(address(0)), provider, PRICE, STAKE, window, delay, ICreditVerifier(address(mock)), IExitVerifier(address(mock)));
        vm.startPrank(user);
        p.deposit{value: PRICE + STAKE}(p.creditLeaf(5, 1), 1);
        p.deposit{value: PRICE + STAKE}(p.creditLeaf(6, 1), 1);
        vm.stopPrank();
        uint256 last = p.currentRoot(); // the last root with the leaf in it
        uint256 t0 = block.timestamp;
        (uint256[2] memory pa, uint256[2][2] memory pb, uint256[2] memory pc) = _proof();
        p.requestExit(0, user, pa, pb, pc);
        (,,, uint64 availableAt,) = p.deposits(0);
        assertGe(availableAt, t0 + window + p.SLASH_MARGIN());
        vm.warp(t0 + window);
        assertTrue(p.isKnownRoot(last));
        vm.warp(t0 + window + 1);
        assertFalse(p.isKnownRoot(last));
        vm.warp(availableAt - 1);
        vm.expectRevert(abi.encodeWithSelector(CreditPool.ExitNotReady.selector, availableAt));
        p.finalizeExit(0);
        p.slash(5, 1, 0, new uint256[](0));
        assertEq(p.providerBalance(), 2 * PRICE + STAKE);
    }

    /// A leaf is deposited once, ever: not while it is live, nor after it exited or was slashed.
    function test_NoRedepositOfAUsedLeaf() public {
        (uint256 a, uint256 leafA) = _deposit(51, 2);
        (uint256 b, uint256 leafB) = _deposit(52, 2);
        (, uint256 leafC) = _deposit(53, 2);
        (uint256[2] memory pa, uint256[2][2] memory pb, uint256[2] memory pc) = _proof();
        pool.requestExit(a, user, pa, pb, pc);
        vm.warp(block.timestamp + DELAY);
        pool.finalizeExit(a);
        pool.slash(52, 2, b, new uint256[](0));
        uint256[3] memory used = [leafA, leafB, leafC];
        vm.startPrank(user);
        for (uint256 k; k < 3; k++) {
            assertTrue(pool.usedLeaf(used[k]));
            vm.expectRevert(abi.encodeWithSelector(CreditPool.LeafUsed.selector, used[k]));
            pool.deposit{value: 2 * PRICE + STAKE}(used[k], 2);
        }
        vm.stopPrank();
        assertFalse(pool.usedLeaf(pool.creditLeaf(54, 2)));
        assertEq(pool.size(), 3);
    }

    /// An exit proof names its deposit through `scope` = exitScope(index): one made for another
    /// deposit, another pool or another recipient is refused, even for the very same leaf.
    function testFuzz_ExitIsBoundToItsDeposit(uint256 sk, uint256 j) public {
        sk = bound(sk, 1, 1e70);
        CommitVerifier commit = new CommitVerifier();
        CreditPool p = _pool(IERC20(address(0)), address(mock), address(commit));
        CreditPool q = _pool(IERC20(address(0)), address(mock), address(commit));
        uint256 leaf = p.creditLeaf(sk, 2);
        vm.startPrank(user);
        p.deposit{value: PRICE + STAKE}(p.creditLeaf(sk + 1, 1), 1);
        uint256 i = p.deposit{value: 2 * PRICE + STAKE}(leaf, 2);
        q.deposit{value: PRICE + STAKE}(q.creditLeaf(sk + 1, 1), 1);
        q.deposit{value: 2 * PRICE + STAKE}(leaf, 2); // the same leaf at the same index of another pool
        vm.stopPrank();
        vm.assume(j != i);
        assertTrue(p.exitScope(i) != p.exitScope(j) && p.exitScope(i) != q.exitScope(i) && p.exitScope(i) != p.scope());
        assertLt(p.exitScope(j), 21888242871839275222246405745257275088548364400416034343698204186575808495617);
        _exitRefused(p, i, user, leaf, p.exitScope(j)); // made for deposit j
        _exitRefused(p, i, user, leaf, p.scope()); // for the pool's credit scope (the old binding)
        _exitRefused(p, i, user, leaf, q.exitScope(i)); // for the same index of the other pool
        _exitRefused(p, i, makeAddr("thief"), leaf, p.exitScope(i)); // good, but for another recipient
        uint256[2] memory good = [exitCommit(leaf, uint256(uint160(user)), p.exitScope(i)), 0];
        uint256[2][2] memory pb;
        p.requestExit(i, user, good, pb, good);
        (,, CreditPool.Status status,, address to) = p.deposits(i);
        assertEq(uint8(status), uint8(CreditPool.Status.Exiting));
        assertEq(to, user);
        // the same proof, replayed once the deposit has left, is refused
        vm.expectRevert(abi.encodeWithSelector(CreditPool.NotActive.selector, i));
        p.requestExit(i, user, good, pb, good);
    }

    /// requestExit(i, to) with a proof of `leaf` for user's address and `scope` is refused; i stays Active.
    function _exitRefused(CreditPool p, uint256 i, address to, uint256 leaf, uint256 scope) internal {
        uint256[2] memory a = [exitCommit(leaf, uint256(uint160(user)), scope), 0];
        uint256[2][2] memory b;
        vm.expectRevert(CreditPool.InvalidProof.selector);
        p.requestExit(i, to, a, b, a);
        (,, CreditPool.Status status,,) = p.deposits(i);
        assertEq(uint8(status), uint8(CreditPool.Status.Active));
    }
}

/// The circuits and the contracts agree: Poseidon leaves, LeanIMT roots, Groth16 verifiers.
contract CreditPoolRealProofsTest is PoolFixture {
    CreditPool internal pool;
    CreditVerifier internal creditVerifier;
    ExitVerifier internal exitVerifier;
    string internal fixture;

    function setUp() public {
        creditVerifier = new CreditVerifier();
        exitVerifier = new ExitVerifier();
        // deployed from a fixed address at nonce 0, so its scope is the one the exit fixture was proved for
        vm.prank(address(0xD3));
        pool = _pool(IERC20(address(0)), address(creditVerifier), address(exitVerifier));
        fixture = vm.readFile("test/fixtures/zk.json");
        assertEq(pool.exitScope(0), vm.parseJsonUint(fixture, ".exitScope"), "exit scope differs from the fixture's: run pnpm zk:fixtures");
        vm.deal(user, 10 ether);
    }

    function _calldata(string memory key) internal view returns (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c) {
        uint256[] memory aa = vm.parseJsonUintArray(fixture, string.concat(".", key, ".a"));
        uint256[] memory b0 = vm.parseJsonUintArray(fixture, string.concat(".", key, ".b[0]"));
        uint256[] memory b1 = vm.parseJsonUintArray(fixture, string.concat(".", key, ".b[1]"));
        uint256[] memory cc = vm.parseJsonUintArray(fixture, string.concat(".", key, ".c"));
        a = [aa[0], aa[1]];
        b = [[b0[0], b0[1]], [b1[0], b1[1]]];
        c = [cc[0], cc[1]];
    }

    /// The snarkJS verifiers cannot declare the interfaces the pool calls them through (they are
    /// generated): the compiler cannot check them, so this does.
    function test_TheVerifiersHaveTheInterfacesThePoolCalls() public pure {
        assertEq(CreditVerifier.verifyProof.selector, ICreditVerifier.verifyProof.selector);
        assertEq(ExitVerifier.verifyProof.selector, IExitVerifier.verifyProof.selector);
    }

    function test_OnChainLeafAndRootMatchTheCircuits() public {
        uint256 sk = vm.parseJsonUint(fixture, ".sk");
        uint256 n = vm.parseJsonUint(fixture, ".n");
        uint256 leaf = pool.creditLeaf(sk, n);
        assertEq(leaf, vm.parseJsonUint(fixture, ".leaf"));
        vm.startPrank(user);
        pool.deposit{value: n * PRICE + STAKE}(leaf, n);
        pool.deposit{value: PRICE + STAKE}(vm.parseJsonUint(fixture, ".other"), 1);
        vm.stopPrank();
        assertEq(pool.currentRoot(), vm.parseJsonUint(fixture, ".root"));
    }

    function test_RealCreditProofVerifies() public {
        (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c) = _calldata("credit");
        uint256[] memory p = vm.parseJsonUintArray(fixture, ".credit.pub");
        uint256[5] memory pub = [p[0], p[1], p[2], p[3], p[4]];
        uint256 g = gasleft();
        assertTrue(creditVerifier.verifyProof(a, b, c, pub));
        emit log_named_uint("gas: CreditVerifier.verifyProof", g - gasleft());
        pub[1] += 1; // another nullifier
        assertFalse(creditVerifier.verifyProof(a, b, c, pub));
    }

    function test_RealExitProof() public {
        uint256 sk = vm.parseJsonUint(fixture, ".sk");
        uint256 n = vm.parseJsonUint(fixture, ".n");
        address recipient = vm.parseJsonAddress(fixture, ".recipient");
        uint256 leaf = pool.creditLeaf(sk, n);
        vm.prank(user);
        pool.deposit{value: n * PRICE + STAKE}(leaf, n);
        (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c) = _calldata("exit");
        // the proof is bound to its recipient: nobody can redirect the stake
        vm.expectRevert(CreditPool.InvalidProof.selector);
        pool.requestExit(0, makeAddr("thief"), a, b, c);
        // and to its pool: the same leaf in another pool cannot be made to exit with this proof
        CreditPool other = _pool(IERC20(address(0)), address(creditVerifier), address(exitVerifier));
        vm.prank(user);
        other.deposit{value: n * PRICE + STAKE}(leaf, n);
        vm.expectRevert(CreditPool.InvalidProof.selector);
        other.requestExit(0, recipient, a, b, c);
        pool.requestExit(0, recipient, a, b, c);
        vm.warp(block.timestamp + DELAY);
        pool.finalizeExit(0);
        assertEq(recipient.balance, STAKE);
    }

    /// A real exit proof is bound to its deposit: proved for deposit 0, it is refused for the same
    /// leaf deposited at index 1 (of a pool at the same address on the same chain).
    function test_RealExitProofIsBoundToItsDeposit() public {
        uint256 sk = vm.parseJsonUint(fixture, ".sk");
        uint256 n = vm.parseJsonUint(fixture, ".n");
        address recipient = vm.parseJsonAddress(fixture, ".recipient");
        vm.startPrank(user);
        pool.deposit{value: PRICE + STAKE}(vm.parseJsonUint(fixture, ".other"), 1);
        pool.deposit{value: n * PRICE + STAKE}(pool.creditLeaf(sk, n), n);
        vm.stopPrank();
        (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c) = _calldata("exit");
        vm.expectRevert(CreditPool.InvalidProof.selector);
        pool.requestExit(1, recipient, a, b, c);
        (,, CreditPool.Status status,,) = pool.deposits(1);
        assertEq(uint8(status), uint8(CreditPool.Status.Active));
    }
}

/// Random deposits, slashes (by anyone, Active or Exiting, with siblings that are junk: the pool
/// keeps its own tree), exits (to several recipients, also right after deposits that changed the
/// root), finalizations and withdrawals, and forbidden steps that must revert: among them a
/// re-deposit of a used leaf and an exit proof made for another deposit. A ghost ledger says who should hold each stake
/// and each ticket payment: locked in the pool, owed to the provider, withdrawn by it, or paid to an
/// exit recipient, never to whoever called. Every allowed step picks a deposit in the state it needs;
/// with none, it first takes one there by allowed steps (fail_on_revert is on), so nearly every call
/// changes something. `_bound` is forge-std's `bound` without its log line, so -vv shows the counts.
contract PoolHandler is Test {
    CreditPool internal pool;
    address internal provider;
    uint256 internal stake;
    /// The pool's LeanIMT, kept level by level (levels[0]: the leaves, 0 once removed), so that a
    /// proof costs O(depth) hashes instead of rebuilding the tree (LeanIMTProof) every step.
    uint256[][] internal levels;
    uint256[] internal secrets;
    uint256[] internal tickets;
    uint256[] internal leafOf;
    address[3] public slashers = [address(0x5A1), address(0x5A2), address(0x5A3)];
    address[3] public recipients = [address(0xE1), address(0xE2), address(0xE3)];

    /// Each deposit's state and exit recipient, as the rules say.
    mapping(uint256 => CreditPool.Status) public statusOf;
    mapping(uint256 => address) internal recipientOf;
    mapping(uint256 => uint256) public requestedAt;
    /// Where the money should be: owed to the provider (tickets and slashed stakes, less what it
    /// withdrew), withdrawn by it, locked as live stakes, paid to each exit recipient.
    uint256 public ghostOwed;
    uint256 public ghostWithdrawn;
    uint256 public ghostLocked;
    mapping(address => uint256) public ghostPaid;

    uint256 public steps;
    uint256 public deposits;
    uint256 public slashesActive;
    uint256 public slashesExiting;
    uint256 public exitsRequested;
    uint256 public exitsFinalized;
    uint256 public withdrawals;
    uint256 public forbiddenRefused;
    uint256 public exitsAfterInsertions;
    uint256 public redepositsRefused;
    uint256 public replaysRefused;

    constructor(CreditPool pool_, address provider_) {
        pool = pool_;
        provider = provider_;
        stake = pool_.stake();
    }

    modifier step() {
        steps++;
        _;
    }

    function count() external view returns (uint256) {
        return secrets.length;
    }

    function root() external view returns (uint256) {
        return levels.length == 0 ? 0 : levels[levels.length - 1][0];
    }

    /// Sets (or appends) leaf `index` and rehashes its path: a lone node moves up unchanged.
    function _treeSet(uint256 index, uint256 leaf) internal {
        if (levels.length == 0) levels.push();
        if (index == levels[0].length) levels[0].push(leaf);
        else levels[0][index] = leaf;
        for (uint256 k; levels[k].length > 1; k++) {
            index >>= 1;
            uint256[] storage level = levels[k];
            uint256 node = 2 * index + 1 < level.length ? PoseidonT3.hash([level[2 * index], level[2 * index + 1]]) : level[2 * index];
            if (levels.length == k + 1) levels.push();
            if (index == levels[k + 1].length) levels[k + 1].push(node);
            else levels[k + 1][index] = node;
        }
    }

    /// The siblings of leaf `index`, as the pool's remove() wants them (LeanIMTProof.siblings).
    function _siblings(uint256 index) internal view returns (uint256[] memory out) {
        uint256[] memory tmp = new uint256[](levels.length);
        uint256 n;
        for (uint256 k; levels[k].length > 1; k++) {
            if ((index ^ 1) < levels[k].length) tmp[n++] = levels[k][index ^ 1];
            index >>= 1;
        }
        out = new uint256[](n);
        for (uint256 k; k < n; k++) out[k] = tmp[k];
    }

    /// The first deposit from a random start in status `a` or `b`, or type(uint256).max.
    function _pick(uint256 seed, CreditPool.Status a, CreditPool.Status b) internal view returns (uint256) {
        uint256 n = secrets.length;
        for (uint256 k; k < n; k++) {
            uint256 i = (seed % n + k) % n;
            if (statusOf[i] == a || statusOf[i] == b) return i;
        }
        return type(uint256).max;
    }

    function _active(uint256 seed) internal returns (uint256 i) {
        i = _pick(seed, CreditPool.Status.Active, CreditPool.Status.Active);
        if (i == type(uint256).max) i = _deposit(seed, seed >> 128);
    }

    function _exiting(uint256 seed) internal returns (uint256 i) {
        i = _pick(seed, CreditPool.Status.Exiting, CreditPool.Status.Exiting);
        if (i == type(uint256).max) i = _exit(_active(seed), seed >> 64);
    }

    function deposit(uint256 sk, uint256 n) external step {
        _deposit(sk, n);
    }

    function _deposit(uint256 sk, uint256 n) internal returns (uint256 index) {
        sk = _bound(sk, 1, 1e60);
        n = _bound(n, 1, 20);
        uint256 leaf = pool.creditLeaf(sk, n);
        for (uint256 i; i < secrets.length; i++) if (secrets[i] == sk) return _deposit(sk + 1, n); // one secret, one leaf
        uint256 amount = n * pool.price() + stake;
        vm.deal(address(this), amount);
        index = pool.deposit{value: amount}(leaf, n);
        assertEq(index, secrets.length);
        _treeSet(index, leaf);
        secrets.push(sk);
        tickets.push(n);
        leafOf.push(leaf);
        statusOf[index] = CreditPool.Status.Active;
        ghostOwed += n * pool.price();
        ghostLocked += stake;
        deposits++;
    }

    /// Anyone with the secret slashes an active or exiting deposit: the stake goes to the provider.
    function slash(uint256 seed, uint256 who, bool exiting) external step {
        uint256 i = exiting ? _exiting(seed) : _pick(seed, CreditPool.Status.Active, CreditPool.Status.Exiting);
        if (i == type(uint256).max) i = _active(seed);
        bool wasActive = statusOf[i] == CreditPool.Status.Active;
        uint256[] memory junk = new uint256[](who % 4);
        for (uint256 k; k < junk.length; k++) junk[k] = uint256(keccak256(abi.encode(seed, k)));
        vm.prank(slashers[who % 3]);
        pool.slash(secrets[i], tickets[i], i, who % 2 == 0 && wasActive ? _siblings(i) : junk);
        if (wasActive) {
            _treeSet(i, 0);
            slashesActive++;
        } else {
            slashesExiting++;
        }
        statusOf[i] = CreditPool.Status.Slashed;
        ghostLocked -= stake;
        ghostOwed += stake;
    }

    function exit(uint256 seed, uint256 to) external step {
        _exit(_active(seed), to);
    }

    /// An exit proof of deposit i's leaf, for `recipient`, made for deposit `target` (CommitVerifier).
    function _exitProof(uint256 i, address recipient, uint256 target) internal view returns (uint256[2] memory a) {
        a[0] = exitCommit(leafOf[i], uint256(uint160(recipient)), pool.exitScope(target));
    }

    function _exit(uint256 i, uint256 to) internal returns (uint256) {
        uint256[2][2] memory b;
        uint256[2] memory c;
        address recipient = recipients[to % 3];
        pool.requestExit(i, recipient, _exitProof(i, recipient, i), b, c);
        _treeSet(i, 0);
        statusOf[i] = CreditPool.Status.Exiting;
        recipientOf[i] = recipient;
        requestedAt[i] = block.timestamp;
        exitsRequested++;
        return i;
    }

    /// An exit prepared, then 1 to 3 deposits mined ahead of it (same block): it still lands.
    function exitAfterDeposits(uint256 seed, uint256 to, uint256 k) external step {
        uint256 i = _active(seed);
        for (uint256 n = _bound(k, 1, 3); n > 0; n--) _deposit(uint256(keccak256(abi.encode(seed, n))), seed >> n);
        _exit(i, to);
        exitsAfterInsertions++;
    }

    /// The leaf of any deposit (live, exiting, exited or slashed) cannot be deposited again.
    function redeposit(uint256 seed) external step {
        if (secrets.length == 0) _deposit(seed, seed >> 128);
        uint256 i = seed % secrets.length;
        uint256 amount = tickets[i] * pool.price() + stake;
        vm.deal(address(this), amount);
        try pool.deposit{value: amount}(leafOf[i], tickets[i]) {
            revert("a used leaf was deposited again");
        } catch (bytes memory err) {
            assertEq(err, abi.encodeWithSelector(CreditPool.LeafUsed.selector, leafOf[i]));
        }
        vm.deal(address(this), 0);
        redepositsRefused++;
    }

    /// An exit proof of a deposit's own leaf and recipient, but made for another deposit index
    /// (a past one, a later one): refused, and the deposit stays Active.
    function replayExit(uint256 seed, uint256 to, uint256 other) external step {
        uint256 i = _active(seed);
        uint256 target = _bound(other, 0, secrets.length);
        if (target == i) target = secrets.length + 1;
        uint256[2][2] memory b;
        uint256[2] memory c;
        address recipient = recipients[to % 3];
        try pool.requestExit(i, recipient, _exitProof(i, recipient, target), b, c) {
            revert("an exit proof made for another deposit was accepted");
        } catch (bytes memory err) {
            assertEq(err, abi.encodeWithSelector(CreditPool.InvalidProof.selector));
        }
        replaysRefused++;
    }

    /// After the exit delay anyone finalizes an exit: the stake goes to the recipient the proof named.
    function finalize(uint256 seed) external step {
        uint256 i = _exiting(seed);
        (,,, uint64 at,) = pool.deposits(i);
        assertGe(at, requestedAt[i] + pool.rootWindow() + pool.SLASH_MARGIN(), "no time left to slash a late double-spend");
        if (block.timestamp < at) vm.warp(at);
        pool.finalizeExit(i);
        statusOf[i] = CreditPool.Status.Exited;
        ghostLocked -= stake;
        ghostPaid[recipientOf[i]] += stake;
        exitsFinalized++;
    }

    function withdraw(uint256 seed) external step {
        if (ghostOwed == 0) _deposit(seed, seed >> 128);
        vm.prank(provider);
        pool.withdraw(provider);
        ghostWithdrawn += ghostOwed;
        ghostOwed = 0;
        withdrawals++;
    }

    function warp(uint256 secs) external step {
        vm.warp(block.timestamp + _bound(secs, 0, 2 hours));
    }

    /// What the rules forbid must revert: a wrong secret, a slash or exit of a deposit that is not
    /// live, an early or repeated finalization, a withdrawal by anyone but the provider.
    function forbidden(uint256 seed, uint8 action, uint256 who) external step {
        if (secrets.length == 0) return;
        uint256 i = seed % secrets.length;
        CreditPool.Status s = statusOf[i];
        bytes memory data;
        action = action % 5;
        if (action == 0) {
            data = abi.encodeCall(CreditPool.slash, (secrets[i] + 1, tickets[i], i, new uint256[](0)));
        } else if (action == 1) {
            if (s == CreditPool.Status.Active || s == CreditPool.Status.Exiting) return;
            data = abi.encodeCall(CreditPool.slash, (secrets[i], tickets[i], i, new uint256[](0)));
        } else if (action == 2) {
            if (s == CreditPool.Status.Active) return;
            uint256[2][2] memory b;
            uint256[2] memory c;
            data = abi.encodeCall(CreditPool.requestExit, (i, recipients[0], _exitProof(i, recipients[0], i), b, c));
        } else if (action == 3) {
            (,,, uint64 at,) = pool.deposits(i);
            if (s == CreditPool.Status.Exiting && block.timestamp >= at) return;
            data = abi.encodeCall(CreditPool.finalizeExit, (i));
        } else {
            data = abi.encodeCall(CreditPool.withdraw, (slashers[who % 3]));
        }
        vm.prank(slashers[who % 3]);
        (bool ok,) = address(pool).call(data);
        assertFalse(ok, "a step the rules forbid succeeded");
        forbiddenRefused++;
    }
}

contract CreditPoolInvariantTest is StdInvariant, PoolFixture {
    /// Steps per run: the depth set for the invariant below.
    uint256 internal constant DEPTH = 64;
    CreditPool internal pool;
    PoolHandler internal handler;

    function setUp() public {
        MockVerifier mock = new MockVerifier();
        pool = _pool(IERC20(address(0)), address(mock), address(new CommitVerifier()));
        handler = new PoolHandler(pool, provider);
        targetContract(address(handler));
    }

    /// No money created, none lost, none misdirected: the pool holds exactly the provider's earnings
    /// plus the live stakes, both as the ghost ledger says; the provider holds what it withdrew, each
    /// exit recipient the stakes it was named for, and a slasher (or the depositor) nothing.
    /// forge-config: default.invariant.depth = 64
    function invariant_BalanceIsEarningsPlusStakes() public view {
        assertEq(address(pool).balance, pool.providerBalance() + pool.lockedStakes());
        assertEq(pool.providerBalance(), handler.ghostOwed(), "the provider is owed other than the rules say");
        assertEq(pool.lockedStakes(), handler.ghostLocked(), "other stakes are locked than the rules say");
        assertEq(address(pool).balance, handler.ghostOwed() + handler.ghostLocked());
        assertEq(provider.balance, handler.ghostWithdrawn(), "the provider holds other than it withdrew");
        for (uint256 k; k < 3; k++) {
            address r = handler.recipients(k);
            assertEq(r.balance, handler.ghostPaid(r), "an exit recipient holds other than its stakes");
            assertEq(handler.slashers(k).balance, 0, "a slasher was paid");
        }
        assertEq(address(handler).balance, 0, "the depositor was paid");
        assertEq(pool.currentRoot(), handler.root(), "the pool's root is not the tree of its leaves");
    }

    /// The run reached the states the invariant claims to check, and every deposit is in the state
    /// the rules say, its leaf marked used, and (exiting) slashable for SLASH_MARGIN after its last
    /// root left the window (the handler checks the same of each exit it finalizes).
    function afterInvariant() public view {
        for (uint256 i; i < handler.count(); i++) {
            (uint256 leaf,, CreditPool.Status s,,) = pool.deposits(i);
            assertEq(uint8(s), uint8(handler.statusOf(i)), "a deposit is in another state than the rules say");
            assertTrue(pool.usedLeaf(leaf), "a deposited leaf is not marked used");
            (,,, uint64 at,) = pool.deposits(i);
            if (s == CreditPool.Status.Exiting)
                assertGe(at, handler.requestedAt(i) + pool.rootWindow() + pool.SLASH_MARGIN(), "no time left to slash");
        }
        uint256[10] memory c = [
            handler.deposits(),
            handler.slashesActive(),
            handler.slashesExiting(),
            handler.exitsRequested(),
            handler.exitsFinalized(),
            handler.withdrawals(),
            handler.forbiddenRefused(),
            handler.exitsAfterInsertions(),
            handler.redepositsRefused(),
            handler.replaysRefused()
        ];
        console.log("credit pool, the last run (%s steps):", handler.steps());
        console.log("  deposits %s, slashes of active %s / exiting %s deposits", c[0], c[1], c[2]);
        console.log("  exits requested %s / finalized %s, withdrawals %s", c[3], c[4], c[5]);
        console.log("  forbidden steps refused %s, exits after insertions %s", c[6], c[7]);
        console.log("  re-deposits of a used leaf refused %s, exit proofs for another deposit refused %s", c[8], c[9]);
        // a replayed, shrunk failure is shorter than a run: only full runs must reach the minimums
        if (handler.steps() < DEPTH) return;
        // (each minimum is reached by several handler functions, so that a run short of it is a
        // broken handler, not bad luck)
        assertGe(c[0], 5, "too few deposits");
        assertGe(c[3], 1, "no exit requested");
        assertGe(c[1] + c[2] + c[4], 1, "no stake left the pool (slash or exit)");
        assertGe(c[4] + c[5], 1, "no money paid out (exit or withdrawal)");
        assertGe(c[8] + c[9], 1, "no re-deposit or replayed exit tried");
    }
}
