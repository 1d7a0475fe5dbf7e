// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {StdInvariant} from "forge-std/StdInvariant.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {PoseidonT3} from "poseidon-solidity/PoseidonT3.sol";
import {CreditPool, ICreditVerifier, IExitVerifier} from "../../src/zkpay/CreditPool.sol";
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

    function testFuzz_WrongPaymentReverts(uint256 value) public {
        uint256 expected = 5 * PRICE + STAKE;
        vm.assume(value != expected && value < 50 ether);
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
        vm.expectRevert(); // LeafAlreadyExists
        pool.deposit{value: PRICE + STAKE}(42, 1);
        vm.expectRevert(); // LeafGreaterThanSnarkScalarField
        pool.deposit{value: PRICE + STAKE}(type(uint256).max, 1);
        vm.stopPrank();
    }

    function test_TokenPool() public {
        DevToken token = new DevToken("Dev USD", "dUSD", 6, 1e30);
        CreditPool tp = new CreditPool(IERC20(address(token)), provider, 1_000, 50_000, WINDOW, DELAY, ICreditVerifier(address(mock)), IExitVerifier(address(mock)));
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
        uint256[] memory siblings = LeanIMTProof.siblings(leaves, a);
        mock.set(false);
        vm.expectRevert(CreditPool.InvalidProof.selector);
        pool.requestExit(a, recipient, pa, pb, pc, siblings);
        mock.set(true);
        pool.requestExit(a, recipient, pa, pb, pc, siblings);
        leaves[a] = 0;
        vm.expectRevert();
        pool.finalizeExit(a);
        vm.warp(block.timestamp + DELAY);
        pool.finalizeExit(a);
        assertEq(recipient.balance, STAKE);
        // b exits too, but is caught double-spending during the delay: slashed, never paid out
        siblings = LeanIMTProof.siblings(leaves, b);
        pool.requestExit(b, recipient, pa, pb, pc, siblings);
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
        sp.requestExit{gas: 200_000}(0, user, pa, pb, pc, new uint256[](0));
        // enough to pass the floor, but the verifier runs dry and answers false: still a revert, not "invalid"
        vm.expectRevert(CreditPool.InsufficientGasForVerification.selector);
        sp.requestExit{gas: 400_000}(0, user, pa, pb, pc, new uint256[](0));
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
        assertEq(pool.scope(), vm.parseJsonUint(fixture, ".exitScope"), "pool scope differs from the fixture's: run pnpm zk:fixtures");
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
        pool.requestExit(0, makeAddr("thief"), a, b, c, new uint256[](0));
        // and to its pool: the same leaf in another pool cannot be made to exit with this proof
        CreditPool other = _pool(IERC20(address(0)), address(creditVerifier), address(exitVerifier));
        vm.prank(user);
        other.deposit{value: n * PRICE + STAKE}(leaf, n);
        vm.expectRevert(CreditPool.InvalidProof.selector);
        other.requestExit(0, recipient, a, b, c, new uint256[](0));
        pool.requestExit(0, recipient, a, b, c, new uint256[](0));
        vm.warp(block.timestamp + DELAY);
        pool.finalizeExit(0);
        assertEq(recipient.balance, STAKE);
    }
}

/// Random deposits, slashes, exits and withdrawals.
contract PoolHandler is Test {
    CreditPool internal pool;
    MockVerifier internal mock;
    address internal provider;
    uint256[] public leaves;
    uint256[] internal secrets;
    uint256[] internal tickets;

    constructor(CreditPool pool_, MockVerifier mock_, address provider_) {
        pool = pool_;
        mock = mock_;
        provider = provider_;
    }

    function deposit(uint256 sk, uint8 n) external {
        sk = bound(sk, 1, 1e60);
        n = uint8(bound(n, 1, 20));
        uint256 leaf = pool.creditLeaf(sk, n);
        if (leaf == 0) return;
        for (uint256 i; i < leaves.length; i++) if (leaves[i] == leaf) return;
        uint256 amount = uint256(n) * pool.price() + pool.stake();
        vm.deal(address(this), amount);
        pool.deposit{value: amount}(leaf, n);
        leaves.push(leaf);
        secrets.push(sk);
        tickets.push(n);
    }

    function slash(uint256 i) external {
        if (leaves.length == 0) return;
        i = i % leaves.length;
        (,, CreditPool.Status s,,) = pool.deposits(i);
        if (s != CreditPool.Status.Active && s != CreditPool.Status.Exiting) return;
        pool.slash(secrets[i], tickets[i], i, s == CreditPool.Status.Active ? LeanIMTProof.siblings(leaves, i) : new uint256[](0));
        leaves[i] = 0;
    }

    function exit(uint256 i) external {
        if (leaves.length == 0) return;
        i = i % leaves.length;
        (,, CreditPool.Status s,,) = pool.deposits(i);
        if (s != CreditPool.Status.Active) return;
        uint256[2] memory a;
        uint256[2][2] memory b;
        pool.requestExit(i, address(0xBEEF), a, b, a, LeanIMTProof.siblings(leaves, i));
        leaves[i] = 0;
    }

    function finalize(uint256 i) external {
        if (leaves.length == 0) return;
        i = i % leaves.length;
        (,, CreditPool.Status s, uint64 at,) = pool.deposits(i);
        if (s != CreditPool.Status.Exiting) return;
        if (block.timestamp < at) vm.warp(at);
        pool.finalizeExit(i);
    }

    function withdraw() external {
        vm.prank(provider);
        pool.withdraw(provider);
    }
}

contract CreditPoolInvariantTest is StdInvariant, PoolFixture {
    CreditPool internal pool;
    PoolHandler internal handler;

    function setUp() public {
        MockVerifier mock = new MockVerifier();
        pool = _pool(IERC20(address(0)), address(mock), address(mock));
        handler = new PoolHandler(pool, mock, provider);
        targetContract(address(handler));
    }

    /// No money created, none lost: the pool holds exactly the provider's earnings plus live stakes.
    function invariant_BalanceIsEarningsPlusStakes() public view {
        assertEq(address(pool).balance, pool.providerBalance() + pool.lockedStakes());
    }
}
