// The import rules of docs/DESIGN (one-way dependencies), checked by `pnpm lint` (depcruise).
// Workspace packages are followed to their sources (packages/<name>/src), so a rule on a folder
// also catches an import through the package name.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "Every import resolves (a package a workspace does not declare does not).",
      from: { path: "^(packages|tasks|scripts|deploy|test)/" },
      to: { couldNotResolve: true },
    },
    {
      name: "no-circular",
      severity: "error",
      comment: "No import cycles, type-only imports included.",
      from: { path: "^(packages|tasks|scripts|deploy|test)/" },
      to: { circular: true },
    },
    {
      name: "protocol-imports-no-package-of-ours",
      severity: "error",
      comment: "protocol is the shared language: it imports no other package of ours.",
      from: { path: "^packages/protocol/" },
      to: { path: "^(packages/(?!protocol/)|tasks/|scripts/|test/)" },
    },
    {
      name: "core-and-ipfs-import-protocol-only",
      severity: "error",
      comment: "core (codecs) and ipfs (nodes) import only protocol among our packages.",
      from: { path: "^packages/(core|ipfs)/" },
      to: { path: "^(packages/(client|devkit|kubo-rpc-test-server)/|tasks/|scripts/|test/)" },
    },
    {
      name: "crypto-imports-protocol-only",
      severity: "error",
      comment: "crypto (keys, envelopes, shard encryption) imports only protocol among our packages.",
      from: { path: "^packages/crypto/" },
      to: { path: "^(packages/(?!protocol/|crypto/)|tasks/|scripts/|test/)" },
    },
    {
      name: "core-and-ipfs-do-not-import-each-other",
      severity: "error",
      from: { path: "^packages/core/" },
      to: { path: "^packages/ipfs/" },
    },
    {
      name: "ipfs-does-not-import-core",
      severity: "error",
      from: { path: "^packages/ipfs/" },
      to: { path: "^packages/core/" },
    },
    {
      name: "client-imports-no-cli-devkit-or-hardhat",
      severity: "error",
      comment: "The client library is used from anyone's code: no CLI, no test harness, no Hardhat.",
      from: { path: "^packages/client/" },
      to: {
        path: "^(packages/(devkit|kubo-rpc-test-server)/|tasks/|scripts/|test/|hardhat\\.config\\.ts$)|(^|/)node_modules/(hardhat|@nomicfoundation)/|^(hardhat|@nomicfoundation/)",
      },
    },
    {
      name: "devkit-is-not-imported-by-the-library",
      severity: "error",
      from: { path: "^packages/(protocol|core|ipfs|client)/" },
      to: { path: "^packages/devkit/" },
    },
    {
      name: "only-hardhat-config-imports-tasks",
      severity: "error",
      comment:
        "Tasks are entry points: nothing but hardhat.config.ts, tasks themselves and their own unit tests (test/tasks/) imports them.",
      from: { path: "^", pathNot: "^(hardhat\\.config\\.ts$|tasks/|test/tasks/)" },
      to: { path: "^tasks/" },
    },
    {
      name: "nothing-imports-scripts",
      severity: "error",
      comment: "Scripts are entry points: only scripts import scripts.",
      from: { path: "^", pathNot: "^scripts/" },
      to: { path: "^scripts/" },
    },
  ],
  options: {
    doNotFollow: { path: "(^|/)node_modules/" },
    exclude: { path: "(^|/)(node_modules|artifacts|cache|types|coverage)/|packages/client/src/typechain/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "node", "default", "types"],
      extensions: [".ts", ".js", ".mjs", ".cjs", ".json"],
    },
  },
};
