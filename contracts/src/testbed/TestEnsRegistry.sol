// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice TEST DOUBLE ONLY, never shipped to users. The two EIP-137 read paths Hermit uses
/// (`resolver(node)` on the registry, `addr(node)` on a resolver) for a devnet test: its runtime code
/// is put at the canonical ENS registry address (0x00000000000C2E074eC69A0dFb2997BA6C7d2e1e) with
/// anvil_setCode, standing in for the mainnet deployment. Ownership is left out: anyone may set a
/// node's resolver, which only a test may rely on.
contract TestEnsRegistry {
    mapping(bytes32 => address) private resolvers;

    event NewResolver(bytes32 indexed node, address resolver);

    function setResolver(bytes32 node, address resolver_) external {
        resolvers[node] = resolver_;
        emit NewResolver(node, resolver_);
    }

    function resolver(bytes32 node) external view returns (address) {
        return resolvers[node];
    }
}

/// @notice TEST DOUBLE ONLY. An EIP-137 resolver whose records anyone may set (see TestEnsRegistry).
contract TestEnsResolver {
    mapping(bytes32 => address) private addrs;

    event AddrChanged(bytes32 indexed node, address a);

    function setAddr(bytes32 node, address a) external {
        addrs[node] = a;
        emit AddrChanged(node, a);
    }

    function addr(bytes32 node) external view returns (address) {
        return addrs[node];
    }

    function supportsInterface(bytes4 id) external pure returns (bool) {
        // EIP-165 itself and EIP-137's addr(bytes32)
        return id == 0x01ffc9a7 || id == 0x3b3b57de;
    }
}
