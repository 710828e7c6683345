import { isDispError } from "@disp/protocol";
import {
  SCHEMES,
  VOLUNTEER_NETWORK,
  binomialTail,
  computeDurability,
  renderDurabilitySvg,
  simulateDurability,
  type NetworkParams,
  type Scheme,
} from "@disp/devkit/durability";
import { expect } from "chai";

function scheme(name: string): Scheme {
  const found = SCHEMES.find((s) => s.name === name);
  if (!found) throw new Error(`no scheme ${name}`);
  return found;
}

const NO_PARITY = scheme("DISP 2x2");
const RS_4_2 = scheme("DISP 4+2");
const RS_4_4 = scheme("DISP 4+4");
const REPLICATION_3 = scheme("3x replication");
const REPLICATION_4 = scheme("4x replication");
/** Losses frequent enough to count in a short run: 2 node losses per node-year, weekly epochs. */
const STRESS: NetworkParams = { ...VOLUNTEER_NETWORK, nodeLossesPerYear: 2, epochHours: 168 };

describe("durability model", function () {
  this.timeout(120_000);

  describe("the simulation", function () {
    it("gives the same figures for the same seed and other figures for another", function () {
      const run = (seed: number) =>
        simulateDurability({ scheme: RS_4_2, network: STRESS, objects: 500, years: 2, seed });
      const first = run(7);
      expect(run(7)).to.deep.equal(first);
      expect(run(8)).to.not.deep.equal(first);
      expect(first.losses).to.be.greaterThan(0);
    });

    it("matches the closed form of a scheme without parity: losses at rate n x lambda", function () {
      const network = VOLUNTEER_NETWORK;
      const computed = computeDurability(NO_PARITY, network);
      expect(Math.abs(computed.lossRatePerYear - 4 * network.nodeLossesPerYear)).to.be.at.most(1e-12);
      expect(
        Math.abs(computed.yearlyLossProbability - (1 - Math.exp(-4 * network.nodeLossesPerYear))),
      ).to.be.at.most(1e-12);
      const simulated = simulateDurability({ scheme: NO_PARITY, network, objects: 2000, years: 5, seed: 1 });
      const [low, high] = simulated.lossRateInterval;
      // A 95 % interval misses now and then; widen it to 4 sigma so that a correct model never fails.
      const slack = (high - low) / 2;
      expect(computed.lossRatePerYear).to.be.within(low - slack, high + slack);
    });

    it("counts the regional outages that leave a 2x2 image unreadable: half of them with 4 of 8 regions used", function () {
      const computed = computeDurability(NO_PARITY, VOLUNTEER_NETWORK);
      expect(computed.unavailablePerOutage).to.equal(0.5);
      expect(computeDurability(RS_4_2, VOLUNTEER_NETWORK).unavailablePerOutage).to.equal(0);
      const simulated = simulateDurability({
        scheme: NO_PARITY,
        network: VOLUNTEER_NETWORK,
        objects: 2000,
        years: 5,
        seed: 3,
      });
      expect(simulated.outages).to.be.greaterThan(0);
      expect(Math.abs(simulated.unavailablePerOutage - 0.5)).to.be.at.most(0.05);
    });

    it("counts more unreadable 4+2 images under region-blind placement, as computed", function () {
      const network: NetworkParams = { ...VOLUNTEER_NETWORK, placement: "random", outagesPerYear: 20 };
      const computed = computeDurability(RS_4_2, network);
      expect(computed.unavailablePerOutage).to.be.within(0.02, 0.04);
      const simulated = simulateDurability({ scheme: RS_4_2, network, objects: 2000, years: 2, seed: 4 });
      expect(simulated.unavailablePerOutage).to.be.within(
        computed.unavailablePerOutage * 0.7,
        computed.unavailablePerOutage * 1.5,
      );
    });

    it("agrees with the computed loss rate of 3x replication where losses can be counted", function () {
      const computed = computeDurability(REPLICATION_3, STRESS);
      const simulated = simulateDurability({
        scheme: REPLICATION_3,
        network: STRESS,
        objects: 4000,
        years: 5,
        seed: 5,
      });
      expect(simulated.losses).to.be.greaterThan(100);
      expect(simulated.lossRatePerYear / computed.lossRatePerYear).to.be.within(0.8, 1.25);
    });

    it("loses fewer objects with 4x than with 3x replication, and with 4+4 than with 4+2", function () {
      const run = (s: Scheme) =>
        simulateDurability({ scheme: s, network: STRESS, objects: 4000, years: 5, seed: 9 });
      expect(run(REPLICATION_4).losses).to.be.lessThan(run(REPLICATION_3).losses);
      expect(run(RS_4_4).losses).to.be.lessThan(run(RS_4_2).losses);
    });
  });

  describe("the computed figures", function () {
    it("order the schemes: more copies or more parity, lower yearly loss", function () {
      for (const network of [VOLUNTEER_NETWORK, STRESS]) {
        const loss = (s: Scheme) => computeDurability(s, network).yearlyLossProbability;
        expect(loss(REPLICATION_4)).to.be.lessThan(loss(REPLICATION_3));
        expect(loss(RS_4_4)).to.be.lessThan(loss(RS_4_2));
        expect(loss(RS_4_2)).to.be.lessThan(loss(NO_PARITY));
      }
    });

    it("grow the loss with the challenge period, since detection waits for the misses", function () {
      const daily = computeDurability(RS_4_2, VOLUNTEER_NETWORK).yearlyLossProbability;
      const weekly = computeDurability(RS_4_2, {
        ...VOLUNTEER_NETWORK,
        epochHours: 168,
      }).yearlyLossProbability;
      expect(weekly).to.be.greaterThan(daily * 10);
    });

    it("sum binomial tails exactly, down to tiny values", function () {
      expect(Math.abs(binomialTail(3, 0.5, 2) - 0.5)).to.be.at.most(1e-15);
      expect(binomialTail(5, 0.1, 0)).to.equal(1);
      // C(40, 20) p^20 (1 - p)^20 and the next terms, ~1.4e-109: relative precision, not absolute.
      const tail = binomialTail(40, 1e-6, 20);
      const leading = 137846528820 * 1e-120 * (1 - 1e-6) ** 20;
      expect(tail / leading - 1).to.be.within(0, 1e-5);
    });

    it("state stored bytes as n / k of the object", function () {
      const storj = computeDurability(scheme("Storj 29/35/80/110"), VOLUNTEER_NETWORK);
      expect(Math.abs(storj.expansion - 80 / 29)).to.be.at.most(1e-12);
      expect(Math.abs(storj.storedBytes - (VOLUNTEER_NETWORK.objectBytes * 80) / 29)).to.be.at.most(1e-6);
    });
  });

  describe("when the input is out of range", function () {
    it("throws DURABILITY_PARAMS_INVALID", function () {
      const cases: (() => unknown)[] = [
        () => computeDurability({ ...RS_4_2, k: 7 }, VOLUNTEER_NETWORK),
        () => computeDurability(RS_4_2, { ...VOLUNTEER_NETWORK, nodes: 10_001 }),
        () => computeDurability(RS_4_2, { ...VOLUNTEER_NETWORK, outageHours: 48 }),
        () =>
          simulateDurability({ scheme: RS_4_2, network: VOLUNTEER_NETWORK, objects: 0, years: 1, seed: 1 }),
        () =>
          simulateDurability({ scheme: RS_4_2, network: VOLUNTEER_NETWORK, objects: 10, years: -1, seed: 1 }),
      ];
      for (const attempt of cases) {
        expect(attempt)
          .to.throw()
          .that.satisfies((e: unknown) => isDispError(e, "DURABILITY_PARAMS_INVALID"));
      }
    });
  });

  describe("the plot", function () {
    it("draws every scheme on both panels", function () {
      const svg = renderDurabilitySvg({
        networks: ["volunteer"],
        overhead: [{ scheme: "DISP 4+2", expansion: 1.5, computed: [1e-5] }],
        agreementTitle: "stress",
        agreement: [{ scheme: "3x replication", computed: 0.016, simulated: 0.017, low: 0.015, high: 0.019 }],
      });
      expect(svg.startsWith("<svg")).to.equal(true);
      expect(svg).to.contain("DISP 4+2").and.to.contain("3x replication");
    });
  });
});
