import { createCrypto, KEY_DERIVATION_MESSAGE, type EncryptionKeyPair } from "@disp/crypto";
import {
  getBytes,
  hexlify,
  id,
  Signature,
  TypedDataEncoder,
  verifyMessage,
  ZeroHash,
  type ContractRunner,
  type Signer,
  type TypedDataDomain,
} from "ethers";

import { ClientError } from "./errors.js";
import { decodeRevert } from "./registry/reverts.js";
import { TRANSACTION_TIMEOUT_MS } from "./registry/contract.js";
import { EncryptionKeyRegistry__factory, type EncryptionKeyRegistry } from "./typechain/index.js";

/**
 * Accounts' encryption keys: an account's X25519 key pair is derived from its wallet's signature
 * over a fixed message (`@disp/crypto`), and its public key is registered on the
 * EncryptionKeyRegistry, directly or through a relayer with an EIP-712 signature.
 */

/** What signing a key needs of a wallet: ethers' Signer, or any EIP-1193 wallet behind one. */
export type KeySigner = Pick<Signer, "getAddress" | "signMessage" | "signTypedData">;

/** The EIP-712 type of a registration signature, as the contract hashes it. */
export const REGISTER_KEY_TYPES = {
  RegisterKey: [
    { name: "account", type: "address" },
    { name: "publicKey", type: "bytes32" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/** How long a registration signature stays valid unless told otherwise. */
export const DEFAULT_REGISTRATION_SECONDS = 3600;

/** A registration signed by `account`, which anyone may post. */
export interface SignedKeyRegistration {
  readonly account: string;
  /** The X25519 public key, 0x and 64 hex digits. */
  readonly publicKey: string;
  readonly deadline: bigint;
  readonly signature: string;
}

export interface KeyRegistration {
  readonly account: string;
  readonly publicKey: string;
  /** False when the account already had this key (nothing was sent, or the contract changed nothing). */
  readonly changed: boolean;
  /** The transaction, when one was sent. */
  readonly transactionHash?: string;
}

/** What reading an account's registered key needs (an EncryptionKeyRegistry, or the registry's view of it). */
export interface KeyLookup {
  keyOf(account: string): Promise<string>;
}

/** The key registry at `address`, read with a provider or written with a signer. */
export function connectKeyRegistry(address: string, runner: ContractRunner): EncryptionKeyRegistry {
  return EncryptionKeyRegistry__factory.connect(address, runner);
}

/** Fails with CLIENT_NO_REGISTRY unless an EncryptionKeyRegistry answers at its address. */
export async function checkKeyRegistry(keys: EncryptionKeyRegistry): Promise<void> {
  const expected = id(
    TypedDataEncoder.from({ RegisterKey: [...REGISTER_KEY_TYPES.RegisterKey] }).encodeType("RegisterKey"),
  );
  const typeHash = await keys.REGISTER_KEY_TYPEHASH().catch(() => undefined);
  if (typeHash !== expected) {
    throw new ClientError("CLIENT_NO_REGISTRY", `no encryption key registry at ${await keys.getAddress()}`);
  }
}

/**
 * The account's key pair, from its wallet's signature over KEY_DERIVATION_MESSAGE. The signature
 * must recover to the account: a wallet that signs with another key derives nothing.
 */
export async function deriveEncryptionKeyPair(signer: KeySigner): Promise<EncryptionKeyPair> {
  const crypto = await createCrypto();
  return crypto.keyPairFromSignature(await derivationSignature(signer));
}

async function derivationSignature(signer: KeySigner): Promise<Uint8Array> {
  const account = await signer.getAddress();
  const signature = await signer.signMessage(KEY_DERIVATION_MESSAGE);
  if (verifyMessage(KEY_DERIVATION_MESSAGE, signature).toLowerCase() !== account.toLowerCase()) {
    throw new ClientError("CLIENT_INVALID_INPUT", `the wallet's signature is not by ${account}`);
  }
  // ethers' canonical form (v 27/28, low s), so the same signature always derives the same key.
  return getBytes(Signature.from(signature).serialized);
}

/**
 * The account's registered public key (0x and 64 hex digits), or CLIENT_NO_ENCRYPTION_KEY naming
 * the fix: an account without a key cannot be granted a private image.
 */
export async function requireEncryptionKey(keys: KeyLookup, account: string): Promise<string> {
  const key = await keys.keyOf(account);
  if (key === ZeroHash) {
    throw new ClientError(
      "CLIENT_NO_ENCRYPTION_KEY",
      `${account} has no encryption key registered: it must run \`pnpm hardhat disp:keys:register\` (or registerEncryptionKey) before it can read private images`,
    );
  }
  return key;
}

/**
 * The signer's key pair, checked against the key it registered: CLIENT_NO_ENCRYPTION_KEY when it
 * registered none, CLIENT_ENCRYPTION_KEY_MISMATCH when its wallet now derives another.
 */
export async function openEncryptionKey(
  keys: EncryptionKeyRegistry,
  signer: KeySigner,
): Promise<EncryptionKeyPair> {
  const account = await signer.getAddress();
  const registered = await requireEncryptionKey(keys, account);
  const pair = await deriveEncryptionKeyPair(signer);
  if (hexlify(pair.publicKey) !== registered.toLowerCase()) {
    throw new ClientError(
      "CLIENT_ENCRYPTION_KEY_MISMATCH",
      `the encryption key registered for ${account} is not the one this wallet derives (registered from another wallet, or a wallet with randomised signatures): run disp:keys:register again to rotate it`,
    );
  }
  return pair;
}

/** Signs a registration of `publicKey` for the signer's account, for a relayer to post. */
export async function signKeyRegistration(
  keys: EncryptionKeyRegistry,
  signer: KeySigner,
  publicKey: string,
  options: { readonly deadline?: bigint } = {},
): Promise<SignedKeyRegistration> {
  const account = await signer.getAddress();
  const provider = keys.runner?.provider;
  if (provider == null)
    throw new ClientError("CLIENT_NO_REGISTRY", "the key registry has no provider to read from");
  const [{ chainId }, nonce, latest] = await Promise.all([
    provider.getNetwork(),
    keys.nonces(account),
    provider.getBlock("latest"),
  ]);
  const deadline = options.deadline ?? BigInt((latest?.timestamp ?? 0) + DEFAULT_REGISTRATION_SECONDS);
  const domain: TypedDataDomain = {
    name: "DISP EncryptionKeyRegistry",
    version: "1",
    chainId,
    verifyingContract: await keys.getAddress(),
  };
  const signature = await signer.signTypedData(
    domain,
    { RegisterKey: [...REGISTER_KEY_TYPES.RegisterKey] },
    { account, publicKey, nonce, deadline },
  );
  return { account, publicKey, deadline, signature };
}

export interface RegisterKeyOptions {
  /**
   * Who sends the transaction: by default the account itself (`registerKey`); a relayer's signer
   * posts the account's EIP-712 signature instead (`registerKeyBySig`), paying the gas.
   */
  readonly relayer?: ContractRunner;
  readonly deadline?: bigint;
}

/**
 * Derives the signer's key pair and registers its public key, unless it already is the registered
 * one. The wallet signs the derivation message twice: two different signatures mean randomised
 * nonces, whose key could never be derived again (CLIENT_SIGNATURE_NOT_DETERMINISTIC).
 */
export async function registerEncryptionKey(
  keys: EncryptionKeyRegistry,
  signer: KeySigner & ContractRunner,
  options: RegisterKeyOptions = {},
): Promise<KeyRegistration> {
  const account = await signer.getAddress();
  const [first, second] = [await derivationSignature(signer), await derivationSignature(signer)];
  if (hexlify(first) !== hexlify(second)) {
    throw new ClientError(
      "CLIENT_SIGNATURE_NOT_DETERMINISTIC",
      `the wallet of ${account} gave two different signatures of the same message: its encryption key could not be derived again, so it is not registered`,
    );
  }
  const { publicKey: raw } = await (await createCrypto()).keyPairFromSignature(first);
  const publicKey = hexlify(raw);
  if ((await keys.keyOf(account)) === publicKey) return { account, publicKey, changed: false };
  try {
    if (options.relayer === undefined) {
      return await sent(account, publicKey, await keys.connect(signer).registerKey(publicKey));
    }
    const signed = await signKeyRegistration(keys, signer, publicKey, options);
    return await postKeyRegistration(keys.connect(options.relayer), signed);
  } catch (error) {
    throw keyErrorOf(error);
  }
}

/** Posts a signed registration (a relayer's job) with the key registry's own runner. */
export async function postKeyRegistration(
  keys: EncryptionKeyRegistry,
  signed: SignedKeyRegistration,
): Promise<KeyRegistration> {
  try {
    const response = await keys.registerKeyBySig(
      signed.account,
      signed.publicKey,
      signed.deadline,
      signed.signature,
    );
    return await sent(signed.account, signed.publicKey, response);
  } catch (error) {
    throw keyErrorOf(error);
  }
}

async function sent(
  account: string,
  publicKey: string,
  response: Awaited<ReturnType<EncryptionKeyRegistry["registerKey"]>>,
): Promise<KeyRegistration> {
  const receipt = await response.wait(1, TRANSACTION_TIMEOUT_MS);
  const iface = EncryptionKeyRegistry__factory.createInterface();
  const changed = (receipt?.logs ?? []).some(
    (log) => iface.parseLog(log)?.name === "EncryptionKeyRegistered",
  );
  return { account, publicKey, changed, transactionHash: response.hash };
}

function keyErrorOf(error: unknown): unknown {
  if (error instanceof ClientError) return error;
  const revert = decodeRevert(EncryptionKeyRegistry__factory.createInterface(), error);
  if (revert === undefined) return error;
  const [a, b] = revert.args.map(String);
  switch (revert.name) {
    case "EncryptionKeyRegistryZeroKey":
      return new ClientError("CLIENT_INVALID_INPUT", "a zero encryption key cannot be registered", {
        cause: error,
      });
    case "EncryptionKeyRegistryExpiredSignature":
      return new ClientError(
        "CLIENT_INVALID_INPUT",
        `the registration signature expired at ${a}: sign again`,
        {
          cause: error,
        },
      );
    case "EncryptionKeyRegistryInvalidSigner":
      return new ClientError(
        "CLIENT_NOT_AUTHORIZED",
        `the registration is signed by ${a}, not by ${b} (or for an already used nonce)`,
        { cause: error },
      );
    default:
      return new ClientError("CLIENT_REVERTED", `the key registry reverted with ${revert.name}`, {
        cause: error,
      });
  }
}
