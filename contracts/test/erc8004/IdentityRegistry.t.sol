// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, console} from "forge-std/Test.sol";
import {StdInvariant} from "forge-std/StdInvariant.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IdentityRegistry} from "../../src/erc8004/IdentityRegistry.sol";

/// A contract wallet that accepts exactly one digest, signed by its key holder.
contract MockSmartWallet is IERC1271 {
    address public immutable signer;

    constructor(address signer_) {
        signer = signer_;
    }

    function isValidSignature(bytes32 digest, bytes calldata signature) external view returns (bytes4) {
        (uint8 v, bytes32 r, bytes32 s) = abi.decode(signature, (uint8, bytes32, bytes32));
        return ecrecover(digest, v, r, s) == signer ? IERC1271.isValidSignature.selector : bytes4(0xffffffff);
    }
}

abstract contract IdentityFixture is Test {
    IdentityRegistry internal registry;

    bytes32 internal constant WALLET_TYPEHASH =
        keccak256("AgentWalletSet(uint256 agentId,address newWallet,address owner,uint256 deadline)");

    function _domainSeparator() internal view returns (bytes32) {
        return keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("ERC8004IdentityRegistry"),
                keccak256("1"),
                block.chainid,
                address(registry)
            )
        );
    }

    function _walletDigest(uint256 agentId, address wallet, address owner, uint256 deadline) internal view returns (bytes32) {
        bytes32 structHash = keccak256(abi.encode(WALLET_TYPEHASH, agentId, wallet, owner, deadline));
        return keccak256(abi.encodePacked("\x19\x01", _domainSeparator(), structHash));
    }

    function _sign(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }
}

