// The policy pack's entry point as the Pulumi CLI loads it (package.json "main").
//
// `pulumi preview --policy-pack policy` has the Node language host run
// @pulumi/pulumi/cmd/run-policy-pack with this directory as its cwd and its last argument. That runner
// always registers ts-node (ours if installed, else its vendored 7.0.1; it ignores PulumiPolicy.yaml's
// `typescript` option, and the host hands `nodeargs` to the program, not to node), then does a CommonJS
// `require()` of this directory, which honours "main". Without this file that require finds index.ts; ts-node
// compiles it to ESM (our package is "type": "module"), and Node's ESM resolver then finds no "./policies.js".
// So this file registers tsx's ESM loader and imports index.ts through it.
// The runner calls an exported function and awaits it, so a load error fails the run with a non-zero exit.
// policy/load.test.ts runs the real runner against this file.
//
// tsx's API is imported, not required: in tsx 4.23.15 the CommonJS build of "tsx/esm/api" points
// module.register() at a path that does not exist (dist/esm/api/esm/index.mjs); the ESM build is right.
"use strict";

module.exports = async function loadPolicyPack() {
  const { register } = await import("tsx/esm/api");
  register();
  await import("./index.ts");
};
