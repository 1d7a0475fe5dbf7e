// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts/proxy/utils/UUPSUpgradeable.sol";

// The shapes `hermit trust` must tell apart (packages/trust). The proxies, ProxyAdmin, beacon and
// TimelockController themselves are OpenZeppelin's own npm artifacts; only what OpenZeppelin does
// not ship as a concrete contract is here.

/// @notice TEST BED ONLY. The logic of a vault with an owner who can pause, mint, blacklist, set fees and sweep.
///         Storage is set by `initialize`, so it works behind any proxy or clone.
contract TrustVaultV1 {
    address public owner;
    bool public paused;
    uint256 public fee;
    mapping(address => bool) public blacklisted;
    mapping(address => uint256) public balanceOf;

    modifier onlyOwner() {
        require(msg.sender == owner, "not owner");
        _;
    }

    function initialize(address owner_) external {
        require(owner == address(0), "initialized");
        owner = owner_;
    }

    function deposit() external payable {
        require(!paused && !blacklisted[msg.sender], "refused");
        balanceOf[msg.sender] += msg.value;
    }

    function withdraw(uint256 amount) external {
        balanceOf[msg.sender] -= amount;
        payable(msg.sender).transfer(amount);
    }

    function pause() external onlyOwner {
        paused = true;
    }

    function mint(address to, uint256 amount) external onlyOwner {
        balanceOf[to] += amount;
    }

    function blacklist(address who) external onlyOwner {
        blacklisted[who] = true;
    }

    function setFee(uint256 fee_) external onlyOwner {
        fee = fee_;
    }

    function sweep(address payable to) external onlyOwner {
        to.transfer(address(this).balance);
    }

    function transferOwnership(address newOwner) external onlyOwner {
        owner = newOwner;
    }
}

/// @notice TEST BED ONLY. The same vault, upgraded through its implementation by its owner (UUPS).
contract TrustUupsVault is TrustVaultV1, UUPSUpgradeable {
    function _authorizeUpgrade(address) internal view override onlyOwner {}
}

/// @notice TEST BED ONLY. A token whose powers are AccessControl roles held by separate keys; not upgradeable.
contract TrustRolesToken is AccessControl {
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    bool public paused;
    mapping(address => uint256) public balanceOf;

    constructor(address admin, address minter, address pauser) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(MINTER_ROLE, minter);
        _grantRole(PAUSER_ROLE, pauser);
    }

    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        balanceOf[to] += amount;
    }

    function pause() external onlyRole(PAUSER_ROLE) {
        paused = true;
    }
}

/// @notice TEST BED ONLY. A vault nobody controls: no owner, no roles, no proxy (the benign twin).
contract TrustImmutableVault {
    mapping(address => uint256) public balanceOf;

    function deposit() external payable {
        balanceOf[msg.sender] += msg.value;
    }

    function withdraw(uint256 amount) external {
        balanceOf[msg.sender] -= amount;
        payable(msg.sender).transfer(amount);
    }
}

/// @notice TEST BED ONLY. A Compound-style timelock (Compound's Timelock.sol: admin, delay, queue, execute).
contract TrustCompoundTimelock {
    address public admin;
    uint256 public delay;
    mapping(bytes32 => bool) public queuedTransactions;

    constructor(address admin_, uint256 delay_) {
        admin = admin_;
        delay = delay_;
    }

    function queueTransaction(address target, uint256 value, bytes calldata data, uint256 eta)
        external
        returns (bytes32 txHash)
    {
        require(msg.sender == admin, "not admin");
        require(eta >= block.timestamp + delay, "eta too early");
        txHash = keccak256(abi.encode(target, value, data, eta));
        queuedTransactions[txHash] = true;
    }

    function executeTransaction(address target, uint256 value, bytes calldata data, uint256 eta)
        external
        payable
        returns (bytes memory)
    {
        require(msg.sender == admin, "not admin");
        bytes32 txHash = keccak256(abi.encode(target, value, data, eta));
        require(queuedTransactions[txHash] && block.timestamp >= eta, "not ready");
        queuedTransactions[txHash] = false;
        (bool ok, bytes memory result) = target.call{value: value}(data);
        require(ok, "call failed");
        return result;
    }
}

/// @notice TEST BED ONLY. A facet with the owner's powers (mint, pause), for the diamond below.
contract TrustMintFacet {
    event Minted(address to, uint256 amount);

    function mint(address to, uint256 amount) external {
        emit Minted(to, amount);
    }

    function pause() external {}
}

/// @notice TEST BED ONLY. A minimal EIP-2535 diamond: selectors routed to facets, the loupe, and an owner who may cut.
contract TrustDiamond {
    struct Facet {
        address facetAddress;
        bytes4[] functionSelectors;
    }

    struct FacetCut {
        address facetAddress;
        uint8 action;
        bytes4[] functionSelectors;
    }

    address public owner;
    address[] private _facets;
    mapping(address => bytes4[]) private _selectors;
    mapping(bytes4 => address) private _facetOf;

    constructor(address owner_, address facet, bytes4[] memory selectors) {
        owner = owner_;
        _add(facet, selectors);
    }

    /// Add only (action 0): enough for the test bed; the selector is the standard's.
    function diamondCut(FacetCut[] calldata cuts, address, bytes calldata) external {
        require(msg.sender == owner, "not owner");
        for (uint256 i = 0; i < cuts.length; i++) {
            require(cuts[i].action == 0, "add only");
            _add(cuts[i].facetAddress, cuts[i].functionSelectors);
        }
    }

    function facets() external view returns (Facet[] memory out) {
        out = new Facet[](_facets.length);
        for (uint256 i = 0; i < _facets.length; i++) {
            out[i] = Facet(_facets[i], _selectors[_facets[i]]);
        }
    }

    function facetAddresses() external view returns (address[] memory) {
        return _facets;
    }

    function facetAddress(bytes4 selector) external view returns (address) {
        return _facetOf[selector];
    }

    function _add(address facet, bytes4[] memory selectors) private {
        if (_selectors[facet].length == 0) _facets.push(facet);
        for (uint256 i = 0; i < selectors.length; i++) {
            require(_facetOf[selectors[i]] == address(0), "selector exists");
            _facetOf[selectors[i]] = facet;
            _selectors[facet].push(selectors[i]);
        }
    }

    fallback() external payable {
        address facet = _facetOf[msg.sig];
        require(facet != address(0), "no facet");
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), facet, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            switch ok
            case 0 { revert(0, returndatasize()) }
            default { return(0, returndatasize()) }
        }
    }

    receive() external payable {}
}
