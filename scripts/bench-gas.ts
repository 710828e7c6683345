import { computeCid } from "@disp/protocol";
import type { Wallet } from "ethers";
import { network } from "hardhat";

import DispModule from "../deploy/modules/Disp.js";

// Gas of the registry's common calls against a baseline measured in the same run: an OpenZeppelin
// ERC721URIStorage mint whose token URI is `ipfs://<CIDv1>`, the usual way to put an image "on
// chain". Every figure is the SECOND call of its kind in the run, so one-time costs (a counter's
// first write, a first balance) weigh on neither side. Last stdout line: one JSON object.

const { ethers, ignition } = await network.create();
const [deployer, user, reader, otherReader, ...grantees] = await ethers.getSigners();
if (deployer === undefined || user === undefined || reader === undefined || otherReader === undefined) {
  throw new Error("the in-process network provides 20 accounts");
}
const admin = deployer;

const { registry: deployed } = await ignition.deploy(DispModule, { displayUi: false });
const registry = await ethers.getContractAt("DispRegistry", await deployed.getAddress());
const nft = await ethers.deployContract("ERC721URIStorageMock", [admin.address]);

let nonce = 0;
/** A real CIDv1 (sha2-256, raw leaves) of fresh bytes: 36 bytes binary, 59 characters in base32. */
const freshCid = () => computeCid(new TextEncoder().encode(`disp bench ${nonce++}`));
const digest = (label: string) => ethers.keccak256(ethers.toUtf8Bytes(`${label} ${nonce}`));

const gasOf = async (tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>): Promise<number> => {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("transaction was not mined");
  return Number(receipt.gasUsed);
};

/** Figures beside the goals, printed for the record. */
const info: Record<string, number> = {};

/** Every node opted in so far, in order: the pool's order, so community 1 holds the first four. */
const wallets: Wallet[] = [];

/** Opts in `count` fresh funded nodes; returns the gas of the last opt-in. */
// A peer id belongs to one opted-in account: every bench node has its own.
let benchNodes = 0;
const optInNodes = async (count: number): Promise<number> => {
  let gas = 0;
  for (let i = 0; i < count; i++) {
    const node = new ethers.Wallet(ethers.hexlify(ethers.randomBytes(32)), ethers.provider);
    wallets.push(node);
    await (await admin.sendTransaction({ to: node.address, value: ethers.parseEther("1") })).wait();
    gas = await gasOf(
      registry.connect(node).optIn(`12D3KooWBench${benchNodes++}`, [`/ip4/127.0.0.1/tcp/${4001 + i}`], "0x"),
    );
  }
  return gas;
};

/** Forms a community of `size` from `size` fresh nodes and lets `user` upload to it; returns its id. */
const formCommunity = async (size: number): Promise<bigint> => {
  info.optIn = await optInNodes(size);
  info[`formCommunity${size}`] = await gasOf(registry.formCommunity(size));
  const communityId = await registry.communityCount();
  info.setUploader = await gasOf(registry.setUploader(communityId, user.address, true));
  return communityId;
};

const images: bigint[] = [];

/** Registers an image with a root of its own (ids derive from the registrant and the root). */
const registerImage = async (communityId: bigint, fragmentCount: number): Promise<number> => {
  const cid = await freshCid();
  const root = digest(`root ${images.length}`);
  images.push(await registry.imageIdOf(user.address, root));
  return gasOf(registry.connect(user).registerImage(communityId, fragmentCount, root, cid.bytes));
};

const addVersion = async (imageId: bigint): Promise<number> => {
  const cid = await freshCid();
  return gasOf(registry.connect(user).addVersion(imageId, digest("version"), cid.bytes));
};

const mintWithUri = async (): Promise<number> => {
  const uri = `ipfs://${(await freshCid()).toString()}`;
  if (uri.length !== 66) throw new Error(`expected a 59-character CIDv1, got ${uri}`);
  return gasOf(nft.safeMint(admin.address, uri));
};

await mintWithUri();
const erc721MintWithUri = await mintWithUri();

const community4 = await formCommunity(4);
await registerImage(community4, 4);
const registerImage4 = await registerImage(community4, 4);

// A 4+2 image: four fragments and two parity shards, one per member of a community of six.
const community6 = await formCommunity(6);
await registerImage(community6, 6);
const registerImage6 = await registerImage(community6, 6);

const community64 = await formCommunity(64);
await registerImage(community64, 64);
const registerImage64 = await registerImage(community64, 64);

const [first, second] = images as [bigint, bigint];
await addVersion(first);
const addVersionGas = await addVersion(second);

await gasOf(registry.connect(user).grantRead(first, reader.address));
const grantRead = await gasOf(registry.connect(user).grantRead(second, otherReader.address));

