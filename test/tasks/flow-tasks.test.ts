import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { sha256Hex } from "@disp/protocol";
import { decodeImage } from "@disp/core";
import { hugePagesAdvice } from "@disp/ipfs";
import { expect } from "chai";

import { removeDir, tempDir } from "../ipfs/support/files.js";
import {
  expectOneLineError,
  hardhat,
  lastJsonLine,
  startLocalChain,
  startUntil,
  stopProcesses,
  type LocalChain,
  type Started,
} from "./helpers.js";

const ROCKET = join(import.meta.dirname, "..", "fixtures", "rocket.jpg");

describe("the flow's tasks, as a user runs them", function () {
  // Each `hardhat` run is a fresh process that loads Hardhat and its plugins: about 16 s each on a
  // 2-core machine other work keeps busy (the devnet test below makes a dozen of them in 190 s).
  this.timeout(600_000);
  let directory: string;

  before(async function () {
    directory = await tempDir("tasks");
  });

  after(async function () {
    await removeDir(directory);
  });

  it("disp:demo runs the whole product and ends with its JSON line and pictures", async function () {
    const out = join(directory, "demo");
    const run = await hardhat("disp:demo", "--out", out);
    expect(run.code, run.stderr).to.equal(0);
    const report = lastJsonLine(run.stdout) as Record<string, unknown>;
    expect(report).to.include({ exact: true, tamperedRejected: true, replicateExact: true });
    expect(report.imageId).to.match(/^0x[0-9a-f]{64}$/);
    // 4+2: two nodes down (one lost for good) and still exact; three down, an approximation;
    // the lost slot repaired onto a new node, and exact again with two others down.
    expect(report).to.deep.include({ parity: "4+2", exactWithLostSlots: [0, 3], repairedExact: true });
    expect(report.degradedPsnrDb).to.be.greaterThan(25);
    // Storage challenges: proofs the contract accepted, a node that deleted its shard caught by the
    // next epoch, and its slot repaired from RepairNeeded by the manager's watcher alone.
    expect(report.proofsAccepted).to.be.a("number").greaterThan(0);
    expect(report).to.include({ cheaterCaughtInEpochs: 1, autoRepairedExact: true });
    // Privacy: a private image the outsider gets only ciphertext of, the grantee exactly, and the
    // reader revoked with rotation cannot read the new version.
    expect(report).to.include({
      visibility: "private",
      outsiderGetsPlaintext: false,
      granteeExact: true,
      revokedReadsRotatedVersion: false,
    });
    expect(report.storedBytesRatio).to.be.lessThan(report.fullReplicationBytesRatio as number);
    const rebuilt = await readFile(join(out, "rebuilt.jpg"));
    expect(sha256Hex(rebuilt)).to.equal(sha256Hex(await readFile(ROCKET)));
    const sheet = await decodeImage(await readFile(join(out, "contact-sheet.png")));
    expect(sheet.width).to.be.greaterThan(600);
  });

  it("refuses the in-process network for tasks that need a chain that persists, in one line", async function () {
    expectOneLineError(await hardhat("disp:store", "--image", ROCKET), "TASK_INPUT");
    expectOneLineError(await hardhat("disp:retrieve", "--id", "x"), "TASK_INPUT");
  });

  describe("against a local chain with disp:devnet", function () {
    // The chain listens on a port the system picks (never 8545, which the user's own chain may
    // hold); the tasks reach it as the `local` network, whose URL comes from DISP_LOCAL_RPC_URL.
    const network = ["--network", "local"];
    let chain: LocalChain | undefined;
    let devnet: Started | undefined;

    before(async function () {
      chain = await startLocalChain();
      devnet = await startUntil(["disp:devnet", ...network, "--dir", join(directory, "devnet")], /serving/);
    });

    after(async function () {
      await stopProcesses([devnet?.child]);
      await chain?.stop();
    });

    it("stores, retrieves, verifies and lists the history from other terminals", async function () {
      // Public: this flow is the registry's (advisory) read grants and a store refused as a repeat;
      // a private store needs the account's key registered first (disp:keys:register).
      const store = [
        "disp:store",
        ...network,
        "--image",
        ROCKET,
        "--visibility",
        "public",
        "--ipfs",
        join(directory, "uploader"),
      ];
      const stored = await hardhat(...store, "--json");
      expect(stored.code, stored.stderr).to.equal(0);
      const { imageId, codec } = lastJsonLine(stored.stdout) as { imageId: string; codec: string };
      expect(codec).to.equal("jpeg");
      expect(imageId).to.match(/^0x[0-9a-f]{64}$/);
      expect(expectOneLineError(await hardhat(...store), "CLIENT_IMAGE_EXISTS")).to.include(imageId);

      const out = join(directory, "retrieved.jpg");
      const reader = ["--ipfs", join(directory, "reader")];
      const retrieved = await hardhat(
        "disp:retrieve",
        ...network,
        "--id",
        imageId,
        "--out",
        out,
        ...reader,
        "--json",
      );
      expect(retrieved.code, retrieved.stderr).to.equal(0);
      expect(lastJsonLine(retrieved.stdout)).to.include({ exact: true, contentHashVerified: true });
      expect(sha256Hex(await readFile(out))).to.equal(sha256Hex(await readFile(ROCKET)));

      const verify = ["disp:verify", ...network, "--id", imageId, ...reader];
      const verified = await hardhat(...verify, "--file", ROCKET, "--json");
      expect(verified.code, verified.stderr).to.equal(0);
      expect(lastJsonLine(verified.stdout)).to.include({ ok: true, fileMatches: true });
      const notIt = await hardhat(
        ...verify,
        "--file",
        join(import.meta.dirname, "..", "fixtures", "coffee.png"),
      );
      expect(expectOneLineError(notIt, "VERIFY_FAILED")).to.include("is not this version's content");

      const history = await hardhat("disp:history", ...network, "--id", imageId, "--json");
      const events = (lastJsonLine(history.stdout) as { event: string }[]).map((entry) => entry.event);
      expect(events[0]).to.equal("ImageRegistered");
      // The devnet's community of six keeps 4 fragments and 2 parity shards.
      expect(events.filter((event) => event === "StorageConfirmed")).to.have.length(6);

      expectOneLineError(
        await hardhat("disp:retrieve", ...network, "--id", "999", ...reader),
        "CLIENT_UNKNOWN_IMAGE",
      );
      expectOneLineError(
        await hardhat("disp:retrieve", ...network, "--id", imageId, "--from", "19", ...reader),
        "CLIENT_NO_READ_GRANT",
      );
      // --account takes an account index as --from does: 19 is granted and can then read.
      expectOneLineError(
        await hardhat("disp:grant", ...network, "--id", imageId, "--account", "bob", "--json"),
        "TASK_INPUT",
      );
      const granted = await hardhat("disp:grant", ...network, "--id", imageId, "--account", "19", "--json");
      expect(granted.code, granted.stderr).to.equal(0);
      const grantedOut = join(directory, "granted.jpg");
      const readBack = await hardhat(
        "disp:retrieve",
        ...network,
        "--id",
        imageId,
        "--from",
        "19",
        "--out",
        grantedOut,
        ...reader,
      );
      expect(readBack.code, readBack.stderr).to.equal(0);
      expect(sha256Hex(await readFile(grantedOut))).to.equal(sha256Hex(await readFile(ROCKET)));

      // Ownership moves in two steps, and the new owner starts with no grants: 19 reads no more.
      const offered = await hardhat(
        "disp:grant",
        ...network,
        "--id",
        imageId,
        "--role",
        "owner",
        "--account",
        "18",
      );
      expect(offered.code, offered.stderr).to.equal(0);
      expect(offered.stdout).to.include("disp:ownership:accept");
      const accepted = await hardhat(
        "disp:ownership:accept",
        ...network,
        "--id",
        imageId,
        "--from",
        "18",
        "--json",
      );
      expect(accepted.code, accepted.stderr).to.equal(0);
      expect(lastJsonLine(accepted.stdout)).to.include({ action: "accept-ownership", changed: true });
      expectOneLineError(
        await hardhat("disp:retrieve", ...network, "--id", imageId, "--from", "19", ...reader),
        "CLIENT_NO_READ_GRANT",
      );
      expectOneLineError(
        await hardhat("disp:store", ...network, "--image", join(directory, "missing.png")),
        "TASK_INPUT",
      );
      const misfit = await hardhat(...store, "--parity", "1", "--kernel", "2x2");
      expect(expectOneLineError(misfit, "CLIENT_INVALID_INPUT")).to.include("--parity 2");
      expect(
        expectOneLineError(await hardhat("disp:repair", ...network, "--slot", "6"), "CLIENT_INVALID_INPUT"),
      ).to.include("slots 0 to 5");
      expectOneLineError(
        await hardhat("disp:repair", ...network, "--slot", "1", "--from", "19"),
        "CLIENT_NOT_AUTHORIZED",
      );
    });

    it("stores private by default, and revoking with --rotate writes a version the revoked reader cannot open", async function () {
      const uploader = ["--ipfs", join(directory, "private-uploader")];
      const reader = ["--ipfs", join(directory, "private-reader")];
      const stored = await hardhat("disp:store", ...network, "--image", ROCKET, ...uploader, "--json");
      expect(stored.code, stored.stderr).to.equal(0);
      const { imageId, visibility } = lastJsonLine(stored.stdout) as { imageId: string; visibility: string };
      expect(visibility).to.equal("private");

      const granted = await hardhat("disp:grant", ...network, "--id", imageId, "--account", "19", "--json");
      expect(granted.code, granted.stderr).to.equal(0);
      const asReader = ["disp:retrieve", ...network, "--id", imageId, "--from", "19", ...reader];
      const grantedOut = join(directory, "private-granted.jpg");
      const read = await hardhat(...asReader, "--out", grantedOut, "--json");
      expect(read.code, read.stderr).to.equal(0);
      expect(lastJsonLine(read.stdout)).to.include({ exact: true, contentHashVerified: true });
      expect(sha256Hex(await readFile(grantedOut))).to.equal(sha256Hex(await readFile(ROCKET)));

      const rotated = await hardhat(
        "disp:revoke",
        ...network,
        "--id",
        imageId,
        "--account",
        "19",
        "--rotate",
        ...uploader,
        "--json",
      );
      expect(rotated.code, rotated.stderr).to.equal(0);
      expect(lastJsonLine(rotated.stdout)).to.include({ imageId, version: "2", visibility: "private" });
      // A private image's grant is its wrapped key: version 2 has none for the revoked reader.
      expect(expectOneLineError(await hardhat(...asReader), "CLIENT_NOT_GRANTED")).to.include(
        "no content key of version 2",
      );
      const ownerOut = join(directory, "private-rotated.jpg");
      const owner = await hardhat("disp:retrieve", ...network, "--id", imageId, "--out", ownerOut, ...reader);
      expect(owner.code, owner.stderr).to.equal(0);
      expect(sha256Hex(await readFile(ownerOut))).to.equal(sha256Hex(await readFile(ROCKET)));
    });

    it("registers an account's encryption key in the key registry the devnet's registry names", async function () {
      // Account 7 is no uploader of the devnet: it has no key until it registers one.
      const register = ["disp:keys:register", ...network, "--from", "7", "--json"];
      const first = await hardhat(...register);
      expect(first.code, first.stderr).to.equal(0);
      const registered = lastJsonLine(first.stdout) as {
        account: string;
        publicKey: string;
        changed: boolean;
      };
      expect(registered.changed).to.equal(true);
      expect(registered.publicKey).to.match(/^0x[0-9a-f]{64}$/);
      // Run again, it finds the same key on chain: nothing to send.
      const again = await hardhat(...register);
      expect(again.code, again.stderr).to.equal(0);
      expect(lastJsonLine(again.stdout)).to.deep.include({
        account: registered.account,
        publicKey: registered.publicKey,
        changed: false,
      });
    });

    it("lets an operator opt a node in and run its agent, and refuses community changes it may not make", async function () {
      const operator = ["--from", "15", "--ipfs", join(directory, "operator")];
      const joined = await hardhat("disp:node:join", ...network, ...operator, "--json");
      expect(joined.code, joined.stderr).to.equal(0);
      const info = lastJsonLine(joined.stdout) as { status: number; peerId: string; multiaddrs: string[] };
      expect(info.status).to.equal(1); // free: opted in, in no community yet
      expect(info.multiaddrs.every((address) => address.startsWith("/ip4/127.0.0.1/"))).to.equal(true);

      expectOneLineError(
        await hardhat("disp:community:form", ...network, "--from", "15", "--size", "2"),
        "CLIENT_NOT_AUTHORIZED",
      );
      expectOneLineError(
        await hardhat("disp:community:form", ...network, "--size", "2"),
        "CLIENT_NOT_ENOUGH_NODES",
      );

      const { child: agent, output } = await startUntil(
        ["disp:node:run", ...network, ...operator],
        /running with IPFS peer/,
      );
      agent.kill("SIGINT");
      const exit = await new Promise((resolve) =>
        agent.once("close", (code, signal) => resolve({ code, signal })),
      );
      expect(exit).to.deep.equal({ code: 0, signal: null }); // stopped its nodes, not killed

      // The manager evicts the free node; a community naming it is then refused.
      const removed = await hardhat("disp:node:remove", ...network, "--node", "15", "--json");
      expect(removed.code, removed.stderr).to.equal(0);
      expectOneLineError(
        await hardhat("disp:community:form", ...network, "--nodes", "15,16"),
        "CLIENT_NOT_A_NODE",
      );

      // The tip on huge pages is printed exactly when it applies to this machine and environment
      // (checked once the agent's output is complete; the devnet printed its tip long before).
      const tip = hugePagesAdvice() !== undefined;
      expect(output().includes("tip: start IPFS nodes"), output()).to.equal(tip);
      expect(devnet?.output().includes("tip: start IPFS nodes")).to.equal(tip);
    });
  });
});
