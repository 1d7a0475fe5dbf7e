// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAgentAuthority} from "../interfaces/IAgentAuthority.sol";
import {IAgentReputation} from "../interfaces/IAgentReputation.sol";

/// @title ReputationRegistry — ERC-8004 reputation registry (v2.0.0 interface)
/// @notice Clients give signed fixed-point feedback (`value` with `valueDecimals`) to agents of one
///         identity registry; feedback is numbered from 1 per (agent, client), can be revoked by its
///         author and answered by anyone. Summaries only count the clients the caller names: the
///         caller decides whom to trust. Written from the ERC text; not upgradeable.
contract ReputationRegistry is IAgentReputation {
    event NewFeedback(
        uint256 indexed agentId,
        address indexed clientAddress,
        uint64 feedbackIndex,
        int128 value,
        uint8 valueDecimals,
        string indexed indexedTag1,
        string tag1,
        string tag2,
        string endpoint,
        string feedbackURI,
        bytes32 feedbackHash
    );
    event FeedbackRevoked(uint256 indexed agentId, address indexed clientAddress, uint64 indexed feedbackIndex);
    event ResponseAppended(
        uint256 indexed agentId,
        address indexed clientAddress,
        uint64 feedbackIndex,
        address indexed responder,
        string responseURI,
        bytes32 responseHash
    );

    struct Feedback {
        int128 value;
        uint8 valueDecimals;
        bool isRevoked;
        string tag1;
        string tag2;
    }

    int128 private constant MAX_ABS_VALUE = 1e38;
    uint8 private constant MAX_DECIMALS = 18;

    address private immutable _identityRegistry;

    mapping(uint256 agentId => mapping(address client => mapping(uint64 index => Feedback))) private _feedback;
    mapping(uint256 agentId => mapping(address client => uint64)) private _lastIndex;
    mapping(uint256 agentId => address[]) private _clients;
    mapping(uint256 agentId => mapping(address client => bool)) private _isClient;
    mapping(uint256 agentId => mapping(address client => mapping(uint64 index => address[]))) private _responders;
    mapping(uint256 agentId => mapping(address client => mapping(uint64 index => mapping(address responder => uint64))))
        private _responseCount;

    constructor(address identityRegistry_) {
        require(identityRegistry_ != address(0), "bad identity");
        _identityRegistry = identityRegistry_;
    }

    function getIdentityRegistry() external view returns (address) {
        return _identityRegistry;
    }

    // ---------------------------------------------------------------- writes

    function giveFeedback(
        uint256 agentId,
        int128 value,
        uint8 valueDecimals,
        string calldata tag1,
        string calldata tag2,
        string calldata endpoint,
        string calldata feedbackURI,
        bytes32 feedbackHash
    ) external {
        require(valueDecimals <= MAX_DECIMALS, "too many decimals");
        require(value >= -MAX_ABS_VALUE && value <= MAX_ABS_VALUE, "value too large");
        // also the existence check: an unknown agent reverts in the identity registry
        require(!IAgentAuthority(_identityRegistry).isAuthorizedOrOwner(msg.sender, agentId), "Self-feedback not allowed");

        uint64 index = _store(agentId, value, valueDecimals, tag1, tag2);
        _announce(agentId, index, value, valueDecimals, tag1, tag2, endpoint, feedbackURI, feedbackHash);
    }

    function _store(uint256 agentId, int128 value, uint8 valueDecimals, string calldata tag1, string calldata tag2)
        private
        returns (uint64 index)
    {
        index = ++_lastIndex[agentId][msg.sender];
        _feedback[agentId][msg.sender][index] = Feedback(value, valueDecimals, false, tag1, tag2);
        if (!_isClient[agentId][msg.sender]) {
            _isClient[agentId][msg.sender] = true;
            _clients[agentId].push(msg.sender);
        }
    }

    /// @dev Memory strings keep the event within the legacy code generator's stack limit.
    function _announce(
        uint256 agentId,
        uint64 index,
        int128 value,
        uint8 valueDecimals,
        string memory tag1,
        string memory tag2,
        string memory endpoint,
        string memory feedbackURI,
        bytes32 feedbackHash
    ) private {
        emit NewFeedback(
            agentId, msg.sender, index, value, valueDecimals, tag1, tag1, tag2, endpoint, feedbackURI, feedbackHash
        );
    }

    /// @notice Revokes the caller's own feedback; it stays readable, flagged as revoked.
    function revokeFeedback(uint256 agentId, uint64 feedbackIndex) external {
        require(feedbackIndex > 0, "index must be > 0");
        require(feedbackIndex <= _lastIndex[agentId][msg.sender], "index out of bounds");
        Feedback storage f = _feedback[agentId][msg.sender][feedbackIndex];
        require(!f.isRevoked, "Already revoked");
        f.isRevoked = true;
        emit FeedbackRevoked(agentId, msg.sender, feedbackIndex);
    }

    /// @notice Anyone may answer a feedback (the agent refuting it, a spam tagger, an auditor).
    function appendResponse(
        uint256 agentId,
        address clientAddress,
        uint64 feedbackIndex,
        string calldata responseURI,
        bytes32 responseHash
    ) external {
        require(feedbackIndex > 0, "index must be > 0");
        require(bytes(responseURI).length > 0, "Empty URI");
        require(feedbackIndex <= _lastIndex[agentId][clientAddress], "index out of bounds");
        if (_responseCount[agentId][clientAddress][feedbackIndex][msg.sender] == 0) {
            _responders[agentId][clientAddress][feedbackIndex].push(msg.sender);
        }
        _responseCount[agentId][clientAddress][feedbackIndex][msg.sender]++;
        emit ResponseAppended(agentId, clientAddress, feedbackIndex, msg.sender, responseURI, responseHash);
    }

    // ---------------------------------------------------------------- reads

    function getLastIndex(uint256 agentId, address clientAddress) external view returns (uint64) {
        return _lastIndex[agentId][clientAddress];
    }

    function readFeedback(uint256 agentId, address clientAddress, uint64 feedbackIndex)
        external
        view
        returns (int128 value, uint8 valueDecimals, string memory tag1, string memory tag2, bool isRevoked)
    {
        require(feedbackIndex > 0, "index must be > 0");
        require(feedbackIndex <= _lastIndex[agentId][clientAddress], "index out of bounds");
        Feedback storage f = _feedback[agentId][clientAddress][feedbackIndex];
        return (f.value, f.valueDecimals, f.tag1, f.tag2, f.isRevoked);
    }

    /// @notice Average of the non-revoked feedback of the named clients (a list is required: the
    ///         caller chooses whom to trust), matching tag1/tag2 when they are not empty. Values are
    ///         averaged at 18 decimals and given back at the most common valueDecimals.
    function getSummary(uint256 agentId, address[] memory clientAddresses, string memory tag1, string memory tag2)
        external
        view
        returns (uint64 count, int128 summaryValue, uint8 summaryValueDecimals)
    {
        require(clientAddresses.length > 0, "clientAddresses required");
        Filter memory filter = _filter(tag1, tag2, false);
        int256 sumWad;
        uint64[19] memory decimalsSeen;
        for (uint256 c; c < clientAddresses.length; c++) {
            (int256 s, uint64 n) = _sumClient(agentId, clientAddresses[c], filter, decimalsSeen);
            sumWad += s;
            count += n;
        }
        if (count == 0) return (0, 0, 0);
        for (uint8 d; d <= MAX_DECIMALS; d++) {
            if (decimalsSeen[d] > decimalsSeen[summaryValueDecimals]) summaryValueDecimals = d;
        }
        int256 avgWad = sumWad / int256(uint256(count));
        // The average at the most common decimals may not fit int128 when large values at few
        // decimals are mixed with many at more decimals: give it with fewer decimals then (at 0
        // decimals it always fits, since |value| <= 1e38), rather than wrap or revert.
        int256 avg = avgWad / int256(uint256(10) ** (MAX_DECIMALS - summaryValueDecimals));
        while (avg > type(int128).max || avg < type(int128).min) {
            avg /= 10;
            summaryValueDecimals--;
        }
        summaryValue = int128(avg);
    }

    /// @dev Sum at 18 decimals and count of one client's live feedback matching the tags.
    function _sumClient(
        uint256 agentId,
        address client,
        Filter memory filter,
        uint64[19] memory decimalsSeen
    ) private view returns (int256 sumWad, uint64 count) {
        uint64 last = _lastIndex[agentId][client];
        for (uint64 i = 1; i <= last; i++) {
            Feedback storage f = _feedback[agentId][client][i];
            if (!_matches(f, filter)) continue;
            sumWad += int256(f.value) * int256(uint256(10) ** (MAX_DECIMALS - f.valueDecimals));
            decimalsSeen[f.valueDecimals]++;
            count++;
        }
    }

    struct FeedbackList {
        address[] clients;
        uint64[] feedbackIndexes;
        int128[] values;
        uint8[] valueDecimals;
        string[] tag1s;
        string[] tag2s;
        bool[] revokedStatuses;
    }

    /// @notice Every feedback of the named clients (all clients when the list is empty) matching the
    ///         tags, ordered by client then index; revoked feedback only with `includeRevoked`.
    function readAllFeedback(
        uint256 agentId,
        address[] memory clientAddresses,
        string memory tag1,
        string memory tag2,
        bool includeRevoked
    )
        external
        view
        returns (
            address[] memory clients,
            uint64[] memory feedbackIndexes,
            int128[] memory values,
            uint8[] memory valueDecimals,
            string[] memory tag1s,
            string[] memory tag2s,
            bool[] memory revokedStatuses
        )
    {
        address[] memory from = clientAddresses.length > 0 ? clientAddresses : _clients[agentId];
        FeedbackList memory out = _collect(agentId, from, _filter(tag1, tag2, includeRevoked));
        return (out.clients, out.feedbackIndexes, out.values, out.valueDecimals, out.tag1s, out.tag2s, out.revokedStatuses);
    }

    struct Filter {
        bool anyTag1;
        bytes32 tag1;
        bool anyTag2;
        bytes32 tag2;
        bool includeRevoked;
    }

    function _filter(string memory tag1, string memory tag2, bool includeRevoked) private pure returns (Filter memory) {
        return Filter(bytes(tag1).length == 0, keccak256(bytes(tag1)), bytes(tag2).length == 0, keccak256(bytes(tag2)), includeRevoked);
    }

    function _matches(Feedback storage f, Filter memory filter) private view returns (bool) {
        if (f.isRevoked && !filter.includeRevoked) return false;
        if (!filter.anyTag1 && keccak256(bytes(f.tag1)) != filter.tag1) return false;
        if (!filter.anyTag2 && keccak256(bytes(f.tag2)) != filter.tag2) return false;
        return true;
    }

    function _collect(uint256 agentId, address[] memory from, Filter memory filter)
        private
        view
        returns (FeedbackList memory out)
    {
        uint256 n;
        for (uint256 c; c < from.length; c++) {
            uint64 last = _lastIndex[agentId][from[c]];
            for (uint64 i = 1; i <= last; i++) {
                if (_matches(_feedback[agentId][from[c]][i], filter)) n++;
            }
        }
        out.clients = new address[](n);
        out.feedbackIndexes = new uint64[](n);
        out.values = new int128[](n);
        out.valueDecimals = new uint8[](n);
        out.tag1s = new string[](n);
        out.tag2s = new string[](n);
        out.revokedStatuses = new bool[](n);
        uint256 k;
        for (uint256 c; c < from.length; c++) {
            uint64 last = _lastIndex[agentId][from[c]];
            for (uint64 i = 1; i <= last; i++) {
                Feedback storage f = _feedback[agentId][from[c]][i];
                if (!_matches(f, filter)) continue;
                out.clients[k] = from[c];
                out.feedbackIndexes[k] = i;
                out.values[k] = f.value;
                out.valueDecimals[k] = f.valueDecimals;
                out.tag1s[k] = f.tag1;
                out.tag2s[k] = f.tag2;
                out.revokedStatuses[k] = f.isRevoked;
                k++;
            }
        }
    }

    /// @notice Number of responses: to one feedback, to all of a client's feedback
    ///         (`feedbackIndex` 0) or to all of the agent's (`clientAddress` 0); only from `responders`
    ///         when that list is not empty.
    function getResponseCount(uint256 agentId, address clientAddress, uint64 feedbackIndex, address[] calldata responders)
        external
        view
        returns (uint64 count)
    {
        if (clientAddress == address(0)) {
            address[] storage clients = _clients[agentId];
            for (uint256 c; c < clients.length; c++) count += _countClient(agentId, clients[c], responders);
        } else if (feedbackIndex == 0) {
            count = _countClient(agentId, clientAddress, responders);
        } else {
            count = _countOne(agentId, clientAddress, feedbackIndex, responders);
        }
    }

    function _countClient(uint256 agentId, address client, address[] calldata responders) private view returns (uint64 count) {
        uint64 last = _lastIndex[agentId][client];
        for (uint64 i = 1; i <= last; i++) count += _countOne(agentId, client, i, responders);
    }

    function _countOne(uint256 agentId, address client, uint64 index, address[] calldata responders)
        private
        view
        returns (uint64 count)
    {
        mapping(address => uint64) storage counts = _responseCount[agentId][client][index];
        if (responders.length == 0) {
            address[] storage all = _responders[agentId][client][index];
            for (uint256 r; r < all.length; r++) count += counts[all[r]];
        } else {
            for (uint256 r; r < responders.length; r++) count += counts[responders[r]];
        }
    }

    function getClients(uint256 agentId) external view returns (address[] memory) {
        return _clients[agentId];
    }

    function getVersion() external pure returns (string memory) {
        return "2.0.0";
    }
}
