import { accessAction } from "./access.js";

/** disp:revoke — read, editor or public (make private). */
export default accessAction("revoke");
