import { benchPrivate, makeJpegPhoto } from "@disp/devkit";
import { network } from "hardhat";

// Store and retrieve of a private 12-megapixel photograph against the same photograph public, in
// one run on six embedded storage nodes (see benchPrivate in @disp/devkit). Progress on stderr;
// the last stdout line is one JSON object.

const say = (line: string) => console.error(`• ${line}`);
say("making the 12-megapixel JPEG from test/fixtures/rocket.jpg");
const image = await makeJpegPhoto();
const connection = await network.create();
try {
  const result = await benchPrivate(connection, image, say);
  if (!result.exact) {
    say("a retrieval was NOT exact: the timings below do not describe a correct read");
    process.exitCode = 1;
  }
  console.log(JSON.stringify(result));
} finally {
  await connection.close();
}
