import { expect } from "chai";
import { network } from "hardhat";

import DispModule from "../../deploy/modules/Disp.js";
import { at, nodeAccounts, optInAll, namedSigners } from "./helpers.js";

const { ethers, ignition, networkHelpers } = await network.create();
const { loadFixture } = networkHelpers;

const MAX_MULTIADDRS = 8;
const MAX_MULTIADDR_LENGTH = 256;
const MAX_PEER_ID_LENGTH = 128;
const MAX_PEER_ID_PROOF_LENGTH = 128;

async function deployFixture() {
  const accounts = await namedSigners(ethers, ["admin", "stranger"]);
  const { registry: deployed } = await ignition.deploy(DispModule);
  const registry = await ethers.getContractAt("DispRegistry", deployed);
  const nodes = await nodeAccounts(ethers, networkHelpers, 8, 500);
  return { registry, ...accounts, nodes };
}

/** A multiaddr of exactly `length` bytes (a DNS name padded out). */
function multiaddrOfLength(length: number, index = 0): string {
  const head = `/dns4/n${index}`;
  const tail = ".example/tcp/4001";
  return `${head}${"a".repeat(length - head.length - tail.length)}${tail}`;
}

/** The largest contact information the registry accepts. */
function largestContact(index: number) {
  const peerId = `12D3KooW${index}`.padEnd(MAX_PEER_ID_LENGTH, "x");
  const multiaddrs = Array.from({ length: MAX_MULTIADDRS }, (_, i) =>
    multiaddrOfLength(MAX_MULTIADDR_LENGTH, index * 100 + i),
  );
  const proof = ethers.hexlify(new Uint8Array(MAX_PEER_ID_PROOF_LENGTH).fill(index + 1));
  return { peerId, multiaddrs, proof };
}

async function gasOf(tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>): Promise<number> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("not mined");
  return Number(receipt.gasUsed);
}

