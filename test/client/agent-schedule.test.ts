import { expect } from "chai";

import { pickFair, type Candidate } from "../../packages/client/src/agent-schedule.js";

const tasks = (registrant: string, count: number): Candidate<string>[] =>
  Array.from({ length: count }, (_, i) => ({ task: `${registrant}${i}`, registrant }));

describe("pickFair: which ready tasks take the agent's free slots", function () {
  it("leaves the last free slot to another registrant: 50 junk tasks take 3 of 4", function () {
    const picked = pickFair(tasks("junk", 50), new Map(), 4, new Map());
    expect(picked.map(({ task }) => task)).to.deep.equal(["junk0", "junk1", "junk2"]);
  });

  it("gives a registrant with nothing running the next slot, before one already busy", function () {
    const served = new Map<string, number>();
    const running = new Map([["junk", 3]]);
    const picked = pickFair([...tasks("junk", 47), ...tasks("honest", 1)], running, 1, served);
    expect(picked.map(({ task }) => task)).to.deep.equal(["honest0"]);
  });

  it("takes registrants in turn, so one waits at most one slot behind another's many tasks", function () {
    const served = new Map<string, number>();
    const picked = pickFair([...tasks("a", 10), ...tasks("b", 2), ...tasks("c", 1)], new Map(), 6, served);
    // The sixth slot stays free: everyone with a task left is already running one.
    expect(picked.map(({ task }) => task)).to.deep.equal(["a0", "b0", "c0", "a1", "b1"]);
  });

  it("rotates among equally loaded registrants from one fill to the next", function () {
    const served = new Map<string, number>();
    const first = pickFair([...tasks("a", 5), ...tasks("b", 5)], new Map(), 1, served);
    const second = pickFair([...tasks("a", 5), ...tasks("b", 5)], new Map(), 1, served);
    expect([first[0]?.registrant, second[0]?.registrant]).to.deep.equal(["a", "b"]);
  });

  it("starts nothing without a free slot or a ready task", function () {
    expect(pickFair(tasks("a", 3), new Map(), 0, new Map())).to.deep.equal([]);
    expect(pickFair([], new Map(), 4, new Map())).to.deep.equal([]);
  });
});
