// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, console} from "forge-std/Test.sol";
import {StdInvariant} from "forge-std/StdInvariant.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IdentityRegistry} from "../../src/erc8004/IdentityRegistry.sol";
import {ReputationRegistry} from "../../src/erc8004/ReputationRegistry.sol";

contract ReputationRegistryTest is Test {

    IdentityRegistry internal identity;
    ReputationRegistry internal rep;
    address internal owner = makeAddr("owner");
    address internal operator = makeAddr("operator");
    address internal c1 = makeAddr("client1");
    address internal c2 = makeAddr("client2");
    uint256 internal agent;

    function setUp() public {
        identity = new IdentityRegistry();
        rep = new ReputationRegistry(address(identity));
        vm.prank(owner);
        agent = identity.register("ipfs://agent");
        vm.prank(owner);
        identity.setApprovalForAll(operator, true);
    }

    function _give(address client, int128 value, uint8 decimals, string memory tag1, string memory tag2) internal {
        vm.prank(client);
        rep.giveFeedback(agent, value, decimals, tag1, tag2, "https://agent.example/api", "ipfs://fb", bytes32(0));
    }

    function _clients(address a) internal pure returns (address[] memory list) {
        list = new address[](1);
        list[0] = a;
    }

    function _clients(address a, address b) internal pure returns (address[] memory list) {
        list = new address[](2);
        list[0] = a;
        list[1] = b;
    }

    function test_ConstructorAndVersion() public {
        assertEq(rep.getIdentityRegistry(), address(identity));
        assertEq(rep.getVersion(), "2.0.0");
        vm.expectRevert(bytes("bad identity"));
        new ReputationRegistry(address(0));
    }

    function testFuzz_GiveFeedbackStoresAndEmits(int128 value, uint8 decimals, string calldata tag1, string calldata tag2) public {
        value = int128(bound(int256(value), -1e38, 1e38));
        decimals = uint8(bound(decimals, 0, 18));
        vm.expectEmit(true, true, true, true, address(rep));
        emit ReputationRegistry.NewFeedback(agent, c1, 1, value, decimals, tag1, tag1, tag2, "e", "u", bytes32(uint256(7)));
        vm.prank(c1);
        rep.giveFeedback(agent, value, decimals, tag1, tag2, "e", "u", bytes32(uint256(7)));
        (int128 v, uint8 d, string memory t1, string memory t2, bool revoked) = rep.readFeedback(agent, c1, 1);
        assertEq(v, value);
        assertEq(d, decimals);
        assertEq(t1, tag1);
        assertEq(t2, tag2);
        assertFalse(revoked);
    }

    function testFuzz_RejectsTooManyDecimals(uint8 decimals) public {
        decimals = uint8(bound(decimals, 19, 255));
        vm.expectRevert(bytes("too many decimals"));
        vm.prank(c1);
        rep.giveFeedback(agent, 1, decimals, "", "", "", "", bytes32(0));
    }

    /// Any value beyond ±1e38, of either sign, up to the int128 limits.
    function testFuzz_RejectsValueTooLarge(int128 value) public {
        value = value >= 0
            ? int128(bound(int256(value), 1e38 + 1, type(int128).max))
            : int128(bound(int256(value), type(int128).min, -1e38 - 1));
        vm.expectRevert(bytes("value too large"));
        vm.prank(c1);
        rep.giveFeedback(agent, value, 0, "", "", "", "", bytes32(0));
    }

    function test_NoSelfFeedback() public {
        vm.expectRevert(bytes("Self-feedback not allowed"));
        vm.prank(owner);
        rep.giveFeedback(agent, 100, 0, "", "", "", "", bytes32(0));
        vm.expectRevert(bytes("Self-feedback not allowed"));
        vm.prank(operator);
        rep.giveFeedback(agent, 100, 0, "", "", "", "", bytes32(0));
        address approved = makeAddr("approved");
        vm.prank(owner);
        identity.approve(approved, agent);
        vm.expectRevert(bytes("Self-feedback not allowed"));
        vm.prank(approved);
        rep.giveFeedback(agent, 100, 0, "", "", "", "", bytes32(0));
    }

    function test_UnknownAgentReverts() public {
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 99));
        vm.prank(c1);
        rep.giveFeedback(99, 1, 0, "", "", "", "", bytes32(0));
    }

    function testFuzz_IndexCountsFromOnePerClient(uint8 n1, uint8 n2) public {
        n1 = uint8(bound(n1, 0, 12));
        n2 = uint8(bound(n2, 0, 12));
        for (uint256 i; i < n1; i++) _give(c1, 1, 0, "", "");
        for (uint256 i; i < n2; i++) _give(c2, 1, 0, "", "");
        assertEq(rep.getLastIndex(agent, c1), n1);
        assertEq(rep.getLastIndex(agent, c2), n2);
        address[] memory clients = rep.getClients(agent);
        assertEq(clients.length, (n1 > 0 ? 1 : 0) + (n2 > 0 ? 1 : 0));
    }

    function test_ReadFeedbackBounds() public {
        vm.expectRevert(bytes("index must be > 0"));
        rep.readFeedback(agent, c1, 0);
        vm.expectRevert(bytes("index out of bounds"));
        rep.readFeedback(agent, c1, 1);
    }

    function test_RevokeOnlyOwnFeedbackOnce() public {
        _give(c1, 80, 0, "quality", "");
        vm.expectRevert(bytes("index out of bounds"));
        vm.prank(c2);
        rep.revokeFeedback(agent, 1);
        vm.expectEmit(true, true, true, true, address(rep));
        emit ReputationRegistry.FeedbackRevoked(agent, c1, 1);
        vm.prank(c1);
        rep.revokeFeedback(agent, 1);
        (,,,, bool revoked) = rep.readFeedback(agent, c1, 1);
        assertTrue(revoked);
        vm.expectRevert(bytes("Already revoked"));
        vm.prank(c1);
        rep.revokeFeedback(agent, 1);
        vm.expectRevert(bytes("index must be > 0"));
        vm.prank(c1);
        rep.revokeFeedback(agent, 0);
        assertEq(rep.getLastIndex(agent, c1), 1);
    }

    function test_SummaryRequiresClientsAndSkipsRevoked() public {
        vm.expectRevert(bytes("clientAddresses required"));
        rep.getSummary(agent, new address[](0), "", "");
        _give(c1, 80, 0, "quality", "fast");
        _give(c1, 60, 0, "quality", "slow");
        _give(c2, 100, 0, "uptime", "");
        (uint64 count, int128 value, uint8 decimals) = rep.getSummary(agent, _clients(c1, c2), "", "");
        assertEq(count, 3);
        assertEq(value, 80);
        assertEq(decimals, 0);
        (count, value,) = rep.getSummary(agent, _clients(c1, c2), "quality", "");
        assertEq(count, 2);
        assertEq(value, 70);
        (count, value,) = rep.getSummary(agent, _clients(c1, c2), "quality", "slow");
        assertEq(count, 1);
        assertEq(value, 60);
        // only the chosen clients count
        (count, value,) = rep.getSummary(agent, _clients(c2), "", "");
        assertEq(count, 1);
        assertEq(value, 100);
        vm.prank(c1);
        rep.revokeFeedback(agent, 1);
        (count, value,) = rep.getSummary(agent, _clients(c1), "", "");
        assertEq(count, 1);
        assertEq(value, 60);
        (count, value, decimals) = rep.getSummary(agent, _clients(makeAddr("nobody")), "", "");
        assertEq(count, 0);
        assertEq(value, 0);
        assertEq(decimals, 0);
    }

    function test_SummaryAveragesAcrossDecimals() public {
        // 99.77% (9977, 2), 98.5% (985, 1), 97.11% (9711, 2): mode decimals 2
        _give(c1, 9977, 2, "uptime", "");
        _give(c1, 985, 1, "uptime", "");
        _give(c2, 9711, 2, "uptime", "");
        (uint64 count, int128 value, uint8 decimals) = rep.getSummary(agent, _clients(c1, c2), "uptime", "");
        assertEq(count, 3);
        assertEq(decimals, 2);
        assertEq(value, 9846); // (99.77 + 98.50 + 97.11) / 3 = 98.46
    }

    function test_SummaryThatWouldOverflowGivesFewerDecimals() public {
        _give(c1, -1e38, 0, "", "");
        _give(c1, 1, 2, "", "");
        _give(c2, 1, 2, "", "");
        (uint64 count, int128 value, uint8 decimals) = rep.getSummary(agent, _clients(c1, c2), "", "");
        assertEq(count, 3);
        // -3.33e37 does not fit int128 at 2 decimals (-3.3e39) nor at 1 (-3.3e38): given at 0
        assertEq(decimals, 0);
        assertEq(value, -33333333333333333333333333333333333333);
    }

    function testFuzz_SummaryOfEqualValuesIsThatValue(int128 value, uint8 decimals, uint8 n) public {
        value = int128(bound(int256(value), -1e38, 1e38));
        decimals = uint8(bound(decimals, 0, 18));
        n = uint8(bound(n, 1, 8));
        for (uint256 i; i < n; i++) _give(c1, value, decimals, "", "");
        (uint64 count, int128 summary, uint8 d) = rep.getSummary(agent, _clients(c1), "", "");
        assertEq(count, n);
        assertEq(summary, value);
        assertEq(d, decimals);
    }

    function test_ReadAllFeedback() public {
        _give(c1, 80, 0, "quality", "");
        _give(c2, -5, 1, "yield", "");
        _give(c1, 90, 0, "quality", "");
        vm.prank(c1);
        rep.revokeFeedback(agent, 2);
        (address[] memory clients, uint64[] memory idx, int128[] memory values, uint8[] memory decs,,, bool[] memory revoked) =
            rep.readAllFeedback(agent, new address[](0), "", "", false);
        assertEq(clients.length, 2);
        assertEq(clients[0], c1);
        assertEq(idx[0], 1);
        assertEq(values[0], 80);
        assertEq(clients[1], c2);
        assertEq(values[1], -5);
        assertEq(decs[1], 1);
        assertFalse(revoked[0]);
        (clients,,,,,, revoked) = rep.readAllFeedback(agent, _clients(c1), "quality", "", true);
        assertEq(clients.length, 2);
        assertTrue(revoked[1]);
    }

    function test_ResponsesByAnyoneAndCounts() public {
        _give(c1, 10, 0, "", "");
        _give(c1, 20, 0, "", "");
        _give(c2, 30, 0, "", "");
        address auditor = makeAddr("auditor");
        vm.expectRevert(bytes("Empty URI"));
        vm.prank(owner);
        rep.appendResponse(agent, c1, 1, "", bytes32(0));
        vm.expectRevert(bytes("index out of bounds"));
        vm.prank(owner);
        rep.appendResponse(agent, c1, 3, "ipfs://r", bytes32(0));
        vm.expectRevert(bytes("index must be > 0"));
        rep.appendResponse(agent, c1, 0, "ipfs://r", bytes32(0));

        vm.expectEmit(true, true, true, true, address(rep));
        emit ReputationRegistry.ResponseAppended(agent, c1, 1, owner, "ipfs://r1", bytes32(uint256(1)));
        vm.prank(owner);
        rep.appendResponse(agent, c1, 1, "ipfs://r1", bytes32(uint256(1)));
        vm.prank(owner);
        rep.appendResponse(agent, c1, 1, "ipfs://r2", bytes32(0));
        vm.prank(auditor);
        rep.appendResponse(agent, c1, 2, "ipfs://spam", bytes32(0));
        vm.prank(auditor);
        rep.appendResponse(agent, c2, 1, "ipfs://spam", bytes32(0));

        address[] memory none = new address[](0);
        assertEq(rep.getResponseCount(agent, c1, 1, none), 2);
        assertEq(rep.getResponseCount(agent, c1, 0, none), 3);
        assertEq(rep.getResponseCount(agent, address(0), 0, none), 4);
        assertEq(rep.getResponseCount(agent, address(0), 0, _clients(auditor)), 2);
        assertEq(rep.getResponseCount(agent, c1, 1, _clients(auditor)), 0);
    }
}

