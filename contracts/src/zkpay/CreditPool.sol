// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {SNARK_SCALAR_FIELD} from "@zk-kit/lean-imt.sol/Constants.sol";
import {PoseidonT2} from "poseidon-solidity/PoseidonT2.sol";
import {PoseidonT3} from "poseidon-solidity/PoseidonT3.sol";
import {ICreditVerifier} from "../interfaces/ICreditVerifier.sol";
import {IExitVerifier} from "../interfaces/IExitVerifier.sol";

/// @title CreditPool — pre-paid, unlinkable API calls (one pool per provider and price)
/// @notice A user deposits once: `tickets × price` goes to the provider, `stake` is locked, and the
///         leaf Poseidon(Poseidon(sk), tickets) joins a LeanIMT. Each later call carries a Groth16
///         proof (circuits/credit.circom) that it spends ticket i < tickets of *some* leaf, with a
///         per-ticket nullifier checked off-chain by the provider. Spending a ticket twice reveals
///         `sk`; anyone can then `slash` and the stake goes to the provider (never to the caller, so
///         a self-slash pays nothing back). A depositor leaves with `requestExit` (a proof of
///         knowledge of `sk`, circuits/exit.circom, that never reveals it) and, after `exitDelay`
///         (at least `rootWindow + SLASH_MARGIN`), `finalizeExit`.
///
///         The rules that keep an exit and a slash from being raced:
///         - the pool keeps every node of its tree, so `requestExit` and `slash` take no caller
///           siblings: no transaction mined ahead of them (a deposit, an exit, a slash) can make
///           them revert (see "tree" below for why this design);
///         - an Exiting deposit is still slashable (its leaf is already out of the tree), and the
///           exit delay leaves the provider at least SLASH_MARGIN after the last moment a credit
///           proof of the leaf can still be accepted (its last root is known `rootWindow` longer);
///         - an exit proof is bound to its deposit: its `scope` signal is `exitScope(index)`
///           (chain, pool and deposit index), so it is good for that one deposit only;
///         - a leaf is deposited at most once, ever (`usedLeaf`): a leaf that was slashed or has
///           exited cannot come back, with its old exit proof or otherwise.
contract CreditPool is ReentrancyGuard {
    using SafeERC20 for IERC20;

    enum Status {
        None,
        Active,
        Exiting,
        Exited,
        Slashed
    }

    struct Deposit {
        uint256 leaf;
        uint32 tickets;
        Status status;
        uint64 exitAvailableAt;
        address exitRecipient;
    }

    uint256 public constant MAX_TICKETS = type(uint32).max;
    /// @notice Gas a Groth16 check needs (4 pairings + 5 scalar multiplications, with margin).
    uint256 public constant MIN_VERIFY_GAS = 300_000;
    /// @notice The least time between the last moment a credit proof of an exiting leaf can be
    ///         accepted (its last root leaves the window `rootWindow` after `requestExit`) and the
    ///         moment its stake can be taken out: the time the provider has to land a slash for a
    ///         double-spend made at the very end. The constructor requires exitDelay >= rootWindow + SLASH_MARGIN.
    uint256 public constant SLASH_MARGIN = 15 minutes;

    /// @notice The payment token, or address(0) for native ETH.
    IERC20 public immutable token;
    address public immutable provider;
    uint256 public immutable price;
    uint256 public immutable stake;
    uint256 public immutable rootWindow;
    uint256 public immutable exitDelay;
    /// @notice Binds every proof to this pool on this chain (the circuit's `scope`).
    uint256 public immutable scope;
    ICreditVerifier public immutable creditVerifier;
    IExitVerifier public immutable exitVerifier;

    mapping(uint256 index => Deposit) public deposits;
    /// @notice Every leaf ever deposited here: a leaf is deposited at most once.
    mapping(uint256 leaf => bool) public usedLeaf;
    /// @notice When each root became the current one, and when it stopped being it (0 while current).
    mapping(uint256 root => uint256) public rootSince;
    mapping(uint256 root => uint256) public rootUntil;
    uint256 public currentRoot;

    uint256 public providerBalance;
    uint256 public lockedStakes;

    event Deposited(uint256 indexed index, uint256 leaf, uint256 tickets, uint256 root);
    event Slashed(uint256 indexed index, uint256 leaf, address indexed by, uint256 root);
    event ExitRequested(uint256 indexed index, address indexed recipient, uint256 availableAt, uint256 root);
    event Exited(uint256 indexed index, address indexed recipient, uint256 amount);
    event Withdrawn(address indexed to, uint256 amount);

    error BadConfig();
    error BadTickets();
    error BadLeaf();
    error LeafUsed(uint256 leaf);
    error BadPayment(uint256 expected, uint256 received);
    error NotActive(uint256 index);
    error NotExiting(uint256 index);
    error WrongSecret();
    error InvalidProof();
    error ExitNotReady(uint256 availableAt);
    error NotProvider();
    error InsufficientGasForVerification();
    error TransferFailed();

    constructor(
        IERC20 token_,
        address provider_,
        uint256 price_,
        uint256 stake_,
        uint256 rootWindow_,
        uint256 exitDelay_,
        ICreditVerifier creditVerifier_,
        IExitVerifier exitVerifier_
    ) {
        // bounded so that timestamps cannot overflow or truncate (exitAvailableAt is a uint64);
        // rootWindow_ is bounded before the sum, so that the sum cannot overflow
        if (
            provider_ == address(0) || rootWindow_ > 30 days || exitDelay_ < rootWindow_ + SLASH_MARGIN
                || exitDelay_ > 365 days
                || address(creditVerifier_) == address(0) || address(exitVerifier_) == address(0)
        ) revert BadConfig();
        token = token_;
        provider = provider_;
        price = price_;
        stake = stake_;
        rootWindow = rootWindow_;
        exitDelay = exitDelay_;
        creditVerifier = creditVerifier_;
        exitVerifier = exitVerifier_;
        scope = uint256(keccak256(abi.encode("hermit.credit-pool.v1", block.chainid, address(this)))) % SNARK_SCALAR_FIELD;
    }

    // ---------------------------------------------------------------- deposits

    /// @notice Buys `tickets` calls: pays tickets × price to the provider and locks `stake`. The
    ///         leaf must be a non-zero field element never deposited here before.
    function deposit(uint256 leaf, uint256 tickets) external payable nonReentrant returns (uint256 index) {
        if (tickets == 0 || tickets > MAX_TICKETS) revert BadTickets();
        if (leaf == 0 || leaf >= SNARK_SCALAR_FIELD) revert BadLeaf();
        // never again, not only "not in the tree now": a slashed or exited leaf coming back would
        // be a second deposit with the same secret (same nullifiers) under an old exit proof
        if (usedLeaf[leaf]) revert LeafUsed(leaf);
        usedLeaf[leaf] = true;
        uint256 amount = tickets * price + stake;
        _pull(amount);
        index = _insert(leaf);
        deposits[index] = Deposit(leaf, uint32(tickets), Status.Active, 0, address(0));
        providerBalance += tickets * price;
        lockedStakes += stake;
        _rootChanged();
        emit Deposited(index, leaf, tickets, currentRoot);
    }

    /// @notice Anyone holding the secret of a double-spent deposit (recovered from two calls with the
    ///         same ticket) removes it, Active or Exiting; its stake goes to the provider.
    ///         `siblings` is ignored (the pool keeps its tree): the argument stays so that callers
    ///         built for the earlier ABI keep working, and nothing mined ahead can make a slash revert.
    function slash(uint256 sk, uint256 tickets, uint256 index, uint256[] calldata siblings) external nonReentrant {
        siblings; // ignored, see above
        Deposit storage d = deposits[index];
        if (d.status != Status.Active && d.status != Status.Exiting) revert NotActive(index);
        if (d.leaf != creditLeaf(sk, tickets)) revert WrongSecret();
        // an Exiting leaf already left the tree at requestExit: only the stake is left to take
        if (d.status == Status.Active) {
            _setLeaf(index, 0);
            _rootChanged();
        }
        d.status = Status.Slashed;
        lockedStakes -= stake;
        providerBalance += stake;
        emit Slashed(index, d.leaf, msg.sender, currentRoot);
    }

    /// @notice Starts leaving: proves knowledge of the deposit's secret (bound to `recipient` and to
    ///         this deposit, by `exitScope(index)`) without revealing it; the leaf leaves the tree now
    ///         (its last roots stay known for `rootWindow`), the stake can be taken after `exitDelay`.
    function requestExit(uint256 index, address recipient, uint256[2] calldata a, uint256[2][2] calldata b, uint256[2] calldata c)
        external
        nonReentrant
    {
        Deposit storage d = deposits[index];
        if (d.status != Status.Active) revert NotActive(index);
        uint256[3] memory pub = [d.leaf, uint256(uint160(recipient)), exitScope(index)];
        if (!_verify(address(exitVerifier), abi.encodeCall(IExitVerifier.verifyProof, (a, b, c, pub)))) revert InvalidProof();
        _setLeaf(index, 0);
        _rootChanged();
        d.status = Status.Exiting;
        d.exitRecipient = recipient;
        d.exitAvailableAt = uint64(block.timestamp + exitDelay);
        emit ExitRequested(index, recipient, d.exitAvailableAt, currentRoot);
    }

    function finalizeExit(uint256 index) external nonReentrant {
        Deposit storage d = deposits[index];
        if (d.status != Status.Exiting) revert NotExiting(index);
        if (block.timestamp < d.exitAvailableAt) revert ExitNotReady(d.exitAvailableAt);
        d.status = Status.Exited;
        lockedStakes -= stake;
        _push(d.exitRecipient, stake);
        emit Exited(index, d.exitRecipient, stake);
    }

    /// @notice The provider takes its earnings (ticket payments and slashed stakes).
    function withdraw(address to) external nonReentrant {
        if (msg.sender != provider) revert NotProvider();
        uint256 amount = providerBalance;
        providerBalance = 0;
        _push(to, amount);
        emit Withdrawn(to, amount);
    }

    // ---------------------------------------------------------------- reads

    function creditLeaf(uint256 sk, uint256 tickets) public pure returns (uint256) {
        return PoseidonT3.hash([PoseidonT2.hash([sk]), tickets]);
    }

    /// @notice The `scope` an exit proof of deposit `index` must carry: keccak256(abi.encode(
    ///         "hermit.credit-pool.exit.v1", chainid, pool, index)) mod p. Binding the proof to the
    ///         deposit (not only to the pool) makes a copy useless for any other deposit of the same
    ///         leaf, with no change to the circuit (the signal already exists).
    function exitScope(uint256 index) public view returns (uint256) {
        return uint256(keccak256(abi.encode("hermit.credit-pool.exit.v1", block.chainid, address(this), index))) % SNARK_SCALAR_FIELD;
    }

    /// @notice Roots a proof may use: the current one, or one replaced less than `rootWindow` ago.
    function isKnownRoot(uint256 root) public view returns (bool) {
        if (root == 0 || rootSince[root] == 0) return false;
        uint256 until = rootUntil[root];
        return until == 0 || block.timestamp <= until + rootWindow;
    }

    /// @notice Checks a credit proof on-chain: a known root, this pool's scope, and the Groth16 proof.
    ///         Reverts (instead of answering false) when given too little gas for the pairing.
    function verifyCredit(uint256[2] calldata a, uint256[2][2] calldata b, uint256[2] calldata c, uint256[5] calldata pub)
        external
        view
        returns (bool)
    {
        // pub = [y, nullifier, root, scope, x]
        if (!isKnownRoot(pub[2]) || pub[3] != scope) return false;
        return _verify(address(creditVerifier), abi.encodeCall(ICreditVerifier.verifyProof, (a, b, c, pub)));
    }

    function size() external view returns (uint256) {
        return treeSize;
    }

    function depth() external view returns (uint256) {
        return treeDepth;
    }

    /// @notice Node `index` of tree level `level` (level 0: the leaves, 0 once removed).
    function node(uint256 level, uint256 index) external view returns (uint256) {
        return nodes[level][index];
    }

    // ---------------------------------------------------------------- tree
    //
    // A LeanIMT with the roots of @zk-kit/lean-imt (a node without a right sibling moves up
    // unchanged; a removed leaf is 0 and hashes like any value), but with every node in storage.
    // Why: with the library's tree (only the right frontier stored), removing a leaf needs its
    // siblings from the caller, valid for the current root only, so any tree-changing transaction
    // mined ahead (one deposit in the same block) reverted an honest requestExit, and let a cheater
    // make the provider's slash revert. The alternatives fall short: siblings for an older root in
    // the window cannot be turned into the current path without knowing every change since; and
    // marking an exit by index to remove the leaf later keeps it in the current root during the
    // exit delay (credit proofs from it stay good) while the later removal is just as raceable.
    // Keeping the nodes costs about two new storage slots per deposit (one leaf, and on average
    // one new node above it) plus a rewrite per level; a removal reads its siblings from storage
    // and hashes once per level (the library hashed twice, to check the caller's siblings).

    uint256 internal treeSize;
    uint256 internal treeDepth;
    mapping(uint256 level => mapping(uint256 index => uint256)) internal nodes;

    function _insert(uint256 leaf) internal returns (uint256 index) {
        index = treeSize;
        uint256 newSize = index + 1;
        uint256 d = treeDepth;
        if ((1 << d) < newSize) treeDepth = ++d;
        treeSize = newSize;
        nodes[0][index] = leaf;
        _rehash(index, leaf, newSize, d);
    }

    function _setLeaf(uint256 index, uint256 leaf) internal {
        nodes[0][index] = leaf;
        _rehash(index, leaf, treeSize, treeDepth);
    }

    /// @dev Recomputes the path above leaf `index` (now `value`) up to the root at level `d`.
    function _rehash(uint256 index, uint256 value, uint256 treeSize_, uint256 d) internal {
        uint256 last = treeSize_ - 1;
        for (uint256 level; level < d; level++) {
            if (index & 1 == 1) value = PoseidonT3.hash([nodes[level][index - 1], value]);
            else if (index < last >> level) value = PoseidonT3.hash([value, nodes[level][index + 1]]);
            index >>= 1;
            nodes[level + 1][index] = value;
        }
    }

    function _root() internal view returns (uint256) {
        return treeSize == 0 ? 0 : nodes[treeDepth][0];
    }

    // ---------------------------------------------------------------- internals

    /// @dev eth_estimateGas under-estimates pairings: a verifier starved of gas answers false,
    ///      which must not read as "invalid proof". Too little gas up front reverts; so does a false
    ///      answer that left us less than 1/32 of the gas we had (a starved call returns only the
    ///      1/64 reserves of the 63/64 rule, while a real check of a bad proof uses a small part).
    function _verify(address verifier, bytes memory call) internal view returns (bool ok) {
        uint256 before = gasleft();
        if (before < MIN_VERIFY_GAS) revert InsufficientGasForVerification();
        (bool success, bytes memory ret) = verifier.staticcall(call);
        if (!success || ret.length < 32) revert InsufficientGasForVerification();
        ok = abi.decode(ret, (bool));
        if (!ok && gasleft() < before / 32) revert InsufficientGasForVerification();
    }

    function _rootChanged() internal {
        uint256 root = _root();
        if (root == currentRoot) return;
        if (currentRoot != 0) rootUntil[currentRoot] = block.timestamp;
        currentRoot = root;
        if (root != 0) {
            rootSince[root] = block.timestamp;
            rootUntil[root] = 0;
        }
    }

    function _pull(uint256 amount) internal {
        if (address(token) == address(0)) {
            if (msg.value != amount) revert BadPayment(amount, msg.value);
        } else {
            if (msg.value != 0) revert BadPayment(0, msg.value);
            uint256 before = token.balanceOf(address(this));
            token.safeTransferFrom(msg.sender, address(this), amount);
            // fee-on-transfer tokens would break the accounting: refuse them
            uint256 received = token.balanceOf(address(this)) - before;
            if (received != amount) revert BadPayment(amount, received);
        }
    }

    function _push(address to, uint256 amount) internal {
        if (amount == 0) return;
        if (address(token) == address(0)) {
            (bool ok,) = to.call{value: amount}("");
            if (!ok) revert TransferFailed();
        } else {
            token.safeTransfer(to, amount);
        }
    }
}
