/**
 * The file is a JPEG this codec cannot reproduce byte for byte (progressive, arithmetic, 12-bit,
 * several scans, an entropy coding our encoder does not rebuild exactly, ...). Not a user mistake:
 * the caller falls back to the pixel codec and tells the user why, with `reason`.
 */
export class JpegUnsupportedError extends DispError {
  readonly reason: string;

  constructor(reason: string) {
    super("JPEG_UNSUPPORTED", `JPEG not supported by the coefficient codec: ${reason}`);
    this.reason = reason;
  }
}

/** The bytes are not a well-formed JPEG (truncated, bad segment lengths, undefined tables...). */
export class JpegInvalidError extends DispError {
  constructor(message: string) {
    super("JPEG_INVALID", `invalid JPEG: ${message}`);
  }
}

/** An image larger than the caller's limit, refused before any coefficient or pixel is allocated. */
export class JpegTooLargeError extends DispError {
  constructor(width: number, height: number, maxPixels: number) {
    super("JPEG_TOO_LARGE", `JPEG of ${width}x${height} pixels exceeds the limit of ${maxPixels} pixels`);
  }
}

/** A kernel outside 1..8 x 1..8. */
export class JpegKernelError extends DispError {
  constructor(message: string) {
    super("JPEG_KERNEL_INVALID", message);
  }
}

/** A layout record that is malformed or disagrees with the header it carries. */
export class JpegLayoutError extends DispError {
  constructor(message: string) {
    super("JPEG_LAYOUT_INVALID", `invalid JPEG layout record: ${message}`);
  }
}

/**
 * A fragment that does not fit its slot of the layout (wrong size, components, not a JPEG), or
 * fragments that together do not rebuild the original (`index` undefined).
 */
export class JpegFragmentError extends DispError {
  readonly index: number | undefined;

  constructor(index: number | undefined, message: string) {
    super(
      "JPEG_FRAGMENT_MISMATCH",
      `${index === undefined ? "JPEG fragments" : `JPEG fragment ${index}`}: ${message}`,
    );
    this.index = index;
  }
}

/** Recovery needs at least one fragment. */
export class JpegNoFragmentsError extends DispError {
  constructor() {
    super("JPEG_NO_FRAGMENTS", "no JPEG fragment is present: nothing to recover the image from");
  }
}
import { DispError } from "@disp/protocol";

/** A progressive JPEG of more scans than the limit: each scan is a pass over the whole image. */
export class JpegTooManyScansError extends DispError {
  constructor(scans: number, maxScans: number) {
    super(
      "JPEG_TOO_MANY_SCANS",
      `progressive JPEG of ${scans} or more scans exceeds the limit of ${maxScans}`,
    );
  }
}
