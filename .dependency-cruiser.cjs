// Dependency rules of the workspace (ARCHITECTURE.md "What each package may import").
// `pnpm check:deps` runs them; .ci/run fails on any violation.
//
// Packages depend only downward:
//   core  <-  scene  <-  server  <-  cli
//   core  <-  viewer (never core/gan: the browser bundle carries no TensorFlow)
//   testing (private: fixtures and builders) is imported by tests and benches only.

/** A package's folder, as a path pattern. */
const pkg = (name) => `^packages/${name}/`;
/** Tests and benches of any package: they may import the private testing package. */
const TEST_OR_BENCH = "(\\.test\\.tsx?$|^packages/[^/]+/bench/|^tests/)";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "viewer-no-gan",
      comment:
        "The viewer never imports the GAN (core/gan) nor the generation pipeline that runs it (core/generate): the browser bundle stays free of TensorFlow.",
      severity: "error",
      from: { path: pkg("viewer") },
      to: { path: "^packages/core/(src|dist)/(gan|generate)/" },
    },
    {
      name: "core-no-io",
      comment: "core is a pure library: no file system, network, processes, database or HTTP server.",
      severity: "error",
      from: { path: "^packages/core/src/", pathNot: TEST_OR_BENCH },
      to: {
        dependencyTypes: ["core", "npm", "npm-dev", "npm-optional", "npm-peer", "npm-no-pkg", "npm-unknown"],
        path: "^(node:)?(fs|fs/promises|child_process|net|http|https|http2|dgram|worker_threads|cluster)$|better-sqlite3|fastify|^pg$",
      },
    },
    {
      name: "core-depends-on-nothing-of-ours",
      comment: "core sits at the bottom: it imports no other workspace package.",
      severity: "error",
      from: { path: pkg("core"), pathNot: TEST_OR_BENCH },
      to: { path: "^packages/(scene|server|cli|viewer|testing)/" },
    },
    {
      name: "scene-only-core",
      comment: "scene draws designs from core; it knows nothing of the server, CLI or viewer.",
      severity: "error",
      from: { path: pkg("scene"), pathNot: TEST_OR_BENCH },
      to: { path: "^packages/(server|cli|viewer|testing)/" },
    },
    {
      name: "server-below-cli-and-viewer",
      comment: "The server may use core and scene; the CLI and the viewer sit above it.",
      severity: "error",
      from: { path: pkg("server"), pathNot: TEST_OR_BENCH },
      to: { path: "^packages/(cli|viewer|testing)/" },
    },
    {
      name: "cli-not-viewer",
      comment: "The CLI drives core, scene and server; the viewer is a separate browser bundle.",
      severity: "error",
      from: { path: pkg("cli"), pathNot: TEST_OR_BENCH },
      to: { path: "^packages/(viewer|testing)/" },
    },
    {
      name: "viewer-not-node-packages",
      comment: "The viewer talks to the server over HTTP only; it never imports server or CLI code.",
      severity: "error",
      from: { path: pkg("viewer") },
      to: { path: "^packages/(server|cli)/" },
    },
    {
      name: "testing-only-in-tests",
      comment: "The private testing package (fixtures, builders) never ships in a public entry.",
      severity: "error",
      from: { pathNot: `${TEST_OR_BENCH}|^packages/testing/` },
      to: { path: "^packages/testing/" },
    },
    {
      name: "no-reaching-into-another-package-src",
      comment: "Import another package through its public entry (@plantgan/x), never by a path into its src.",
      severity: "error",
      from: { path: "^(packages/([^/]+)/|tests/)" },
      to: {
        path: "^packages/([^/]+)/src/",
        pathNot: "^packages/$2/src/",
        // The source condition maps public entries (@plantgan/x) onto src; only relative paths reach in.
        dependencyTypes: ["local"],
      },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(dist|node_modules|generated)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.base.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["@plantgan/source", "import", "types", "default"],
      extensions: [".ts", ".tsx", ".js", ".d.ts"],
    },
  },
};
