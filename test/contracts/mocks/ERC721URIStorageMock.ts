import { expect } from "chai";
import { network } from "hardhat";

import { namedSigners } from "../helpers.js";

const { ethers, networkHelpers } = await network.create();

async function deployFixture() {
  const accounts = await namedSigners(ethers, ["owner", "holder", "stranger"]);
  const nft = await ethers.deployContract("ERC721URIStorageMock", [accounts.owner.address]);
  return { nft, ...accounts };
}

// The gas benchmark's baseline must really be an ERC721URIStorage mint with its URI.
describe("ERC721URIStorageMock (gas baseline)", function () {
  it("mints consecutive tokens with their URI in one call", async function () {
    const { nft, holder } = await networkHelpers.loadFixture(deployFixture);
    const uri = "ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";
    await expect(nft.safeMint(holder.address, uri))
      .to.emit(nft, "Transfer")
      .withArgs(ethers.ZeroAddress, holder.address, 0n);
    await nft.safeMint(holder.address, `${uri}2`);
    expect(await nft.ownerOf(1)).to.equal(holder.address);
    expect(await nft.tokenURI(0)).to.equal(uri);
    expect(await nft.tokenURI(1)).to.equal(`${uri}2`);
    expect(await nft.supportsInterface("0x5b5e139f")).to.equal(true); // ERC721Metadata
  });

  it("lets only its owner mint", async function () {
    const { nft, stranger } = await networkHelpers.loadFixture(deployFixture);
    await expect(nft.connect(stranger).safeMint(stranger.address, "ipfs://x"))
      .to.be.revertedWithCustomError(nft, "OwnableUnauthorizedAccount")
      .withArgs(stranger.address);
  });
});
