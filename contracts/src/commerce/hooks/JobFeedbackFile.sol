// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

/// @notice The ERC-8004 feedback file of a paid job, built on-chain as a `data:` URI, so the file
///         and its hash are as trustworthy as the job itself: agent, author (the hook), the job's
///         escrow, id, client, budget and token, the deliverable and the evaluator's reason.
library JobFeedbackFile {
    using Strings for uint256;
    using Strings for address;

    struct Fields {
        address identityRegistry;
        uint256 agentId;
        address author;
        int128 value;
        uint8 valueDecimals;
        bool completed;
        address escrow;
        uint256 jobId;
        address client;
        address evaluator;
        uint256 budget;
        address token;
        bytes32 deliverable;
        bytes32 reason;
    }

    function build(Fields memory f) internal view returns (string memory uri, bytes32 hash) {
        string memory chain = string.concat("eip155:", block.chainid.toString(), ":");
        bytes memory json = bytes(
            string.concat(
                string.concat(
                    '{"agentRegistry":"', chain, f.identityRegistry.toHexString(),
                    '","agentId":', f.agentId.toString(),
                    ',"clientAddress":"', chain, f.author.toHexString(),
                    '","createdAt":"', isoDate(block.timestamp),
                    '","value":', Strings.toStringSigned(int256(f.value)),
                    ',"valueDecimals":', uint256(f.valueDecimals).toString()
                ),
                string.concat(
                    ',"tag1":"job","tag2":"', f.completed ? "completed" : "rejected",
                    '","job":{"escrow":"', chain, f.escrow.toHexString(),
                    '","jobId":"', f.jobId.toString(),
                    '","client":"', f.client.toHexString(),
                    '","evaluator":"', f.evaluator.toHexString(),
                    '","budget":"', f.budget.toString()
                ),
                string.concat(
                    '","token":"', f.token.toHexString(),
                    '","deliverable":"', uint256(f.deliverable).toHexString(32),
                    '","reason":"', uint256(f.reason).toHexString(32), '"}}'
                )
            )
        );
        return (string.concat("data:application/json;base64,", Base64.encode(json)), keccak256(json));
    }

    /// @notice A UNIX time as an ISO 8601 UTC date-time (days-to-civil, proleptic Gregorian).
    function isoDate(uint256 ts) internal pure returns (string memory) {
        uint256 z = ts / 86400 + 719468;
        uint256 era = z / 146097;
        uint256 doe = z - era * 146097;
        uint256 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        uint256 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        uint256 mp = (5 * doy + 2) / 153;
        uint256 d = doy - (153 * mp + 2) / 5 + 1;
        uint256 m = mp < 10 ? mp + 3 : mp - 9;
        uint256 y = yoe + era * 400 + (m <= 2 ? 1 : 0);
        uint256 s = ts % 86400;
        return string.concat(
            _pad(y, 4), "-", _pad(m, 2), "-", _pad(d, 2), "T", _pad(s / 3600, 2), ":", _pad((s % 3600) / 60, 2), ":", _pad(s % 60, 2), "Z"
        );
    }

    function _pad(uint256 v, uint256 width) private pure returns (string memory out) {
        out = v.toString();
        while (bytes(out).length < width) out = string.concat("0", out);
    }
}
