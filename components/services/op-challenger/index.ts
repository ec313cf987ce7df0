/**
 * op-challenger, created only when a prestate is configured (prestate/gate.ts). Before it starts:
 * - the configured hash must be the absolute prestate L1 reports for the permissioned game after day 2
 *   (components/day2 puts a prestate set after deploy on chain first), and
 * - the artifact is fetched or copied into <stateDir>/prestates and `cannon witness` must report that
 *   same hash (remote/prestate.sh). Either failure stops the update with the reason.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";

import { imageRef } from "../../config/images.js";
import type { PrestateConfig } from "../../config/schema.js";
import type { Inspected } from "../../deployer/steps.js";
import { opStackScript, remoteScript } from "../../host/shell.js";
import { prestateGate } from "../../prestate/gate.js";
import { createService, remoteImage, type ServiceArgs } from "../service.js";
import { opChallengerSpec } from "./flags.js";

export interface OpChallengerArgs extends ServiceArgs {
  deployment: pulumi.Input<Pick<Inspected, "addresses" | "absolutePrestate">>;
}

export function prestateEnv(prestate: PrestateConfig, fileName: string, prestatesDir: string, challengerImage: string): Record<string, string> {
  const env: Record<string, string> = {
    PRESTATES_DIR: prestatesDir,
    PRESTATE_HASH: prestate.hash,
    PRESTATE_FILE_NAME: fileName,
    CHALLENGER_IMAGE: challengerImage,
  };
  if (prestate.source.kind === "path") env["PRESTATE_PATH"] = prestate.source.path;
  else env["PRESTATE_URL"] = prestate.source.url;
  return env;
}

export class OpChallenger extends pulumi.ComponentResource {
  readonly prestate: command.remote.Command;
  readonly ready: pulumi.Resource;

  constructor(name: string, args: OpChallengerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecp:opstack:OpChallenger", name, {}, opts);
    const ref = imageRef(args.config.images.opChallenger);
    const image = remoteImage(name, ref, args.ctx, this);
    // Throws PrestateMismatchError when L1 still reports another prestate.
    const gate = pulumi.output(args.deployment).apply((d) => {
      const g = prestateGate(args.config, d.absolutePrestate);
      if (!g.enabled) throw new Error(`${name}: created without \`ecp:prestate\`; index.ts must check prestateGate first.`);
      return g;
    });
    const step = pulumi.all([gate, image.imageId]).apply(([g, imageId]) => ({
      create: `bash -s # verify prestate ${g.prestate.hash} with cannon from ${imageId}`,
      stdin: remoteScript(prestateEnv(g.prestate, g.fileName, args.paths.prestatesDir, imageId), opStackScript("remote/prestate.sh")),
    }));
    this.prestate = new command.remote.Command(
      `${name}-prestate`,
      { connection: args.ctx.connection, create: step.create, stdin: step.stdin, addPreviousOutputInEnv: false },
      { parent: this, dependsOn: args.dependsOn ?? [] },
    );
    const spec = pulumi.all([args.deployment, gate]).apply(([d]) => opChallengerSpec(args.config, d.addresses, args.paths));
    const svc = createService(name, spec, args.ctx, this, {
      image,
      imageRef: ref,
      hostProbe: true,
      configHash: args.configHash,
      dependsOn: [this.prestate, ...(args.dependsOn ?? [])],
    });
    this.ready = svc.ready;
    this.registerOutputs({ container: svc.container.name, verifiedPrestate: this.prestate.stdout });
  }
}