/// Random feedback and revocations; ghost counters mirror what must be stored. Every step succeeds
/// (fail_on_revert is on): a revocation takes the client's first live feedback from a random index,
/// and gives one first when the client has none. `_bound` is forge-std's `bound` without its log
/// line, so that -vv output shows the counts.
contract ReputationHandler is Test {
    ReputationRegistry internal rep;
    uint256 internal agent;
    address[] public clients;
    mapping(address => uint64) public given;
    mapping(address => uint64) public live;
    mapping(address => mapping(uint64 => bool)) internal revoked;

    uint256 public steps;
    uint256 public feedbacks;
    uint256 public revocations;

    constructor(ReputationRegistry rep_, uint256 agent_) {
        rep = rep_;
        agent = agent_;
        for (uint256 i = 1; i <= 3; i++) clients.push(address(uint160(0xC11E00 + i)));
    }

    function give(uint256 who, int128 value, uint8 decimals) external {
        steps++;
        _give(clients[who % clients.length], value, decimals);
    }

    function _give(address c, int128 value, uint8 decimals) internal {
        value = int128(_bound(int256(value), -1e38, 1e38));
        decimals = uint8(_bound(decimals, 0, 18));
        vm.prank(c);
        rep.giveFeedback(agent, value, decimals, "t", "", "", "", bytes32(0));
        given[c]++;
        live[c]++;
        feedbacks++;
    }

    function revoke(uint256 who, uint64 index) external {
        steps++;
        address c = clients[who % clients.length];
        if (live[c] == 0) _give(c, int128(uint128(index)), 0);
        index = uint64(_bound(index, 1, given[c]));
        while (revoked[c][index]) index = index % given[c] + 1; // the next live one, wrapping around
        vm.prank(c);
        rep.revokeFeedback(agent, index);
        revoked[c][index] = true;
        live[c]--;
        revocations++;
    }

    function clientCount() external view returns (uint256) {
        return clients.length;
    }
}

