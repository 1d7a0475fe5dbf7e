// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AgenticCommerce} from "../AgenticCommerce.sol";
import {ACPHookBase} from "./ACPHookBase.sol";
import {JobFeedbackFile} from "./JobFeedbackFile.sol";
import {ShortTransfer} from "../CommerceErrors.sol";
import {IAgentIdentity} from "../../interfaces/IAgentIdentity.sol";
import {IAgentReputation} from "../../interfaces/IAgentReputation.sol";
import {IAgentValidation} from "../../interfaces/IAgentValidation.sol";

/// @title HermitJobHook — acceptance, provider bond, payment-backed reputation and validation for ERC-8183 jobs
/// @notice - **acceptance**: a job can only be funded once its provider accepted its exact terms
///           (client, evaluator, expiry, budget) as one of its ERC-8004 agents with `acceptJob`, and
///           with at least the working time it asked for left: nobody can take a bond, or have an
///           outcome recorded against an agent, with a job it never took.
///         - **bond** (`bondBps` > 0): at funding the provider locks `budget × bondBps` of the payment
///           token here (approved to this hook). Completion returns it; an evaluator's rejection pays
///           it to the client. After an expiry `settleExpired` returns it to a provider that submitted
///           at least `reviewSeconds` before the expiry (the evaluator had time and did not decide),
///           and pays it to the client otherwise (nothing, or too late, was delivered).
///         - **outcome**: every funded job that ends by completion or rejection emits `JobOutcome`
///           (agent, completed, the evaluator's 0–100 score from `optParams = abi.encode(int128, uint8 0)`,
///           else 100 / 0) whatever the registries do.
///         - **reputation** (a reputation registry): the same outcome as ERC-8004 feedback (tag1 `job`,
///           tag2 `completed`/`rejected`) with an on-chain feedback file naming the job, client and
///           budget; the registry records this hook as the author, so `reputationOf(agent,
///           { trustedClients: [hook] })` counts paid jobs only.
///         - **validation** (a validation registry): the decision is also answered as an ERC-8004
///           validation response to the request the provider made beforehand for
///           `validationRequestHash(jobId, deliverable, salt)`, the salt given to `submit` as
///           `optParams = abi.encode(bytes32 salt)` (unknown to others until then, so nobody can take
///           that request hash first); without such a request it is skipped.
///         Feedback and validation never block a settlement: the bond is settled first, a refusing
///         registry is reported (`RecordFailed`), and their gas is checked up front.
contract HermitJobHook is ACPHookBase {
    using SafeERC20 for IERC20;

    struct Bond {
        address provider;
        address client;
        uint256 amount;
        bool submitted;
        bool settled;
        uint64 submittedAt;
    }

    struct Acceptance {
        bytes32 terms;
        uint64 minWorkSeconds;
        bool accepted;
        uint256 agentId;
    }

    uint256 public immutable bondBps;
    /// @notice The escrow's payment token (fixed for the escrow's life).
    IERC20 public immutable token;
    /// @notice How long before the expiry a submission must come for the bond to be safe from the expiry.
    uint64 public immutable reviewSeconds;
    IAgentIdentity public immutable identity;
    IAgentReputation public immutable reputation;
    IAgentValidation public immutable validation;

    mapping(uint256 => Bond) public bonds;
    /// @notice Sum of the bonds not yet returned or paid out: what this hook holds.
    uint256 public totalBonded;
    mapping(uint256 => Acceptance) public acceptances;
    mapping(uint256 => bool) public funded;
    /// @notice The validation request hash fixed at submission (with the provider's salt).
    mapping(uint256 => bytes32) public requestHashOf;

    uint256 internal constant FEEDBACK_GAS = 700_000;
    uint256 internal constant VALIDATION_GAS = 250_000;

    event JobAccepted(uint256 indexed jobId, address indexed provider, uint256 indexed agentId, uint256 budget, uint64 minWorkSeconds);
    event BondLocked(uint256 indexed jobId, address indexed provider, uint256 amount);
    event BondReturned(uint256 indexed jobId, address indexed provider, uint256 amount);
    event BondSlashed(uint256 indexed jobId, address indexed client, uint256 amount);
    /// @notice How a funded job ended, always emitted (the registries may refuse their records).
    event JobOutcome(uint256 indexed jobId, uint256 indexed agentId, bool completed, int128 value, uint8 valueDecimals);
    event JobValidated(uint256 indexed jobId, uint256 indexed agentId, bytes32 requestHash, uint8 response);
    /// @notice A registry refused the feedback or validation record; the job settled anyway.
    event RecordFailed(uint256 indexed jobId, bool feedback, bytes reason);

    error IdentityRequired();
    error NotTheProvidersAgent(uint256 agentId, address provider);
    error BadBond();
    /// @notice settleExpired of a job the escrow has not expired (no claimRefund yet, or it settled otherwise).
    error JobNotExpired(uint256 jobId);
    error NothingToSettle(uint256 jobId);
    error InsufficientGas();
    error NotTheProvider(uint256 jobId);
    error NotOpen(uint256 jobId);
    error NotAccepted(uint256 jobId);
    error TermsChanged(uint256 jobId);
    error TooLate(uint256 jobId, uint64 expiredAt);
    error BadScore(int128 value, uint8 decimals);

    constructor(
        AgenticCommerce acp_,
        uint256 bondBps_,
        uint64 reviewSeconds_,
        IAgentIdentity identity_,
        IAgentReputation reputation_,
        IAgentValidation validation_
    ) ACPHookBase(acp_) {
        if (bondBps_ > 10_000) revert BadBond();
        if ((address(reputation_) != address(0) || address(validation_) != address(0)) && address(identity_) == address(0)) {
            revert IdentityRequired();
        }
        bondBps = bondBps_;
        token = acp_.paymentToken();
        reviewSeconds = reviewSeconds_;
        identity = identity_;
        reputation = reputation_;
        validation = validation_;
    }

    // ---------------------------------------------------------------- provider and anyone

    /// @notice The provider takes the job as agent `agentId` on its current terms: the client may fund
    ///         it only as it is now, at `budget`, with at least `minWorkSeconds` left before the expiry.
    function acceptJob(uint256 jobId, uint256 budget, uint64 minWorkSeconds, uint256 agentId) external {
        AgenticCommerce.Terms memory job = _job(jobId);
        if (msg.sender != job.provider) revert NotTheProvider(jobId);
        if (job.status != AgenticCommerce.Status.Open) revert NotOpen(jobId);
        _requireAgentOf(agentId, job.provider);
        acceptances[jobId] = Acceptance(_terms(job, budget), minWorkSeconds, true, agentId);
        emit JobAccepted(jobId, msg.sender, agentId, budget, minWorkSeconds);
    }

    /// @notice The ERC-8004 validation request a provider makes (validator: this hook) before submitting.
    function validationRequestHash(uint256 jobId, bytes32 deliverable, bytes32 salt) public view returns (bytes32) {
        return keccak256(abi.encode("hermit.job-validation.v1", block.chainid, address(acp), jobId, deliverable, salt));
    }

    /// @notice Whoever calls it: settles the bond of a job that expired (claimRefund calls no hook).
    function settleExpired(uint256 jobId) external {
        AgenticCommerce.Terms memory job = _job(jobId);
        if (job.status != AgenticCommerce.Status.Expired) revert JobNotExpired(jobId);
        Bond storage b = bonds[jobId];
        if (b.amount == 0 || b.settled) revert NothingToSettle(jobId);
        _settleBond(jobId, b, b.submitted && uint256(b.submittedAt) + reviewSeconds <= job.expiredAt);
    }

    // ---------------------------------------------------------------- hook callbacks

    function _beforeFund(uint256 jobId, bytes calldata) internal override {
        AgenticCommerce.Terms memory job = _job(jobId);
        Acceptance memory a = acceptances[jobId];
        if (!a.accepted) revert NotAccepted(jobId);
        if (_terms(job, job.budget) != a.terms) revert TermsChanged(jobId);
        if (block.timestamp + a.minWorkSeconds > job.expiredAt) revert TooLate(jobId, job.expiredAt);
        _requireAgentOf(a.agentId, job.provider);
    }

    function _afterFund(uint256 jobId, bytes calldata) internal override {
        funded[jobId] = true;
        if (bondBps == 0) return;
        AgenticCommerce.Terms memory job = _job(jobId);
        uint256 amount = job.budget * bondBps / 10_000;
        if (amount == 0) return;
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(job.provider, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received != amount) revert ShortTransfer(received, amount);
        bonds[jobId] = Bond(job.provider, job.client, amount, false, false, 0);
        totalBonded += amount;
        emit BondLocked(jobId, job.provider, amount);
    }

    function _afterSubmit(uint256 jobId, bytes32 deliverable, bytes memory optParams) internal override {
        Bond storage b = bonds[jobId];
        if (b.amount != 0) {
            b.submitted = true;
            b.submittedAt = uint64(block.timestamp);
        }
        bytes32 salt = optParams.length == 32 ? abi.decode(optParams, (bytes32)) : bytes32(0);
        requestHashOf[jobId] = validationRequestHash(jobId, deliverable, salt);
    }

    function _afterSettle(uint256 jobId, bool completed, bytes32 reason, bytes memory optParams) internal override {
        Bond storage b = bonds[jobId];
        if (b.amount != 0 && !b.settled) _settleBond(jobId, b, completed);
        // a job rejected while Open was never funded: no payment, so no outcome
        if (!funded[jobId]) return;
        (int128 value, uint8 decimals) = optParams.length == 64 ? abi.decode(optParams, (int128, uint8)) : (completed ? int128(100) : int128(0), uint8(0));
        if (decimals != 0 || value < 0 || value > 100) revert BadScore(value, decimals);
        uint256 agentId = acceptances[jobId].agentId;
        emit JobOutcome(jobId, agentId, completed, value, decimals);
        if (address(reputation) != address(0)) _feedback(jobId, agentId, completed, value, reason);
        if (address(validation) != address(0)) _validate(jobId, agentId, completed, reason);
    }

    // ---------------------------------------------------------------- internals

    function _terms(AgenticCommerce.Terms memory job, uint256 budget) private pure returns (bytes32) {
        return keccak256(abi.encode(job.client, job.provider, job.evaluator, job.expiredAt, budget));
    }

    function _requireAgentOf(uint256 agentId, address provider) private view {
        if (address(identity) == address(0)) return;
        if (identity.ownerOf(agentId) != provider && identity.getAgentWallet(agentId) != provider) revert NotTheProvidersAgent(agentId, provider);
    }

    function _settleBond(uint256 jobId, Bond storage b, bool toProvider) private {
        b.settled = true;
        totalBonded -= b.amount;
        if (toProvider) {
            token.safeTransfer(b.provider, b.amount);
            emit BondReturned(jobId, b.provider, b.amount);
        } else {
            token.safeTransfer(b.client, b.amount);
            emit BondSlashed(jobId, b.client, b.amount);
        }
    }

    function _feedback(uint256 jobId, uint256 agentId, bool completed, int128 value, bytes32 reason) private {
        AgenticCommerce.Terms memory job = _job(jobId);
        (string memory uri, bytes32 hash) = JobFeedbackFile.build(
            JobFeedbackFile.Fields({
                identityRegistry: address(identity),
                agentId: agentId,
                author: address(this),
                value: value,
                valueDecimals: 0,
                completed: completed,
                escrow: address(acp),
                jobId: jobId,
                client: job.client,
                evaluator: job.evaluator,
                budget: job.budget,
                token: address(token),
                deliverable: job.deliverable,
                reason: reason
            })
        );
        // a registry that refuses (e.g. the provider made this hook its own agent's operator, which
        // the registry treats as self-feedback) must not block the job: report it instead
        if (gasleft() < FEEDBACK_GAS + FEEDBACK_GAS / 63 + 20_000) revert InsufficientGas();
        try reputation.giveFeedback{gas: FEEDBACK_GAS}(agentId, value, 0, "job", completed ? "completed" : "rejected", "", uri, hash) {}
        catch (bytes memory failure) {
            emit RecordFailed(jobId, true, failure);
        }
    }

    function _validate(uint256 jobId, uint256 agentId, bool completed, bytes32 reason) private {
        bytes32 requestHash = requestHashOf[jobId];
        if (requestHash == bytes32(0)) return; // rejected before any submission
        // enough gas that neither call below can be starved into "no request" or "failed" by the caller
        if (gasleft() < 2 * VALIDATION_GAS + (2 * VALIDATION_GAS) / 63 + 20_000) revert InsufficientGas();
        try validation.getValidationStatus{gas: VALIDATION_GAS}(requestHash) returns (
            address validator, uint256 requestAgent, uint8, bytes32, string memory, uint256
        ) {
            if (validator != address(this) || requestAgent != agentId) return;
        } catch {
            return; // the provider asked for no validation of this job
        }
        uint8 response = completed ? 100 : 0;
        try validation.validationResponse{gas: VALIDATION_GAS}(requestHash, response, "", reason, "job") {
            emit JobValidated(jobId, agentId, requestHash, response);
        } catch (bytes memory failure) {
            emit RecordFailed(jobId, false, failure);
        }
    }
}