contract IdentityRegistryTest is IdentityFixture {

    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");

    function setUp() public {
        registry = new IdentityRegistry();
    }

    function test_NameSymbolVersion() public view {
        assertEq(registry.name(), "AgentIdentity");
        assertEq(registry.symbol(), "AGENT");
        assertEq(registry.getVersion(), "2.0.0");
    }

    function test_RegisterCountsFromZeroAndSetsWallet() public {
        vm.expectEmit(true, true, false, true, address(registry));
        emit IdentityRegistry.Registered(0, "", alice);
        vm.expectEmit(true, true, false, true, address(registry));
        emit IdentityRegistry.MetadataSet(0, "agentWallet", "agentWallet", abi.encodePacked(alice));
        vm.prank(alice);
        assertEq(registry.register(), 0);
        vm.prank(bob);
        assertEq(registry.register("ipfs://bob"), 1);
        assertEq(registry.ownerOf(0), alice);
        assertEq(registry.tokenURI(1), "ipfs://bob");
        assertEq(registry.getAgentWallet(0), alice);
        assertEq(registry.getMetadata(1, "agentWallet"), abi.encodePacked(bob));
    }

    function testFuzz_RegisterWithMetadata(string calldata uri, string calldata key, bytes calldata value) public {
        vm.assume(keccak256(bytes(key)) != keccak256("agentWallet"));
        IdentityRegistry.MetadataEntry[] memory entries = new IdentityRegistry.MetadataEntry[](1);
        entries[0] = IdentityRegistry.MetadataEntry(key, value);
        vm.expectEmit(true, true, false, true, address(registry));
        emit IdentityRegistry.MetadataSet(0, key, key, value);
        vm.prank(alice);
        uint256 id = registry.register(uri, entries);
        assertEq(registry.getMetadata(id, key), value);
        assertEq(registry.tokenURI(id), uri);
    }

    function test_RegisterRejectsReservedKey() public {
        IdentityRegistry.MetadataEntry[] memory entries = new IdentityRegistry.MetadataEntry[](1);
        entries[0] = IdentityRegistry.MetadataEntry("agentWallet", abi.encodePacked(bob));
        vm.expectRevert(bytes("reserved key"));
        vm.prank(alice);
        registry.register("x", entries);
    }

    function testFuzz_OnlyOwnerApprovedOrOperatorMayUpdate(address stranger, string calldata uri) public {
        vm.assume(stranger != alice && stranger != address(0));
        vm.prank(alice);
        uint256 id = registry.register("old");

        vm.startPrank(stranger);
        vm.expectRevert(bytes("Not authorized"));
        registry.setAgentURI(id, uri);
        vm.expectRevert(bytes("Not authorized"));
        registry.setMetadata(id, "k", "v");
        vm.expectRevert(bytes("Not authorized"));
        registry.unsetAgentWallet(id);
        vm.stopPrank();
        assertFalse(registry.isAuthorizedOrOwner(stranger, id));

        // token approval lets `stranger` update
        vm.prank(alice);
        registry.approve(stranger, id);
        assertTrue(registry.isAuthorizedOrOwner(stranger, id));
        vm.expectEmit(true, true, false, true, address(registry));
        emit IdentityRegistry.URIUpdated(id, uri, stranger);
        vm.prank(stranger);
        registry.setAgentURI(id, uri);
        assertEq(registry.tokenURI(id), uri);

        // an operator of the owner too
        vm.prank(alice);
        registry.approve(address(0), id);
        vm.prank(alice);
        registry.setApprovalForAll(stranger, true);
        vm.prank(stranger);
        registry.setMetadata(id, "k", "v");
        assertEq(registry.getMetadata(id, "k"), bytes("v"));
    }

    function test_SetMetadataRejectsReservedKey() public {
        vm.prank(alice);
        uint256 id = registry.register();
        vm.expectRevert(bytes("reserved key"));
        vm.prank(alice);
        registry.setMetadata(id, "agentWallet", abi.encodePacked(bob));
    }

    function test_UnknownAgentReverts() public {
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 7));
        registry.setAgentURI(7, "x");
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 7));
        registry.isAuthorizedOrOwner(alice, 7);
    }

    function testFuzz_SetAgentWalletWithEoaSignature(uint256 walletKey, uint256 ahead) public {
        walletKey = bound(walletKey, 1, 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140);
        ahead = bound(ahead, 0, 5 minutes);
        address wallet = vm.addr(walletKey);
        vm.prank(alice);
        uint256 id = registry.register();
        uint256 deadline = block.timestamp + ahead;
        bytes memory sig = _sign(walletKey, _walletDigest(id, wallet, alice, deadline));
        vm.expectEmit(true, true, false, true, address(registry));
        emit IdentityRegistry.MetadataSet(id, "agentWallet", "agentWallet", abi.encodePacked(wallet));
        vm.prank(alice);
        registry.setAgentWallet(id, wallet, deadline, sig);
        assertEq(registry.getAgentWallet(id), wallet);
    }

    function testFuzz_SetAgentWalletRejectsWrongSigner(uint256 walletKey, uint256 otherKey) public {
        walletKey = bound(walletKey, 1, 1e70);
        otherKey = bound(otherKey, 1, 1e70);
        vm.assume(walletKey != otherKey);
        address wallet = vm.addr(walletKey);
        vm.prank(alice);
        uint256 id = registry.register();
        uint256 deadline = block.timestamp + 60;
        bytes memory sig = _sign(otherKey, _walletDigest(id, wallet, alice, deadline));
        vm.expectRevert(bytes("invalid wallet sig"));
        vm.prank(alice);
        registry.setAgentWallet(id, wallet, deadline, sig);
    }

    function test_SetAgentWalletDeadlines() public {
        (address wallet, uint256 key) = makeAddrAndKey("wallet");
        vm.prank(alice);
        uint256 id = registry.register();
        vm.warp(1_000_000);
        uint256 tooFar = block.timestamp + 5 minutes + 1;
        bytes memory sig = _sign(key, _walletDigest(id, wallet, alice, tooFar));
        vm.expectRevert(bytes("deadline too far"));
        vm.prank(alice);
        registry.setAgentWallet(id, wallet, tooFar, sig);

        uint256 past = block.timestamp - 1;
        sig = _sign(key, _walletDigest(id, wallet, alice, past));
        vm.expectRevert(bytes("expired"));
        vm.prank(alice);
        registry.setAgentWallet(id, wallet, past, sig);

        vm.expectRevert(bytes("bad wallet"));
        vm.prank(alice);
        registry.setAgentWallet(id, address(0), block.timestamp, sig);
    }

    function test_SignatureIsBoundToTheOwner() public {
        (address wallet, uint256 key) = makeAddrAndKey("wallet");
        vm.prank(alice);
        uint256 id = registry.register();
        // signed for bob as owner: useless while alice owns the agent
        bytes memory sig = _sign(key, _walletDigest(id, wallet, bob, block.timestamp + 60));
        vm.expectRevert(bytes("invalid wallet sig"));
        vm.prank(alice);
        registry.setAgentWallet(id, wallet, block.timestamp + 60, sig);
    }

    function test_SetAgentWalletWithErc1271Wallet() public {
        (address keyHolder, uint256 key) = makeAddrAndKey("safe-signer");
        MockSmartWallet smart = new MockSmartWallet(keyHolder);
        vm.prank(alice);
        uint256 id = registry.register();
        uint256 deadline = block.timestamp + 120;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, _walletDigest(id, address(smart), alice, deadline));
        vm.prank(alice);
        registry.setAgentWallet(id, address(smart), deadline, abi.encode(v, r, s));
        assertEq(registry.getAgentWallet(id), address(smart));

        // a signature from another key is refused by the wallet contract
        (, uint256 otherKey) = makeAddrAndKey("mallory");
        (v, r, s) = vm.sign(otherKey, _walletDigest(id, address(smart), alice, deadline));
        vm.expectRevert(bytes("invalid wallet sig"));
        vm.prank(alice);
        registry.setAgentWallet(id, address(smart), deadline, abi.encode(v, r, s));
    }

    function testFuzz_TransferClearsWallet(address to) public {
        vm.assume(to != address(0) && to.code.length == 0);
        vm.prank(alice);
        uint256 id = registry.register();
        assertEq(registry.getAgentWallet(id), alice);
        vm.expectEmit(true, true, false, true, address(registry));
        emit IdentityRegistry.MetadataSet(id, "agentWallet", "agentWallet", "");
        vm.prank(alice);
        registry.transferFrom(alice, to, id);
        assertEq(registry.getAgentWallet(id), address(0));
        assertEq(registry.getMetadata(id, "agentWallet").length, 0);
        assertEq(registry.ownerOf(id), to);
    }

    function test_UnsetAgentWallet() public {
        vm.prank(alice);
        uint256 id = registry.register();
        vm.prank(alice);
        registry.unsetAgentWallet(id);
        assertEq(registry.getAgentWallet(id), address(0));
    }
}