contract ReputationInvariantTest is StdInvariant, Test {
    /// Steps per run: the depth set for the invariants below (forge's default in foundry.toml).
    uint256 internal constant DEPTH = 32;
    ReputationRegistry internal rep;
    ReputationHandler internal handler;
    uint256 internal agent;

    function setUp() public {
        IdentityRegistry identity = new IdentityRegistry();
        rep = new ReputationRegistry(address(identity));
        vm.prank(makeAddr("agent-owner")); // an EOA: register() uses _safeMint
        agent = identity.register();
        handler = new ReputationHandler(rep, agent);
        targetContract(address(handler));
    }

    function invariant_IndexesAndSummaryCountsMatch() public view {
        address[] memory all = new address[](handler.clientCount());
        uint64 liveTotal;
        for (uint256 i; i < all.length; i++) {
            all[i] = handler.clients(i);
            assertEq(rep.getLastIndex(agent, all[i]), handler.given(all[i]));
            liveTotal += handler.live(all[i]);
        }
        (uint64 count,,) = rep.getSummary(agent, all, "", "");
        assertEq(count, liveTotal);
    }

    function invariant_ClientsAreUnique() public view {
        address[] memory clients = rep.getClients(agent);
        for (uint256 i; i < clients.length; i++) {
            for (uint256 j = i + 1; j < clients.length; j++) assertTrue(clients[i] != clients[j]);
        }
    }

    /// The run reached the states the invariants claim to check.
    function afterInvariant() public view {
        console.log("reputation registry, the last run (%s steps):", handler.steps());
        console.log("  feedbacks %s, revocations %s", handler.feedbacks(), handler.revocations());
        // a replayed, shrunk failure is shorter than a run: only full runs must reach the minimums
        if (handler.steps() < DEPTH) return;
        assertGe(handler.feedbacks(), 5, "too few feedbacks");
        assertGe(handler.revocations(), 1, "no revocation");
    }
}
