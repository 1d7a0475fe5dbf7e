// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
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

/// Drives random mints and transfers across a few holders.
contract DevTokenHandler is Test {
    DevToken internal immutable token;
    address[] public holders;

    constructor(DevToken token_) {
        token = token_;
        for (uint256 i = 1; i <= 4; i++) holders.push(address(uint160(i * 0x1000)));
    }

    function mint(uint256 who, uint256 amount) external {
        token.mint(holders[who % holders.length], bound(amount, 0, token.faucetLimit()));
    }

    function transfer(uint256 from, uint256 to, uint256 amount) external {
        address a = holders[from % holders.length];
        amount = bound(amount, 0, token.balanceOf(a));
        vm.prank(a);
        token.transfer(holders[to % holders.length], amount);
    }

    function holderCount() external view returns (uint256) {
        return holders.length;
    }
}

contract DevTokenInvariantTest is StdInvariant, Test {
    DevToken internal token;
    DevTokenHandler internal handler;

    function setUp() public {
        token = new DevToken("Dev USD", "dUSD", 6, 1_000_000e6);
        handler = new DevTokenHandler(token);
        targetContract(address(handler));
    }

    function invariant_SupplyEqualsSumOfBalances() public view {
        uint256 sum;
        for (uint256 i = 0; i < handler.holderCount(); i++) sum += token.balanceOf(handler.holders(i));
        assertEq(sum, token.totalSupply());
    }
}
