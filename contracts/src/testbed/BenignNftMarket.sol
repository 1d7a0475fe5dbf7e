// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";

/// @notice TEST BED ONLY. Sellers list an NFT they approved to the market; buyers pay the price,
///         which goes straight to the seller.
contract BenignNftMarket {
    struct Listing {
        address seller;
        uint256 price;
    }

    mapping(address collection => mapping(uint256 tokenId => Listing)) public listings;

    function list(address collection, uint256 tokenId, uint256 price) external {
        require(IERC721(collection).ownerOf(tokenId) == msg.sender, "not owner");
        listings[collection][tokenId] = Listing(msg.sender, price);
    }

    function buy(address collection, uint256 tokenId) external payable {
        Listing memory l = listings[collection][tokenId];
        require(l.seller != address(0) && msg.value == l.price, "bad price");
        delete listings[collection][tokenId];
        IERC721(collection).transferFrom(l.seller, msg.sender, tokenId);
        (bool ok,) = l.seller.call{value: msg.value}("");
        require(ok, "payout failed");
    }
}
