// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IACPHook} from "../interfaces/IACPHook.sol";
import {ShortTransfer} from "./CommerceErrors.sol";

/// @title AgenticCommerce — job escrow with evaluator attestation (ERC-8183)
/// @notice A client creates a job for a provider and an evaluator, agrees a budget, and escrows it in
///         one ERC-20. The provider submits a deliverable (a bytes32 reference: the hash of the work);
///         the evaluator alone completes (the provider is paid) or rejects (the client is refunded).
///         After `expiredAt` anyone may refund a funded or submitted job to its client: that path
///         never calls the hook, so no hook can keep money locked. No platform fee. Payments are
///         pushed: with a token that can blacklist an address, a blacklisted party's payout reverts.
/// @dev    Hooks are called with at most `hookGasLimit` gas; every state-changing function is
///         non-reentrant, so neither a hook nor the token can re-enter the escrow.
contract AgenticCommerce is ReentrancyGuard {
    using SafeERC20 for IERC20;

    enum Status {
        Open,
        Funded,
        Submitted,
        Completed,
        Rejected,
        Expired
    }

    /// @notice A job without its description: what hooks read (a long description costs no hook gas).
    struct Terms {
        address client;
        address provider;
        address evaluator;
        address hook;
        uint256 budget;
        uint64 expiredAt;
        Status status;
        bytes32 deliverable;
    }

    struct Job {
        address client;
        address provider;
        address evaluator;
        address hook;
        uint256 budget;
        uint64 expiredAt;
        Status status;
        bytes32 deliverable;
        string description;
    }

    IERC20 public immutable paymentToken;
    /// @notice Gas given to each hook call.
    uint256 public immutable hookGasLimit;
    /// @notice Jobs are numbered from 1.
    uint256 public jobCount;
    /// @notice Sum of the budgets of Funded and Submitted jobs: what the contract holds.
    uint256 public totalEscrowed;
    mapping(uint256 => Job) internal _jobs;

    event JobCreated(uint256 indexed jobId, address indexed client, address indexed provider, address evaluator, uint256 expiredAt);
    event ProviderSet(uint256 indexed jobId, address indexed provider);
    event BudgetSet(uint256 indexed jobId, uint256 amount);
    event JobFunded(uint256 indexed jobId, address indexed client, uint256 amount);
    event JobSubmitted(uint256 indexed jobId, address indexed provider, bytes32 deliverable);
    event JobCompleted(uint256 indexed jobId, address indexed evaluator, bytes32 reason);
    event JobRejected(uint256 indexed jobId, address indexed rejector, bytes32 reason);
    event JobExpired(uint256 indexed jobId);
    event PaymentReleased(uint256 indexed jobId, address indexed provider, uint256 amount);
    event Refunded(uint256 indexed jobId, address indexed client, uint256 amount);

    error UnknownJob(uint256 jobId);
    error WrongStatus(uint256 jobId, Status status);
    error Unauthorized();
    error ZeroAddress();
    error BadExpiry();
    error ProviderAlreadySet();
    error ProviderNotSet();
    error ZeroBudget();
    error BudgetMismatch(uint256 budget, uint256 expected);
    /// @notice claimRefund before the job's expiry (the counterpart of PastExpiry).
    error BeforeExpiry(uint64 expiredAt);
    error NotAHook(address hook);
    error PastExpiry(uint64 expiredAt);

    constructor(IERC20 token, uint256 hookGasLimit_) {
        if (address(token) == address(0)) revert ZeroAddress();
        paymentToken = token;
        hookGasLimit = hookGasLimit_;
    }

    // ---------------------------------------------------------------- lifecycle

    function createJob(address provider, address evaluator, uint256 expiredAt, string calldata description, address hook)
        external
        nonReentrant
        returns (uint256 jobId)
    {
        if (evaluator == address(0)) revert ZeroAddress();
        if (expiredAt <= block.timestamp || expiredAt > type(uint64).max) revert BadExpiry();
        if (hook != address(0) && hook.code.length == 0) revert NotAHook(hook);
        jobId = ++jobCount;
        Job storage job = _jobs[jobId];
        job.client = msg.sender;
        job.provider = provider;
        job.evaluator = evaluator;
        job.hook = hook;
        job.expiredAt = uint64(expiredAt);
        job.description = description;
        emit JobCreated(jobId, msg.sender, provider, evaluator, expiredAt);
    }

    function setProvider(uint256 jobId, address provider, bytes calldata optParams) external nonReentrant {
        Job storage job = _open(jobId);
        if (msg.sender != job.client) revert Unauthorized();
        if (job.provider != address(0)) revert ProviderAlreadySet();
        if (provider == address(0)) revert ZeroAddress();
        bytes memory data = abi.encode(provider, optParams);
        _before(job, jobId, this.setProvider.selector, data);
        job.provider = provider;
        emit ProviderSet(jobId, provider);
        _after(job, jobId, this.setProvider.selector, data);
    }

    function setBudget(uint256 jobId, uint256 amount, bytes calldata optParams) external nonReentrant {
        Job storage job = _open(jobId);
        if (msg.sender != job.client && msg.sender != job.provider) revert Unauthorized();
        bytes memory data = abi.encode(amount, optParams);
        _before(job, jobId, this.setBudget.selector, data);
        job.budget = amount;
        emit BudgetSet(jobId, amount);
        _after(job, jobId, this.setBudget.selector, data);
    }

    function fund(uint256 jobId, uint256 expectedBudget, bytes calldata optParams) external nonReentrant {
        Job storage job = _open(jobId);
        if (msg.sender != job.client) revert Unauthorized();
        if (job.provider == address(0)) revert ProviderNotSet();
        uint256 budget = job.budget;
        if (budget == 0) revert ZeroBudget();
        if (budget != expectedBudget) revert BudgetMismatch(budget, expectedBudget);
        // an expired job could only be refunded: funding it would just lock a provider's bond for nothing
        if (block.timestamp >= job.expiredAt) revert PastExpiry(job.expiredAt);
        _before(job, jobId, this.fund.selector, optParams);
        job.status = Status.Funded;
        totalEscrowed += budget;
        // the escrow counts what arrived: a token that takes a fee on transfer cannot short it
        uint256 before = paymentToken.balanceOf(address(this));
        paymentToken.safeTransferFrom(msg.sender, address(this), budget);
        uint256 received = paymentToken.balanceOf(address(this)) - before;
        if (received != budget) revert ShortTransfer(received, budget);
        emit JobFunded(jobId, msg.sender, budget);
        _after(job, jobId, this.fund.selector, optParams);
    }

    function submit(uint256 jobId, bytes32 deliverable, bytes calldata optParams) external nonReentrant {
        Job storage job = _job(jobId);
        if (job.status != Status.Funded) revert WrongStatus(jobId, job.status);
        if (msg.sender != job.provider) revert Unauthorized();
        // after the expiry the job is only refundable: a late submission cannot hold the escrow
        if (block.timestamp >= job.expiredAt) revert PastExpiry(job.expiredAt);
        bytes memory data = abi.encode(deliverable, optParams);
        _before(job, jobId, this.submit.selector, data);
        job.status = Status.Submitted;
        job.deliverable = deliverable;
        emit JobSubmitted(jobId, msg.sender, deliverable);
        _after(job, jobId, this.submit.selector, data);
    }

    function complete(uint256 jobId, bytes32 reason, bytes calldata optParams) external nonReentrant {
        Job storage job = _job(jobId);
        if (job.status != Status.Submitted) revert WrongStatus(jobId, job.status);
        if (msg.sender != job.evaluator) revert Unauthorized();
        bytes memory data = abi.encode(reason, optParams);
        _before(job, jobId, this.complete.selector, data);
        job.status = Status.Completed;
        uint256 amount = job.budget;
        totalEscrowed -= amount;
        paymentToken.safeTransfer(job.provider, amount);
        emit JobCompleted(jobId, msg.sender, reason);
        emit PaymentReleased(jobId, job.provider, amount);
        _after(job, jobId, this.complete.selector, data);
    }

    /// @notice The client rejects an Open job; the evaluator rejects a Funded or Submitted one (refund).
    function reject(uint256 jobId, bytes32 reason, bytes calldata optParams) external nonReentrant {
        Job storage job = _job(jobId);
        Status s = job.status;
        if (s == Status.Open) {
            if (msg.sender != job.client) revert Unauthorized();
        } else if (s == Status.Funded || s == Status.Submitted) {
            if (msg.sender != job.evaluator) revert Unauthorized();
        } else {
            revert WrongStatus(jobId, s);
        }
        bytes memory data = abi.encode(reason, optParams);
        _before(job, jobId, this.reject.selector, data);
        job.status = Status.Rejected;
        emit JobRejected(jobId, msg.sender, reason);
        if (s != Status.Open) _refund(job, jobId);
        _after(job, jobId, this.reject.selector, data);
    }

    /// @notice After expiry anyone may refund a Funded or Submitted job. Never calls the hook.
    function claimRefund(uint256 jobId) external nonReentrant {
        Job storage job = _job(jobId);
        if (job.status != Status.Funded && job.status != Status.Submitted) revert WrongStatus(jobId, job.status);
        if (block.timestamp < job.expiredAt) revert BeforeExpiry(job.expiredAt);
        job.status = Status.Expired;
        emit JobExpired(jobId);
        _refund(job, jobId);
    }

    // ---------------------------------------------------------------- reads

    function getJob(uint256 jobId) external view returns (Job memory) {
        if (_jobs[jobId].client == address(0)) revert UnknownJob(jobId);
        return _jobs[jobId];
    }

    function getTerms(uint256 jobId) external view returns (Terms memory) {
        Job storage j = _jobs[jobId];
        if (j.client == address(0)) revert UnknownJob(jobId);
        return Terms(j.client, j.provider, j.evaluator, j.hook, j.budget, j.expiredAt, j.status, j.deliverable);
    }

    // ---------------------------------------------------------------- internals

    function _job(uint256 jobId) private view returns (Job storage job) {
        job = _jobs[jobId];
        if (job.client == address(0)) revert UnknownJob(jobId);
    }

    function _open(uint256 jobId) private view returns (Job storage job) {
        job = _job(jobId);
        if (job.status != Status.Open) revert WrongStatus(jobId, job.status);
    }

    function _refund(Job storage job, uint256 jobId) private {
        uint256 amount = job.budget;
        totalEscrowed -= amount;
        paymentToken.safeTransfer(job.client, amount);
        emit Refunded(jobId, job.client, amount);
    }

    function _before(Job storage job, uint256 jobId, bytes4 selector, bytes memory data) private {
        address hook = job.hook;
        if (hook != address(0)) IACPHook(hook).beforeAction{gas: hookGasLimit}(jobId, selector, data);
    }

    function _after(Job storage job, uint256 jobId, bytes4 selector, bytes memory data) private {
        address hook = job.hook;
        if (hook != address(0)) IACPHook(hook).afterAction{gas: hookGasLimit}(jobId, selector, data);
    }
}
