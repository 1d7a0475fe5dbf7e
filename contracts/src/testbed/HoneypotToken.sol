// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice TEST BED ONLY — an attack. Anyone can buy it; only the owner's whitelist can ever send
///         it on, so buyers can never sell.
contract HoneypotToken is ERC20 {
    address public immutable owner;
    mapping(address => bool) public canSend;

    constructor() ERC20("Moon Shiba", "MSHIB") {
        owner = msg.sender;
        canSend[msg.sender] = true;
        _mint(msg.sender, 1e30);
    }

    function allowSender(address who) external {
        require(msg.sender == owner, "owner");
        canSend[who] = true;
    }

    function _update(address from, address to, uint256 value) internal override {
        require(from == address(0) || canSend[from], "trading not enabled");
        super._update(from, to, value);
    }
}
