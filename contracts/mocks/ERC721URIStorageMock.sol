// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC721URIStorage} from "@openzeppelin/contracts/token/ERC721/extensions/ERC721URIStorage.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/**
 * @title ERC721URIStorageMock
 * @notice Test only: the gas baseline, an NFT whose token URI points at an IPFS CID, as the
 * OpenZeppelin Contracts Wizard writes it (ERC721 + URI Storage + Mintable, Ownable).
 */
contract ERC721URIStorageMock is ERC721, ERC721URIStorage, Ownable {
    uint256 private _nextTokenId;

    constructor(address initialOwner) ERC721("DISP Baseline", "DISPB") Ownable(initialOwner) {}

    /// @notice Mints the next token to `to` with its URI, in one call.
    function safeMint(address to, string memory uri) public onlyOwner returns (uint256) {
        // Verbatim from the Wizard, so the baseline is what people deploy.
        // solhint-disable-next-line gas-increment-by-one
        uint256 tokenId = _nextTokenId++;
        _safeMint(to, tokenId);
        _setTokenURI(tokenId, uri);
        return tokenId;
    }

    /// @inheritdoc ERC721URIStorage
    function tokenURI(
        uint256 tokenId
    ) public view override(ERC721, ERC721URIStorage) returns (string memory) {
        return super.tokenURI(tokenId);
    }

    /// @inheritdoc ERC721URIStorage
    function supportsInterface(
        bytes4 interfaceId
    ) public view override(ERC721, ERC721URIStorage) returns (bool) {
        return super.supportsInterface(interfaceId);
    }
}
