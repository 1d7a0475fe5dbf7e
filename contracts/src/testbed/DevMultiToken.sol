// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";

/// @notice TEST BED ONLY. An ERC-1155 collection anyone can mint into, so that the verifier's tests
/// see real TransferSingle and TransferBatch logs from OpenZeppelin's implementation.
contract DevMultiToken is ERC1155 {
    constructor() ERC1155("") {}

    function mint(address to, uint256 id, uint256 amount) external {
        _mint(to, id, amount, "");
    }
}
