import { createCrypto, KEY_DERIVATION_MESSAGE } from "@disp/crypto";
import { expect } from "chai";
import { getBytes, Wallet, type Signer } from "ethers";

import { cryptoCodeOf } from "./support.js";

const node = await createCrypto({ backend: "node:crypto" });
const web = await createCrypto({ backend: "webcrypto" });

async function signatureOf(wallet: Pick<Signer, "signMessage">): Promise<Uint8Array> {
  return getBytes(await wallet.signMessage(KEY_DERIVATION_MESSAGE));
}

describe("@disp/crypto key pairs from a wallet signature", function () {
  it("are the same each time an RFC 6979 wallet signs the fixed message, on both backends", async function () {
    const wallet = Wallet.createRandom();
    const first = await node.keyPairFromSignature(await signatureOf(wallet));
    const again = await web.keyPairFromSignature(await signatureOf(wallet));
    expect(first.publicKey.length).to.equal(32);
    expect(Buffer.from(again.publicKey).equals(Buffer.from(first.publicKey))).to.equal(true);
    expect(Buffer.from(again.secretKey).equals(Buffer.from(first.secretKey))).to.equal(true);
  });

  it("differ between accounts", async function () {
    const a = await node.keyPairFromSignature(await signatureOf(Wallet.createRandom()));
    const b = await node.keyPairFromSignature(await signatureOf(Wallet.createRandom()));
    expect(Buffer.from(a.publicKey).equals(Buffer.from(b.publicKey))).to.equal(false);
  });

  it("read a v of 0/1 (some hardware wallets) as 27/28", async function () {
    const signature = await signatureOf(Wallet.createRandom());
    const raw = new Uint8Array(signature);
    raw[64] = (raw[64] ?? 27) - 27;
    expect(raw[64]).to.be.oneOf([0, 1]);
    const fromRaw = await node.keyPairFromSignature(raw);
    const fromEthers = await node.keyPairFromSignature(signature);
    expect(Buffer.from(fromRaw.publicKey).equals(Buffer.from(fromEthers.publicKey))).to.equal(true);
  });

  it("refuse a signature that is not 65 bytes with CRYPTO_INVALID_INPUT", async function () {
    const signature = await signatureOf(Wallet.createRandom());
    expect(await cryptoCodeOf(node.keyPairFromSignature(signature.subarray(0, 64)))).to.equal(
      "CRYPTO_INVALID_INPUT",
    );
  });
});
