import {
  connectKeyRegistry,
  registerEncryptionKey,
  signKeyRegistration,
  postKeyRegistration,
} from "@disp/client";
import { createCrypto } from "@disp/crypto";
import { computeCid } from "@disp/protocol";
import { network } from "hardhat";

import EncryptionKeyRegistryModule from "../deploy/modules/EncryptionKeyRegistry.js";

// Gas of encryption keys: registering an account's key (directly, by EIP-712 signature through a
// relayer, and a rotation), and publishing a version's wrapped content keys for n grantees, either
// one event per grantee carrying its 81-byte envelope, or one IPFS keyring file (the envelopes in
// it) whose CID one transaction commits to (KeyPublicationMock, a measurement contract). Each
// registration figure is the SECOND of its kind in the run, so one-time costs weigh on neither
// side. Last stdout line: one JSON object.

const { ethers, ignition } = await network.create();
const signers = await ethers.getSigners();
const relayer = signers[0];
if (relayer === undefined || signers.length < 8)
  throw new Error("the in-process network provides 20 accounts");

const { keyRegistry } = await ignition.deploy(EncryptionKeyRegistryModule, { displayUi: false });
const keys = connectKeyRegistry(await keyRegistry.getAddress(), ethers.provider);
const gasOf = async (hash: string | undefined): Promise<number> => {
  const receipt = hash === undefined ? null : await ethers.provider.getTransactionReceipt(hash);
  if (receipt === null) throw new Error("transaction was not mined");
  return Number(receipt.gasUsed);
};
const account = (i: number) => {
  const signer = signers[i];
  if (signer === undefined) throw new Error(`no account ${i}`);
  return signer;
};

const direct: number[] = [];
for (const i of [1, 2])
  direct.push(await gasOf((await registerEncryptionKey(keys, account(i))).transactionHash));
const bySig: number[] = [];
for (const i of [3, 4]) {
  bySig.push(await gasOf((await registerEncryptionKey(keys, account(i), { relayer })).transactionHash));
}
const rotation: number[] = [];
for (const i of [1, 2]) {
  const signed = await signKeyRegistration(keys, account(i), ethers.hexlify(ethers.randomBytes(32)));
  rotation.push(await gasOf((await keys.connect(account(i)).registerKey(signed.publicKey)).hash));
}
// A relayer posting a rotation: the signature path's cost once the nonce slot is warm.
const relayedRotation = await gasOf(
  (
    await postKeyRegistration(
      keys.connect(relayer),
      await signKeyRegistration(keys, account(3), ethers.hexlify(ethers.randomBytes(32))),
    )
  ).transactionHash,
);

// Publishing wrapped keys.
const crypto = await createCrypto();
const publication = await ethers.deployContract("KeyPublicationMock");
const contentKey = crypto.newContentKey();
const reader = await crypto.keyPairFromSecret(ethers.getBytes(ethers.randomBytes(32)));
const registry = await publication.getAddress();
async function envelopes(count: number, version: bigint) {
  const grantees = Array.from({ length: count }, () => ethers.Wallet.createRandom().address);
  const wrapped = await Promise.all(
    grantees.map((grantee) =>
      crypto.wrapContentKey(contentKey, reader.publicKey, {
        chainId: 31337n,
        registry,
        imageId: 1n,
        version,
        grantee,
      }),
    ),
  );
  return { grantees, wrapped: wrapped.map((bytes) => ethers.hexlify(bytes)) };
}
const counts = [1, 5, 20, 50];
const events: Record<string, number> = {};
const keyring: Record<string, number> = {};
const keyringBytes: Record<string, number> = {};
let version = 1n;
for (const count of counts) {
  const { grantees, wrapped } = await envelopes(count, version);
  events[count] = await gasOf((await publication.publishWrappedKeys(1n, version, grantees, wrapped)).hash);
  const file = new TextEncoder().encode(
    JSON.stringify({
      imageId: "1",
      version: version.toString(),
      envelopes: grantees.map((g, i) => [g, wrapped[i]]),
    }),
  );
  keyringBytes[count] = file.length;
  keyring[count] = await gasOf(
    (await publication.commitKeyring(1n, version, (await computeCid(file)).bytes)).hash,
  );
  version++;
}
const last = counts.at(-1) ?? 1;
const eventPerGrantee = Math.round(((events[last] ?? 0) - (events[1] ?? 0)) / (last - 1));

console.log(
  JSON.stringify({
    bench: "gas-keys",
    registerKeyDirect: direct[1],
    registerKeyBySig: bySig[1],
    rotateKeyDirect: rotation[1],
    rotateKeyBySig: relayedRotation,
    publishEventsGas: events,
    eventGasPerExtraGrantee: eventPerGrantee,
    commitKeyringGas: keyring,
    keyringGasPerGrantee: Object.fromEntries(counts.map((n) => [n, Math.round((keyring[n] ?? 0) / n)])),
    keyringFileBytes: keyringBytes,
  }),
);
