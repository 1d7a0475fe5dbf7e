// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IdentityRegistry} from "../../src/erc8004/IdentityRegistry.sol";
import {ValidationRegistry} from "../../src/erc8004/ValidationRegistry.sol";

contract ValidationRegistryTest is Test {

    IdentityRegistry internal identity;
    ValidationRegistry internal val;
    address internal owner = makeAddr("owner");
    address internal validator = makeAddr("validator");
    address internal other = makeAddr("other-validator");
    uint256 internal agent;

    function setUp() public {
        identity = new IdentityRegistry();
        val = new ValidationRegistry(address(identity));
        vm.prank(owner);
        agent = identity.register();
    }

    function _request(address v, bytes32 h) internal {
        vm.prank(owner);
        val.validationRequest(v, agent, "ipfs://req", h);
    }

    function test_ConstructorAndVersion() public {
        assertEq(val.getIdentityRegistry(), address(identity));
        assertEq(val.getVersion(), "2.0.0");
        vm.expectRevert(bytes("bad identity"));
        new ValidationRegistry(address(0));
    }

    function testFuzz_RequestByOwnerOrOperatorOnly(address stranger, bytes32 h) public {
        vm.assume(stranger != owner && stranger != address(0));
        vm.expectRevert(bytes("Not authorized"));
        vm.prank(stranger);
        val.validationRequest(validator, agent, "ipfs://req", h);

        vm.prank(owner);
        identity.setApprovalForAll(stranger, true);
        vm.expectEmit(true, true, true, true, address(val));
        emit ValidationRegistry.ValidationRequest(validator, agent, "ipfs://req", h);
        vm.prank(stranger);
        val.validationRequest(validator, agent, "ipfs://req", h);
        (address v, uint256 a, uint8 response, bytes32 rh, string memory tag, uint256 lastUpdate) = val.getValidationStatus(h);
        assertEq(v, validator);
        assertEq(a, agent);
        assertEq(response, 0);
        assertEq(rh, bytes32(0));
        assertEq(tag, "");
        assertEq(lastUpdate, block.timestamp);
    }

    function test_RequestRules() public {
        vm.expectRevert(bytes("bad validator"));
        vm.prank(owner);
        val.validationRequest(address(0), agent, "", bytes32(uint256(1)));
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 5));
        vm.prank(owner);
        val.validationRequest(validator, 5, "", bytes32(uint256(1)));
        _request(validator, bytes32(uint256(1)));
        vm.expectRevert(bytes("exists"));
        vm.prank(owner);
        val.validationRequest(other, agent, "", bytes32(uint256(1)));
    }

    function testFuzz_OnlyTheNamedValidatorResponds(address stranger, uint8 response) public {
        vm.assume(stranger != validator);
        response = uint8(bound(response, 0, 100));
        bytes32 h = keccak256("work");
        _request(validator, h);
        vm.expectRevert(bytes("not validator"));
        vm.prank(stranger);
        val.validationResponse(h, response, "", bytes32(0), "");
        vm.expectEmit(true, true, true, true, address(val));
        emit ValidationRegistry.ValidationResponse(validator, agent, h, response, "ipfs://resp", bytes32(uint256(9)), "soft");
        vm.prank(validator);
        val.validationResponse(h, response, "ipfs://resp", bytes32(uint256(9)), "soft");
        (,, uint8 got,, string memory tag,) = val.getValidationStatus(h);
        assertEq(got, response);
        assertEq(tag, "soft");
    }

    function testFuzz_ResponseAbove100Reverts(uint8 response) public {
        response = uint8(bound(response, 101, 255));
        bytes32 h = keccak256("work");
        _request(validator, h);
        vm.expectRevert(bytes("resp>100"));
        vm.prank(validator);
        val.validationResponse(h, response, "", bytes32(0), "");
    }

    function test_UnknownRequest() public {
        vm.expectRevert(bytes("unknown"));
        val.validationResponse(bytes32(uint256(42)), 1, "", bytes32(0), "");
        vm.expectRevert(bytes("unknown"));
        val.getValidationStatus(bytes32(uint256(42)));
    }

    function test_ValidatorMayUpdate() public {
        bytes32 h = keccak256("work");
        _request(validator, h);
        vm.prank(validator);
        val.validationResponse(h, 40, "", bytes32(0), "soft");
        vm.warp(block.timestamp + 100);
        vm.prank(validator);
        val.validationResponse(h, 100, "", bytes32(0), "hard");
        (,, uint8 got,, string memory tag, uint256 lastUpdate) = val.getValidationStatus(h);
        assertEq(got, 100);
        assertEq(tag, "hard");
        assertEq(lastUpdate, block.timestamp);
    }

    function test_SummaryAndLists() public {
        _request(validator, bytes32(uint256(1)));
        _request(validator, bytes32(uint256(2)));
        _request(other, bytes32(uint256(3)));
        _request(other, bytes32(uint256(4))); // never answered
        vm.startPrank(validator);
        val.validationResponse(bytes32(uint256(1)), 90, "", bytes32(0), "tee");
        val.validationResponse(bytes32(uint256(2)), 61, "", bytes32(0), "zk");
        vm.stopPrank();
        vm.prank(other);
        val.validationResponse(bytes32(uint256(3)), 20, "", bytes32(0), "tee");

        (uint64 count, uint8 avg) = val.getSummary(agent, new address[](0), "");
        assertEq(count, 3);
        assertEq(avg, 57); // floor(171 / 3)
        address[] memory only = new address[](1);
        only[0] = validator;
        (count, avg) = val.getSummary(agent, only, "");
        assertEq(count, 2);
        assertEq(avg, 75);
        (count, avg) = val.getSummary(agent, new address[](0), "tee");
        assertEq(count, 2);
        assertEq(avg, 55);
        (count, avg) = val.getSummary(agent, only, "none");
        assertEq(count, 0);
        assertEq(avg, 0);

        assertEq(val.getAgentValidations(agent).length, 4);
        bytes32[] memory byOther = val.getValidatorRequests(other);
        assertEq(byOther.length, 2);
        assertEq(byOther[1], bytes32(uint256(4)));
    }
}