// Wrapped content keys: an 81-byte envelope (random bytes, as a real one's calldata costs) per
// account, in KeyWrapped events. publishKeys for 1 and for 8 accounts (the marginal figure is per
// grantee past the first), and a grant with its key in one multicall, as the client sends it.
const envelope = () => ethers.hexlify(ethers.randomBytes(81));
const grantee = (i: number): string => {
  const account = grantees[i];
  if (account === undefined) throw new Error(`no grantee ${i}`);
  return account.address;
};
const publishKeys = (imageId: bigint, accounts: readonly string[]) =>
  gasOf(registry.connect(user).publishKeys(imageId, 1n, [...accounts], accounts.map(envelope)));
await publishKeys(first, [user.address]);
const publishKeys1 = await publishKeys(second, [user.address]);
const eight = Array.from({ length: 8 }, (_, i) => grantee(i));
await gasOf(
  registry
    .connect(user)
    .multicall(eight.map((account) => registry.interface.encodeFunctionData("grantRead", [second, account]))),
);
const publishKeys8 = await publishKeys(second, eight);
const grantReadWithKey = async (account: string): Promise<number> =>
  gasOf(
    registry
      .connect(user)
      .multicall([
        registry.interface.encodeFunctionData("grantRead", [second, account]),
        registry.interface.encodeFunctionData("publishKeys", [second, 1n, [account], [envelope()]]),
      ]),
  );
await grantReadWithKey(grantee(8));
const grantReadWithKeyGas = await grantReadWithKey(grantee(9));
info.publishKeys1 = publishKeys1;
info.publishKeys8 = publishKeys8;

// A storage receipt: the second member's first receipt, then a member confirming again.
const [member0, member1] = wallets as [Wallet, Wallet];
await gasOf(registry.connect(member0).confirmStorage(first, 1n));
info.confirmStorage = await gasOf(registry.connect(member1).confirmStorage(first, 1n));
info.confirmStorageAgain = await gasOf(registry.connect(member1).confirmStorage(first, 1n));

// Formation cost must not grow with the pool: form 4 again, from a pool of 100 this time.
await optInNodes(100);
info.formCommunity4FromPoolOf100 = await gasOf(registry.formCommunity(4));
info.replaceMember = await gasOf(registry.replaceMember(1n, 0n));

// The manager's choice: nodes from the middle of the pool, not its front.
const chosen = [...(await registry.nextFreeNodes(20))];
const pick = (from: number, count: number) => chosen.slice(from, from + count);
const nodeAt = (index: number): string => {
  const node = chosen[index];
  if (node === undefined) throw new Error(`the pool has no node ${index}`);
  return node;
};
await gasOf(registry.formCommunityWith(pick(4, 4)));
info.formCommunityWith4 = await gasOf(registry.formCommunityWith(pick(8, 4)));
await gasOf(registry.replaceMemberWith(1n, 1n, nodeAt(12)));
info.replaceMemberWith = await gasOf(registry.replaceMemberWith(1n, 2n, nodeAt(13)));
await gasOf(registry.removeFreeNode(nodeAt(14)));
info.removeFreeNode = await gasOf(registry.removeFreeNode(nodeAt(15)));

// A replica's repair by its owner.
const replicatedRoot = digest("replicated");
const replicated = await registry.imageIdOf(user.address, replicatedRoot);
await gasOf(
  registry.connect(user).registerReplicatedImage(pick(0, 2), replicatedRoot, (await freshCid()).bytes),
);
await gasOf(registry.connect(user).replaceReplica(replicated, 0n, nodeAt(2)));
info.replaceReplica = await gasOf(registry.connect(user).replaceReplica(replicated, 1n, nodeAt(3)));

// Ownership in two steps (the offer, then the acceptance that voids every grant).
for (const imageId of [first, second]) {
  info.transferImageOwnership = await gasOf(
    registry.connect(user).transferImageOwnership(imageId, reader.address),
  );
  info.acceptImageOwnership = await gasOf(registry.connect(reader).acceptImageOwnership(imageId));
}

for (const [name, gas] of Object.entries(info)) console.log(`${name}: ${gas}`);
console.log(
  `registerImage64 / registerImage4 = ${(registerImage64 / registerImage4).toFixed(4)} (goal <= 1.05), ` +
    `registerImage6 (4+2) / registerImage4 = ${(registerImage6 / registerImage4).toFixed(4)} (goal <= 1.05), ` +
    `ratio goal <= 0.5, addVersion goal <= 60000`,
);
console.log(
  JSON.stringify({
    registerImage4,
    registerImage6,
    registerImage64,
    parityRatio: Number((registerImage6 / registerImage4).toFixed(4)),
    addVersion: addVersionGas,
    grantRead,
    grantReadWithKey: grantReadWithKeyGas,
    publishKeyPerGrantee: Math.round((publishKeys8 - publishKeys1) / 7),
    erc721MintWithUri,
    ratio: Number((registerImage4 / erc721MintWithUri).toFixed(4)),
  }),
);
