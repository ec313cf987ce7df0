// Loads the policy pack the way `pulumi preview --policy-pack policy` does, through @pulumi/pulumi's own
// policy-pack runner from node_modules, and asks the running pack for its policies over gRPC.
//
// What the Node language host (pulumi-language-nodejs RunPlugin, v3.248) does for a policy pack, and what
// this file copies:
//  - locates the runner with `node -e "console.log(require.resolve('@pulumi/pulumi/cmd/run-policy-pack'))"`
//    run in the pack's directory (locateModule);
//  - runs `node <runner> <nodeargs…> <engine address> <absolute pack dir>`: PulumiPolicy.yaml's nodeargs come
//    after the script, then the plugin args (the engine's address), then the pack directory last;
//  - with the pack directory as the working directory;
//  - with the CLI's environment plus PULUMI_NODEJS_TYPESCRIPT=true when `typescript` is true (the default),
//    PULUMI_NODEJS_TSCONFIG_PATH when `tsconfig` is set, and the stack's PULUMI_NODEJS_ORGANIZATION / _PROJECT /
//    _STACK / _DRY_RUN and PULUMI_CONFIG. The runner and @pulumi/policy read none of these while loading.
//  - reads the pack's port from the first line of its stdout.
// The runner drops the engine address, registers ts-node, `require()`s the directory (package.json "main")
// and awaits an exported function; on a load error it logs it and exits 32.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import type { AnalyzeResponse, AnalyzerInfo } from "@pulumi/pulumi/proto/analyzer_pb.js";
import yaml from "js-yaml";
import { afterAll, describe, expect, it } from "vitest";

const PACK = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(PACK, "..");

const POLICIES = ["no-public-service-ports", "images-pinned", "images-pinned-by-digest", "keys-only-as-secrets", "challenger-needs-verified-prestate"];

