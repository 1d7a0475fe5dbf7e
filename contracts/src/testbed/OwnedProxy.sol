// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC1967Utils} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Utils.sol";
import {Proxy} from "@openzeppelin/contracts/proxy/Proxy.sol";

/// @notice TEST BED ONLY. An ERC-1967 proxy whose owner may upgrade it (the pattern of many vaults).
contract OwnedProxy is Proxy {
    address public immutable owner;

    constructor(address implementation, address owner_) {
        owner = owner_;
        ERC1967Utils.upgradeToAndCall(implementation, "");
    }

    function upgradeToAndCall(address newImplementation, bytes calldata data) external payable {
        require(msg.sender == owner, "not owner");
        ERC1967Utils.upgradeToAndCall(newImplementation, data);
    }

    function _implementation() internal view override returns (address) {
        return ERC1967Utils.getImplementation();
    }

    receive() external payable {}
}

/// @notice TEST BED ONLY. A vault implementation that keeps ETH for its owner.
contract VaultV1 {
    function version() external pure returns (string memory) {
        return "v1";
    }
}

/// @notice TEST BED ONLY — an attack: an implementation that lets its author take everything.
contract EvilVault {
    function sweep(address payable to) external {
        to.transfer(address(this).balance);
    }
}
