import { accessAction } from "./access.js";

/** disp:grant — read, editor, owner (transfer) or public. */
export default accessAction("grant");