// The client side of the analyzer protocol, from the same @pulumi/pulumi the pack's server uses.
const pulumiRequire = createRequire(join(ROOT, "node_modules/@pulumi/pulumi/proto/analyzer_grpc_pb.js"));
const grpc = pulumiRequire("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
const { AnalyzerClient } = pulumiRequire("./analyzer_grpc_pb.js") as typeof import("@pulumi/pulumi/proto/analyzer_grpc_pb.js");
const { AnalyzeRequest, AnalyzerResourceOptions } = pulumiRequire("./analyzer_pb.js") as typeof import("@pulumi/pulumi/proto/analyzer_pb.js");
const { Empty } = pulumiRequire("google-protobuf/google/protobuf/empty_pb.js") as typeof import("google-protobuf/google/protobuf/empty_pb.js");
const { Struct } = pulumiRequire("google-protobuf/google/protobuf/struct_pb.js") as typeof import("google-protobuf/google/protobuf/struct_pb.js");

interface Run {
  child: ChildProcess;
  /** The port the pack printed, or undefined if it exited first. */
  port: number | undefined;
  code: number | null;
  stdout: string;
  stderr: string;
}

const children: ChildProcess[] = [];
const temps: string[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.pid !== undefined) c.kill();
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

/** Runs the pack in `dir` as the language host would, until it prints its port or exits. */
async function runPack(dir: string): Promise<Run> {
  const options = ((yaml.load(readFileSync(join(dir, "PulumiPolicy.yaml"), "utf8")) as { runtime?: { options?: Record<string, unknown> } }).runtime?.options ?? {});
  const nodeargs = String(options["nodeargs"] ?? "");
  if (/["'\\]/.test(nodeargs)) throw new Error("this test splits nodeargs on whitespace only; teach it shlex quoting");
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env["NODE_OPTIONS"]; // nothing may preload a loader the CLI would not
  if (options["typescript"] !== false) env["PULUMI_NODEJS_TYPESCRIPT"] = "true";
  if (typeof options["tsconfig"] === "string") env["PULUMI_NODEJS_TSCONFIG_PATH"] = options["tsconfig"];
  Object.assign(env, { PULUMI_NODEJS_ORGANIZATION: "organization", PULUMI_NODEJS_PROJECT: "ecp-forge", PULUMI_NODEJS_STACK: "load-test", PULUMI_NODEJS_DRY_RUN: "true", PULUMI_CONFIG: "{}" });

  const runner = execFileSync(process.execPath, ["-e", "console.log(require.resolve('@pulumi/pulumi/cmd/run-policy-pack'))"], { cwd: dir, env, encoding: "utf8" }).trim();
  expect(runner).toBe(join(ROOT, "node_modules/@pulumi/pulumi/cmd/run-policy-pack/index.js"));

  const args = [runner, ...nodeargs.split(/\s+/).filter(Boolean), "127.0.0.1:1" /* engine address; the runner shifts it off */, resolve(dir)];
  const child = spawn(process.execPath, args, { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  const run: Run = { child, port: undefined, code: null, stdout: "", stderr: "" };
  child.stderr.on("data", (b: Buffer) => (run.stderr += b.toString()));
  await new Promise<void>((done) => {
    child.stdout.on("data", (b: Buffer) => {
      run.stdout += b.toString();
      const first = /^(\d+)\r?\n/.exec(run.stdout);
      if (first?.[1] !== undefined && run.port === undefined) {
        run.port = Number(first[1]);
        done();
      }
    });
    child.on("exit", (code) => {
      run.code = code;
      done();
    });
  });
  return run;
}

/** Promisifies a unary call on the analyzer client. */
function call<Req, Res>(fn: (req: Req, cb: (err: Error | null, res: Res) => void) => unknown, req: Req): Promise<Res> {
  return new Promise<Res>((ok, fail) => fn(req, (err, res) => (err ? fail(err) : ok(res))));
}

/** A scratch tree beside our own: `<tmp>/policy` is a copy of the pack; components/ and node_modules/ link to ours. */
function scratchPack(): string {
  const root = mkdtempSync(join(tmpdir(), "ecp-policy-load-"));
  temps.push(root);
  writeFileSync(join(root, "package.json"), JSON.stringify({ type: "module" })); // as our root's
  symlinkSync(join(ROOT, "node_modules"), join(root, "node_modules"), "dir");
  symlinkSync(join(ROOT, "components"), join(root, "components"), "dir");
  const dir = join(root, "policy");
  cpSync(PACK, dir, { recursive: true, filter: (src) => !src.endsWith(".test.ts") });
  return dir;
}

describe("the policy pack under the Pulumi CLI's own runner", () => {
  it("starts its analyzer and serves every policy", async () => {
    const run = await runPack(PACK);
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.port, `exit ${run.code}\n${run.stderr}`).toBeGreaterThan(0);

    const client = new AnalyzerClient(`127.0.0.1:${run.port}`, grpc.credentials.createInsecure());
    try {
      const info = await call<InstanceType<typeof Empty>, AnalyzerInfo>((r, cb) => client.getAnalyzerInfo(r, cb), new Empty());
      expect(info.getName()).toBe("ecp-forge");
      expect(info.getVersion()).toBe("0.1.0"); // @pulumi/policy reads it from policy/package.json
      expect(info.getPoliciesList().map((p) => p.getName())).toEqual(POLICIES);

      // And the rules from policies.ts run inside it.
      const req = new AnalyzeRequest()
        .setType("docker:index/remoteImage:RemoteImage")
        .setName("op-node-image")
        .setUrn("urn:pulumi:load-test::ecp-forge::docker:index/remoteImage:RemoteImage::op-node-image")
        .setProperties(Struct.fromJavaScript({ name: "us-docker.pkg.dev/oplabs-tools-artifacts/images/op-node:latest" }))
        .setOptions(new AnalyzerResourceOptions()); // the CLI always sends options
      const res = await call<typeof req, AnalyzeResponse>((r, cb) => client.analyze(r, cb), req);
      expect(res.getDiagnosticsList().map((d) => d.getPolicyname()).sort()).toEqual(["images-pinned", "images-pinned-by-digest"]);
    } finally {
      client.close();
      run.child.kill();
    }
  });

  it("fails the run when the pack does not compile", async () => {
    const dir = scratchPack();
    appendFileSync(join(dir, "policies.ts"), "\nexport const = ;\n");
    const run = await runPack(dir);
    expect(run.port).toBeUndefined();
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("policies.ts");
  });

  it("fails the run for the pack as it was: index.ts found by ts-node, tsx passed as a program argument", async () => {
    const dir = scratchPack();
    rmSync(join(dir, "package.json"));
    rmSync(join(dir, "pack.cjs"));
    writeFileSync(join(dir, "PulumiPolicy.yaml"), 'runtime:\n  name: nodejs\n  options:\n    typescript: false\n    nodeargs: "--import tsx"\n');
    const run = await runPack(dir);
    expect(run.port).toBeUndefined();
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/Cannot find module '[^']*policies\.js'/);
  });
});