describe("CommunityRegistry: bounded contact information and one account per peer id", function () {
  it("exposes the limits the client relies on", async function () {
    const { registry } = await loadFixture(deployFixture);
    expect(await registry.MAX_MULTIADDRS()).to.equal(BigInt(MAX_MULTIADDRS));
    expect(await registry.MAX_MULTIADDR_LENGTH()).to.equal(BigInt(MAX_MULTIADDR_LENGTH));
    expect(await registry.MAX_PEER_ID_LENGTH()).to.equal(BigInt(MAX_PEER_ID_LENGTH));
    expect(await registry.MAX_PEER_ID_PROOF_LENGTH()).to.equal(BigInt(MAX_PEER_ID_PROOF_LENGTH));
  });

  describe("when a node publishes more than the limits", function () {
    const cases = [
      {
        what: "more than MAX_MULTIADDRS multiaddrs",
        error: "CommunityRegistryTooManyMultiaddrs",
        contact: () => ({
          ...largestContact(0),
          multiaddrs: Array.from({ length: MAX_MULTIADDRS + 1 }, (_, i) => `/ip4/127.0.0.1/tcp/${4001 + i}`),
        }),
        args: [MAX_MULTIADDRS + 1, MAX_MULTIADDRS],
      },
      {
        what: "a multiaddr longer than MAX_MULTIADDR_LENGTH",
        error: "CommunityRegistryMultiaddrTooLong",
        contact: () => ({
          ...largestContact(0),
          multiaddrs: ["/ip4/127.0.0.1/tcp/4001", multiaddrOfLength(MAX_MULTIADDR_LENGTH + 1)],
        }),
        args: [1, MAX_MULTIADDR_LENGTH + 1, MAX_MULTIADDR_LENGTH],
      },
      {
        what: "a peer id longer than MAX_PEER_ID_LENGTH",
        error: "CommunityRegistryPeerIdTooLong",
        contact: () => ({ ...largestContact(0), peerId: "p".repeat(MAX_PEER_ID_LENGTH + 1) }),
        args: [MAX_PEER_ID_LENGTH + 1, MAX_PEER_ID_LENGTH],
      },
      {
        what: "a proof longer than MAX_PEER_ID_PROOF_LENGTH",
        error: "CommunityRegistryPeerIdProofTooLong",
        contact: () => ({
          ...largestContact(0),
          proof: ethers.hexlify(new Uint8Array(MAX_PEER_ID_PROOF_LENGTH + 1)),
        }),
        args: [MAX_PEER_ID_PROOF_LENGTH + 1, MAX_PEER_ID_PROOF_LENGTH],
      },
    ] as const;

    for (const { what, error, contact, args } of cases) {
      it(`optIn with ${what} reverts with ${error}`, async function () {
        const { registry, nodes } = await loadFixture(deployFixture);
        const { peerId, multiaddrs, proof } = contact();
        await expect(registry.connect(at(nodes, 0)).optIn(peerId, multiaddrs, proof))
          .to.be.revertedWithCustomError(registry, error)
          .withArgs(...args);
      });

      it(`updateNodeInfo with ${what} reverts with ${error}`, async function () {
        const { registry, nodes } = await loadFixture(deployFixture);
        await optInAll(registry, nodes.slice(0, 1), 500);
        const { peerId, multiaddrs, proof } = contact();
        await expect(registry.connect(at(nodes, 0)).updateNodeInfo(peerId, multiaddrs, proof))
          .to.be.revertedWithCustomError(registry, error)
          .withArgs(...args);
      });
    }
  });

  describe("the largest accepted contact information", function () {
    it("is stored and emitted with its proof, and costs bounded gas to publish and to replace", async function () {
      const { registry, nodes } = await loadFixture(deployFixture);
      const gas: Record<string, number> = {};
      for (const [i, node] of nodes.slice(0, 4).entries()) {
        const { peerId, multiaddrs, proof } = largestContact(i);
        const sent = registry.connect(node).optIn(peerId, multiaddrs, proof);
        await expect(sent).to.emit(registry, "NodeOptedIn").withArgs(node.address, peerId, multiaddrs, proof);
        gas.optInMax = await gasOf(sent);
      }
      // A typical record: an Ed25519 peer id, two addresses naming it, a 64-byte signature.
      const peerId = "12D3KooWHSFY92mj6h9x4TpGQZyBmuVq3vveixuaCuqDdBhVH1fU";
      const typical = [
        `/ip4/203.0.113.7/tcp/4001/p2p/${peerId}`,
        `/ip4/203.0.113.7/udp/4001/quic-v1/p2p/${peerId}`,
      ];
      gas.optInTypical = await gasOf(
        registry.connect(at(nodes, 6)).optIn(peerId, typical, ethers.hexlify(new Uint8Array(64).fill(7))),
      );
      const first = at(nodes, 0);
      const info = await registry.nodeInfo(first.address);
      expect(info.peerIdProof).to.equal(largestContact(0).proof);
      expect(info.multiaddrs).to.have.length(MAX_MULTIADDRS);

      const moved = largestContact(10);
      gas.updateNodeInfoMax = await gasOf(
        registry.connect(first).updateNodeInfo(moved.peerId, moved.multiaddrs, moved.proof),
      );
      await (await registry.formCommunity(2)).wait();
      await optInAll(registry, nodes.slice(4, 5), 504);
      // The replaced member holds the largest record: replaceMember deletes all of it.
      gas.replaceMemberOfMax = await gasOf(registry.replaceMember(1n, 0));
      console.log(`      gas: ${JSON.stringify(gas)}`);
      // Measured (Prague, solc 0.8.37): optIn 2,041,669 at the limits (473,192 for a typical record),
      // updateNodeInfo 369,387, replaceMember 393,643. Before the caps a record had no bound (150
      // addresses cost replaceMember 1.9M).
      expect(gas.optInMax).to.be.below(2_500_000);
      expect(gas.updateNodeInfoMax).to.be.below(2_500_000);
      expect(gas.replaceMemberOfMax).to.be.below(500_000);
    });
  });

  describe("peer ids", function () {
    it("a second account publishing an opted-in account's peer id reverts with CommunityRegistryPeerIdTaken", async function () {
      const { registry, nodes } = await loadFixture(deployFixture);
      const [honest, squatter] = [at(nodes, 0), at(nodes, 1)];
      await (
        await registry.connect(honest).optIn("12D3KooWShared", ["/ip4/127.0.0.1/tcp/4001"], "0x01")
      ).wait();
      await expect(registry.connect(squatter).optIn("12D3KooWShared", ["/ip4/127.0.0.1/tcp/4002"], "0x02"))
        .to.be.revertedWithCustomError(registry, "CommunityRegistryPeerIdTaken")
        .withArgs("12D3KooWShared", honest.address);
      expect(await registry.peerIdHolder("12D3KooWShared")).to.equal(honest.address);
    });

    it("an opted-in account moving to a taken peer id reverts with CommunityRegistryPeerIdTaken", async function () {
      const { registry, nodes } = await loadFixture(deployFixture);
      const [honest, other] = [at(nodes, 0), at(nodes, 1)];
      await (await registry.connect(honest).optIn("12D3KooWHonest", [], "0x")).wait();
      await (await registry.connect(other).optIn("12D3KooWOther", [], "0x")).wait();
      await expect(registry.connect(other).updateNodeInfo("12D3KooWHonest", [], "0x"))
        .to.be.revertedWithCustomError(registry, "CommunityRegistryPeerIdTaken")
        .withArgs("12D3KooWHonest", honest.address);
    });

    it("frees a peer id when its account moves to another one or leaves", async function () {
      const { registry, nodes } = await loadFixture(deployFixture);
      const [a, b, c] = [at(nodes, 0), at(nodes, 1), at(nodes, 2)];
      await (await registry.connect(a).optIn("12D3KooWFirst", [], "0x")).wait();
      await (await registry.connect(a).updateNodeInfo("12D3KooWMoved", [], "0x")).wait();
      expect(await registry.peerIdHolder("12D3KooWFirst")).to.equal(ethers.ZeroAddress);
      await expect(registry.connect(b).optIn("12D3KooWFirst", [], "0x")).to.emit(registry, "NodeOptedIn");

      await (await registry.connect(b).optOut()).wait();
      expect(await registry.peerIdHolder("12D3KooWFirst")).to.equal(ethers.ZeroAddress);
      await expect(registry.connect(c).optIn("12D3KooWFirst", [], "0x")).to.emit(registry, "NodeOptedIn");
      expect(await registry.peerIdHolder("12D3KooWFirst")).to.equal(c.address);
    });

    it("lets a replaced node opt in again with its own peer id", async function () {
      const { registry, nodes } = await loadFixture(deployFixture);
      await optInAll(registry, nodes.slice(0, 3), 500);
      await (await registry.formCommunity(2)).wait();
      await (await registry.replaceMember(1n, 0)).wait();
      const replaced = at(nodes, 0);
      const peerId = `12D3KooWTestNode500`;
      await expect(registry.connect(replaced).optIn(peerId, [], "0x")).to.emit(registry, "NodeOptedIn");
      expect(await registry.peerIdHolder(peerId)).to.equal(replaced.address);
    });

    it("emits NodeInfoUpdated when only the proof changes", async function () {
      const { registry, nodes } = await loadFixture(deployFixture);
      const node = at(nodes, 0);
      await (await registry.connect(node).optIn("12D3KooWProof", [], "0x")).wait();
      await expect(registry.connect(node).updateNodeInfo("12D3KooWProof", [], "0xabcd"))
        .to.emit(registry, "NodeInfoUpdated")
        .withArgs(node.address, "12D3KooWProof", [], "0xabcd");
      expect((await registry.nodeInfo(node.address)).peerIdProof).to.equal("0xabcd");
    });
  });
});
