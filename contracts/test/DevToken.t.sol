// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, console} from "forge-std/Test.sol";
import {StdInvariant} from "forge-std/StdInvariant.sol";
import {DevToken} from "../src/DevToken.sol";

contract DevTokenTest is Test {
    DevToken internal token;
    uint256 internal constant LIMIT = 1_000_000e6;

    function setUp() public {
        token = new DevToken("Dev USD", "dUSD", 6, LIMIT);
    }

    function test_Metadata() public view {
        assertEq(token.name(), "Dev USD");
        assertEq(token.symbol(), "dUSD");
        assertEq(token.decimals(), 6);
        assertEq(token.faucetLimit(), LIMIT);
    }

    function testFuzz_MintUpToLimit(address to, uint256 amount) public {
        vm.assume(to != address(0));
        amount = bound(amount, 0, LIMIT);
        token.mint(to, amount);
        assertEq(token.balanceOf(to), amount);
        assertEq(token.totalSupply(), amount);
    }

    function testFuzz_MintAboveLimitReverts(uint256 amount) public {
        amount = bound(amount, LIMIT + 1, type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(DevToken.FaucetLimitExceeded.selector, amount, LIMIT));
        token.mint(address(this), amount);
    }

    function testFuzz_TransferConservesSupply(address from, address to, uint256 minted, uint256 sent) public {
        vm.assume(from != address(0) && to != address(0) && from != to);
        minted = bound(minted, 0, LIMIT);
        sent = bound(sent, 0, minted);
        token.mint(from, minted);
        vm.prank(from);
        assertTrue(token.transfer(to, sent));
        assertEq(token.balanceOf(from), minted - sent);
        assertEq(token.balanceOf(to), sent);
        assertEq(token.totalSupply(), minted);
    }

    function testFuzz_PermitSetsAllowance(uint256 ownerKey, address spender, uint256 value, uint256 ttl) public {
        ownerKey = bound(ownerKey, 1, 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140);
        vm.assume(spender != address(0));
        ttl = bound(ttl, 0, 365 days);
        address owner = vm.addr(ownerKey);
        uint256 deadline = block.timestamp + ttl;
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                owner,
                spender,
                value,
                token.nonces(owner),
                deadline
            )
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(ownerKey, digest);
        token.permit(owner, spender, value, deadline, v, r, s);
        assertEq(token.allowance(owner, spender), value);
        assertEq(token.nonces(owner), 1);
    }
}

/// Drives random mints and transfers across a few holders; a ghost ledger says what each holds.
/// Both steps always succeed (fail_on_revert is on). `_bound` is forge-std's `bound` without its
/// log line, so that -vv output shows the counts.
contract DevTokenHandler is Test {
    DevToken internal immutable token;
    address[] public holders;
    mapping(address => uint256) public ghostBalance;
    uint256 public ghostMinted;

    uint256 public steps;
    uint256 public mints;
    uint256 public transfers; // of a non-zero amount
    uint256 public selfTransfers;

    constructor(DevToken token_) {
        token = token_;
        for (uint256 i = 1; i <= 4; i++) holders.push(address(uint160(i * 0x1000)));
    }

    function mint(uint256 who, uint256 amount) external {
        steps++;
        address to = holders[who % holders.length];
        amount = _bound(amount, 0, token.faucetLimit());
        token.mint(to, amount);
        ghostBalance[to] += amount;
        ghostMinted += amount;
        mints++;
    }

    /// Some of the sender's balance (all of it now and then), to any holder, itself included.
    function transfer(uint256 from, uint256 to, uint256 amount) external {
        steps++;
        address a = holders[from % holders.length];
        address b = holders[to % holders.length];
        amount = amount % 4 == 0 ? token.balanceOf(a) : _bound(amount, 0, token.balanceOf(a));
        vm.prank(a);
        token.transfer(b, amount);
        ghostBalance[a] -= amount;
        ghostBalance[b] += amount;
        if (amount != 0) transfers++;
        if (a == b) selfTransfers++;
    }

    function holderCount() external view returns (uint256) {
        return holders.length;
    }
}

contract DevTokenInvariantTest is StdInvariant, Test {
    /// Steps per run: the depth set for the invariant below (forge's default in foundry.toml).
    uint256 internal constant DEPTH = 32;
    DevToken internal token;
    DevTokenHandler internal handler;

    function setUp() public {
        token = new DevToken("Dev USD", "dUSD", 6, 1_000_000e6);
        handler = new DevTokenHandler(token);
        targetContract(address(handler));
    }

    /// No token created or lost by a transfer, none misdirected: each holder has what the ghost
    /// ledger says, and they sum to the supply, which is what was minted.
    function invariant_SupplyEqualsSumOfBalances() public view {
        uint256 sum;
        for (uint256 i = 0; i < handler.holderCount(); i++) {
            address h = handler.holders(i);
            assertEq(token.balanceOf(h), handler.ghostBalance(h), "a holder has other than the ledger says");
            sum += token.balanceOf(h);
        }
        assertEq(sum, token.totalSupply());
        assertEq(token.totalSupply(), handler.ghostMinted());
    }

    /// The run reached the states the invariant claims to check.
    function afterInvariant() public view {
        console.log("dev token, the last run (%s steps):", handler.steps());
        console.log("  mints %s, transfers of a non-zero amount %s (to oneself %s)", handler.mints(), handler.transfers(), handler.selfTransfers());
        // a replayed, shrunk failure is shorter than a run: only full runs must reach the minimums
        if (handler.steps() < DEPTH) return;
        assertGe(handler.mints(), 1, "no mint");
        assertGe(handler.transfers(), 1, "no transfer moved anything");
    }
}
