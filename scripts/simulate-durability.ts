/**
 * `pnpm simulate:durability [--seed 1] [--years 10] [--objects 5000] [--svg docs/durability.svg]`:
 * yearly loss probability, repair traffic and regional unavailability of DISP 2x2 (no parity),
 * 4+2, 4+4, 3x and 4x replication, Storj 29/35/80/110 and Sia 10/30, on three networks of 10,000
 * nodes in 8 regions (model and sources: docs/durability.md). Each figure is computed in closed
 * form and, where a seeded event-driven run can count it, simulated too; the stress network has
 * losses frequent enough to count for most schemes, to show the two agree. Writes the plot and
 * prints a table, then one JSON object as the last line.
 */
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";

import {
  SCHEMES,
  VOLUNTEER_NETWORK,
  computeDurability,
  renderDurabilitySvg,
  simulateDurability,
  type ComputedDurability,
  type NetworkParams,
  type SimulatedDurability,
} from "@disp/devkit/durability";

const { values } = parseArgs({
  options: {
    seed: { type: "string", default: "1" },
    years: { type: "string", default: "10" },
    objects: { type: "string", default: "5000" },
    svg: { type: "string", default: "docs/durability.svg" },
  },
});
const seed = Number(values.seed);
const years = Number(values.years);
const objects = Number(values.objects);
/** Shards followed per run, so that Storj's 80 shards cost no more than DISP's 4 to 8. */
const SHARD_BUDGET = 25 * objects;

const NETWORKS: Record<string, NetworkParams> = {
  volunteer: VOLUNTEER_NETWORK,
  datacenter: { ...VOLUNTEER_NETWORK, nodeLossesPerYear: 0.0157 },
  stress: { ...VOLUNTEER_NETWORK, nodeLossesPerYear: 2, epochHours: 168 },
};

interface Figures {
  computed: ComputedDurability;
  simulated: SimulatedDurability & { objects: number; years: number };
}

const start = performance.now();
const results = SCHEMES.map((scheme, index) => {
  const perNetwork: Record<string, Figures> = {};
  for (const [name, network] of Object.entries(NETWORKS)) {
    const runObjects = Math.min(objects, Math.floor(SHARD_BUDGET / scheme.n));
    const simulated = simulateDurability({
      scheme,
      network,
      objects: runObjects,
      years,
      seed: seed * 1000 + index,
    });
    perNetwork[name] = {
      computed: computeDurability(scheme, network),
      simulated: { ...simulated, objects: runObjects, years },
    };
  }
  return { scheme, perNetwork };
});
const elapsedMs = Math.round(performance.now() - start);

const pYear = (rate: number): number => -Math.expm1(-rate);
const fmt = (x: number): string => (x === 0 ? "0" : x >= 0.01 ? x.toFixed(3) : x.toExponential(2));
console.log(
  "scheme               stored  network     loss/yr computed  simulated (losses)      repair MiB/yr comp/sim  unavailable per outage comp/sim",
);
for (const { scheme, perNetwork } of results) {
  for (const [name, { computed, simulated }] of Object.entries(perNetwork)) {
    console.log(
      [
        scheme.name.padEnd(20),
        `${computed.expansion.toFixed(2)}x`.padStart(6),
        name.padEnd(11),
        fmt(computed.yearlyLossProbability).padStart(16),
        `${fmt(pYear(simulated.lossRatePerYear))} (${simulated.losses})`.padStart(18),
        `${(computed.repairBytesPerYear / 2 ** 20).toFixed(2)}/${(simulated.repairBytesPerYear / 2 ** 20).toFixed(2)}`.padStart(
          28,
        ),
        `${fmt(computed.unavailablePerOutage)}/${fmt(simulated.unavailablePerOutage)}`.padStart(24),
      ].join(" "),
    );
  }
}

const MEASURABLE = 20; // losses counted before a simulated rate is shown beside the computed one
const svg = renderDurabilitySvg({
  networks: ["volunteer", "datacenter"],
  overhead: results.map(({ scheme, perNetwork }) => {
    const simulated = perNetwork.volunteer?.simulated;
    return {
      scheme: scheme.name,
      expansion: scheme.n / scheme.k,
      computed: [
        perNetwork.volunteer?.computed.yearlyLossProbability ?? 0,
        perNetwork.datacenter?.computed.yearlyLossProbability ?? 0,
      ],
      ...(simulated && simulated.losses >= MEASURABLE
        ? {
            simulated: {
              value: pYear(simulated.lossRatePerYear),
              low: pYear(simulated.lossRateInterval[0]),
              high: pYear(simulated.lossRateInterval[1]),
            },
          }
        : {}),
    };
  }),
  agreementTitle: "Stress network (2 losses/node/yr, weekly epochs)",
  agreement: results.flatMap(({ scheme, perNetwork }) => {
    const stress = perNetwork.stress;
    if (!stress || stress.simulated.losses < MEASURABLE) return [];
    return [
      {
        scheme: scheme.name,
        computed: stress.computed.lossRatePerYear,
        simulated: stress.simulated.lossRatePerYear,
        low: stress.simulated.lossRateInterval[0],
        high: stress.simulated.lossRateInterval[1],
      },
    ];
  }),
});
await writeFile(values.svg, svg);

console.log(
  JSON.stringify({
    seed,
    years,
    elapsedMs,
    svg: values.svg,
    figures: {
      computed:
        "closed form: yearlyLossProbability, lossRatePerYear, repairsPerYear, repairBytesPerYear, unavailablePerOutage, unavailableRatePerYear, storedBytes",
      simulated:
        "counted in the seeded event-driven run: losses, lossRatePerYear (+ 95 % interval), repairs, repairBytesPerYear, unavailableEvents, unavailablePerOutage",
      measurableWhen: `simulated losses >= ${MEASURABLE}`,
    },
    networks: NETWORKS,
    schemes: results.map(({ scheme, perNetwork }) => ({
      ...scheme,
      storedBytesPerObject: perNetwork.volunteer?.computed.storedBytes,
      expansion: scheme.n / scheme.k,
      /** Computed: the same share for shards on random distinct nodes, blind to regions. */
      unavailablePerOutageRandomPlacement: computeDurability(scheme, {
        ...VOLUNTEER_NETWORK,
        placement: "random",
      }).unavailablePerOutage,
      networks: Object.fromEntries(
        Object.entries(perNetwork).map(([name, { computed, simulated }]) => [
          name,
          {
            computed,
            simulated,
            simulatedOverComputed:
              simulated.losses >= MEASURABLE ? simulated.lossRatePerYear / computed.lossRatePerYear : null,
          },
        ]),
      ),
    })),
  }),
);
