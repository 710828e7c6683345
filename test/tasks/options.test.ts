import { expect } from "chai";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";

import { isDispError } from "@disp/protocol";

import { addressOf, signerOf } from "../../tasks/flow/session.js";
import { codecOption, imageIdOption, lookUp, oneOf, positive, required } from "../../tasks/options.js";

/** The message of the TaskInputError `run` throws (synchronously or not). */
async function inputError(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (error) {
    if (isDispError(error) && error.code === "TASK_INPUT") return error.message;
    throw error;
  }
  throw new Error("expected a TaskInputError");
}

describe("task options", function () {
  describe("the checks Hardhat's types cannot make", () => {
    it("takes every codec name of @disp/core, and names them all when refusing one", async () => {
      expect(["auto", "png", "jpeg", "file"].map(codecOption)).to.deep.equal(["auto", "png", "jpeg", "file"]);
      expect(await inputError(() => codecOption("webp"))).to.equal(
        `--codec must be one of auto, png, jpeg, file, got "webp"`,
      );
    });

    it("looks words up among their own keys only", async () => {
      const roles = { read: "grant-read", public: "make-public" };
      expect(lookUp("read", roles, "role")).to.equal("grant-read");
      expect(await inputError(() => lookUp("constructor", roles, "role"))).to.equal(
        `--role must be one of read, public, got "constructor"`,
      );
      expect(await inputError(() => oneOf("both", ["disp", "replicate"], "mode"))).to.equal(
        `--mode must be one of disp, replicate, got "both"`,
      );
    });

    it("wants required options present, counts of at least 1, and image ids in hex or decimal", async () => {
      expect(await inputError(() => required(undefined, "image"))).to.equal("missing --image");
      expect(await inputError(() => required("", "image"))).to.equal("missing --image");
      expect(positive(30, "timeout")).to.equal(30);
      expect(await inputError(() => positive(0, "timeout"))).to.equal(
        "--timeout must be a positive integer, got 0",
      );
      expect(await inputError(() => positive(2 ** 60, "timeout"))).to.match(/^--timeout must be a positive/);
      expect(imageIdOption("0xff", "id")).to.equal(255n);
      expect(imageIdOption("255", "id")).to.equal(255n);
      expect(await inputError(() => imageIdOption("x", "id"))).to.match(/^--id must be an image id/);
    });
  });

  describe("accounts: an index into the network's accounts, or an address", () => {
    let connection: NetworkConnection;
    let addresses: string[];

    before(async () => {
      connection = await network.create();
      addresses = (await connection.ethers.getSigners()).map((signer) => signer.address);
    });
    after(async () => {
      await connection.close();
    });

    it("--from names a signer of the network either way", async () => {
      expect((await signerOf(connection, "3", "from")).address).to.equal(addresses[3]);
      const lower = (addresses[4] ?? "").toLowerCase();
      expect((await signerOf(connection, lower, "from")).address).to.equal(addresses[4]);
      expect(await inputError(() => signerOf(connection, String(addresses.length), "from"))).to.equal(
        `--from ${addresses.length}: the network has ${addresses.length} accounts`,
      );
      const stranger = "0x000000000000000000000000000000000000dEaD";
      expect(await inputError(() => signerOf(connection, stranger, "from"))).to.equal(
        `${stranger} is not one of the network's accounts`,
      );
    });

    it("--account takes the same indexes, and any address", async () => {
      expect(await addressOf(connection, "19", "account")).to.equal(addresses[19]);
      const stranger = "0x000000000000000000000000000000000000dEaD";
      expect(await addressOf(connection, stranger, "account")).to.equal(stranger);
      expect(await inputError(() => addressOf(connection, "bob", "account"))).to.equal(
        `--account must be an address or an account index, got "bob"`,
      );
    });
  });
});