/// Random registrations, transfers and wallet changes across a few actors. A ghost says who owns
/// each agent and under which owner its wallet was set. Every step succeeds (fail_on_revert is on):
/// with no agent yet, a transfer or a wallet change registers one first.
contract IdentityHandler is IdentityFixture {
    address[] public actors;
    uint256[] internal keys;
    uint256 public minted;
    /// the owner each agent's wallet was last set under (0 = none expected)
    mapping(uint256 => address) public walletSetUnder;
    mapping(uint256 => address) public ghostOwner;
    mapping(address => uint256) public ghostBalance;

    uint256 public steps;
    uint256 public registrations;
    uint256 public transfers; // to another owner
    uint256 public walletsSet;

    constructor(IdentityRegistry registry_) {
        registry = registry_;
        for (uint256 i = 1; i <= 4; i++) {
            keys.push(i + 100);
            actors.push(vm.addr(i + 100));
        }
    }

    function register(uint256 who) external {
        steps++;
        _register(who);
    }

    function _register(uint256 who) internal returns (uint256 id) {
        address a = actors[who % actors.length];
        vm.prank(a);
        id = registry.register();
        assertEq(id, minted, "agents are numbered from 0");
        walletSetUnder[id] = a;
        ghostOwner[id] = a;
        ghostBalance[a]++;
        minted++;
        registrations++;
    }

    function _agent(uint256 id) internal returns (uint256) {
        return minted == 0 ? _register(id) : id % minted;
    }

    function transfer(uint256 id, uint256 to) external {
        steps++;
        id = _agent(id);
        address owner = registry.ownerOf(id);
        address next = actors[to % actors.length];
        vm.prank(owner);
        registry.transferFrom(owner, next, id);
        walletSetUnder[id] = address(0);
        ghostOwner[id] = next;
        ghostBalance[owner]--;
        ghostBalance[next]++;
        if (next != owner) transfers++;
    }

    function setWallet(uint256 id, uint256 walletIdx) external {
        steps++;
        id = _agent(id);
        uint256 key = keys[walletIdx % keys.length];
        address wallet = vm.addr(key);
        address owner = registry.ownerOf(id);
        uint256 deadline = block.timestamp + 60;
        bytes memory sig = _sign(key, _walletDigest(id, wallet, owner, deadline));
        vm.prank(owner);
        registry.setAgentWallet(id, wallet, deadline, sig);
        walletSetUnder[id] = owner;
        walletsSet++;
    }

    function actorCount() external view returns (uint256) {
        return actors.length;
    }
}

contract IdentityInvariantTest is StdInvariant, Test {
    /// Steps per run: the depth set for the invariants below (forge's default in foundry.toml).
    uint256 internal constant DEPTH = 32;
    IdentityRegistry internal registry;
    IdentityHandler internal handler;

    function setUp() public {
        registry = new IdentityRegistry();
        handler = new IdentityHandler(registry);
        targetContract(address(handler));
    }

    /// A wallet is only ever set under the agent's current owner: a transfer always clears it.
    function invariant_WalletNeverSurvivesATransfer() public view {
        for (uint256 id; id < handler.minted(); id++) {
            address under = handler.walletSetUnder(id);
            if (under == address(0)) assertEq(registry.getAgentWallet(id), address(0));
            else assertEq(under, registry.ownerOf(id));
        }
    }

    /// Every agent is owned by whom the ghost says, and balances count exactly those.
    function invariant_BalancesSumToMinted() public view {
        uint256 sum;
        for (uint256 i; i < handler.actorCount(); i++) {
            address a = handler.actors(i);
            assertEq(registry.balanceOf(a), handler.ghostBalance(a), "an actor owns other agents than the ghost says");
            sum += registry.balanceOf(a);
        }
        assertEq(sum, handler.minted());
        for (uint256 id; id < handler.minted(); id++) assertEq(registry.ownerOf(id), handler.ghostOwner(id));
    }

    /// The run reached the states the invariants claim to check.
    function afterInvariant() public view {
        console.log("identity registry, the last run (%s steps):", handler.steps());
        console.log("  registrations %s, transfers to another owner %s, wallets set %s", handler.registrations(), handler.transfers(), handler.walletsSet());
        // a replayed, shrunk failure is shorter than a run: only full runs must reach the minimums
        if (handler.steps() < DEPTH) return;
        assertGe(handler.registrations(), 1, "no registration");
        assertGe(handler.transfers() + handler.walletsSet(), 5, "too few transfers and wallet changes");
    }
}
