import { changeAccess, type AccessAction, imageIdHex } from "@disp/client";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { cliAction } from "../cli.js";
import { imageIdOption, lookUp } from "../options.js";
import { addressOf, openSession } from "./session.js";

export interface AccessArgs {
  id: string | undefined;
  account: string | undefined;
  role: string;
  registry: string | undefined;
  from: string;
  json: boolean;
}

const GRANTS: Record<string, AccessAction> = {
  read: "grant-read",
  editor: "grant-editor",
  owner: "transfer",
  public: "make-public",
};
const REVOCATIONS: Record<string, AccessAction> = {
  read: "revoke-read",
  editor: "revoke-editor",
  public: "make-private",
};

/** The action of disp:grant (`grant`) or disp:revoke: thin over the client's changeAccess. */
export function accessAction(kind: "grant" | "revoke") {
  return cliAction(async (args: AccessArgs, hre: HardhatRuntimeEnvironment) => {
    const action = lookUp(args.role, kind === "grant" ? GRANTS : REVOCATIONS, "role");
    const imageId = imageIdOption(args.id, "id");
    const session = await openSession(hre, args);
    const account =
      args.account === undefined ? undefined : await addressOf(session.connection, args.account, "account");
    const change = await changeAccess(session, action, imageId, account);
    if (args.json) {
      const wrappedVersions = change.wrappedVersions.map(String);
      console.log(JSON.stringify({ ...change, imageId: imageIdHex(imageId), wrappedVersions }));
      return;
    }
    const whom = change.account === undefined ? "" : ` ${change.account}`;
    console.log(
      `image ${imageIdHex(imageId)}: ${action}${whom} ${change.changed ? "done" : "(already so, nothing changed)"} in ${change.transactionHash}`,
    );
    if (action === "transfer" && change.changed) {
      console.log(
        `note: ${change.account ?? "the account"} owns the image once it runs disp:ownership:accept --id ${imageIdHex(imageId)}`,
      );
    }
    if (change.wrappedVersions.length > 0) {
      console.log(
        `wrapped the content keys of version${change.wrappedVersions.length === 1 ? "" : "s"} ${change.wrappedVersions.join(", ")} for ${change.account ?? "the account"}`,
      );
    } else if (action === "grant-read") {
      console.log(
        "note: no version of this image is encrypted (stored public), so the grant is advisory: anyone holding the CIDs can fetch the bytes",
      );
    }
    if (action === "revoke-read" || action === "revoke-editor") {
      console.log(
        `note: no later version's key will be wrapped for ${change.account ?? "the account"}; what it already downloaded or opened it keeps`,
      );
    }
  });
}
