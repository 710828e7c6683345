import { type RgbaImage } from "@disp/protocol";

import { chooseColorType, encodePng } from "../png/encode.js";
import { DEFAULT_DEFLATE_LEVEL, DEFAULT_PNG_FILTER } from "../png/settings.js";

/** The whole image as one PNG (smallest exact colour type, default settings): every non-file result of a rebuild. */
export function wholePng(image: RgbaImage): Promise<Uint8Array> {
  return encodePng(image, {
    colorType: chooseColorType(image),
    filter: DEFAULT_PNG_FILTER,
    deflateLevel: DEFAULT_DEFLATE_LEVEL,
  });
}
