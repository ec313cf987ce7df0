/**
 * What every OP Stack service component creates: its pinned image, its container on the stack's network,
 * and, for images that cannot probe themselves, a host-side health wait. The per-service components in
 * ./<binary>/index.ts call this with their ServiceSpec.
 */
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";

import type { StackConfig } from "../config/schema.js";
import type { CommandConnection } from "../host/ssh.js";
import { opStackScript, remoteScript } from "../host/shell.js";
import { containerPlan, type ContainerPlan } from "./container.js";
import type { HostPaths } from "./paths.js";
import { PUBLIC_RPC_LABEL, ROLE_LABEL } from "./node-role.js";
import type { SecretName, ServiceSpec } from "./spec.js";

/** The arguments of every service component. */
export interface ServiceArgs {
  ctx: ServiceContext;
  config: StackConfig;
  paths: HostPaths;
  /** sha256 of genesis.json and rollup.json together. */
  configHash: pulumi.Input<string>;
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** Where a service's secret env values come from (components/secrets; a peer swaps in its own p2p key). */
export interface SecretSource {
  get(name: SecretName): pulumi.Output<string>;
}

/** What all services on one host share; the stack builds one per host. */
export interface ServiceContext {
  dockerProvider: docker.Provider;
  connection: CommandConnection;
  network: docker.Network;
  secrets: SecretSource;
  /** Stack name, as a container label. */
  stack: string;
  /** The host's part: ecp-forge is the sequencer, each of ecp:peers a verifier (a container label). */
  role: "sequencer" | "verifier";
}

export interface CreatedService {
  plan: ContainerPlan;
  image: docker.RemoteImage;
  container: docker.Container;
  /** The resource to depend on for "this service is up": the health wait, or the container itself. */
  ready: pulumi.Resource;
}

export function remoteImage(
  name: string,
  ref: string,
  ctx: Pick<ServiceContext, "dockerProvider">,
  parent: pulumi.Resource,
): docker.RemoteImage {
  // keepLocally: a destroy leaves the image on the host, so a later `up` does not pull it again.
  return new docker.RemoteImage(`${name}-image`, { name: ref, keepLocally: true }, { parent, provider: ctx.dockerProvider });
}

export function createService(
  name: string,
  spec: pulumi.Input<ServiceSpec>,
  ctx: ServiceContext,
  parent: pulumi.Resource,
  opts: {
    dependsOn?: pulumi.Input<pulumi.Resource>[];
    image?: docker.RemoteImage;
    imageRef: string;
    /** The image has no shell: wait for its health URL from the host (remote/wait-healthy.sh). */
    hostProbe: boolean;
    /** sha256 of the chain config files the service reads at start; a change replaces the container. */
    configHash: pulumi.Input<string>;
    /** `uid:gid` to run as instead of the image's user (the monitoring containers run as the operator
     *  account, which owns their data directories and secret files). */
    user?: pulumi.Input<string>;
  },
): Omit<CreatedService, "plan"> & { plan: pulumi.Output<ContainerPlan> } {
  const plan = pulumi.output(spec).apply((s) => containerPlan(s as ServiceSpec));
  const image = opts.image ?? remoteImage(name, opts.imageRef, ctx, parent);
  const envs = plan.apply((p) =>
    pulumi.all(p.env.map((e) => ("secret" in e ? pulumi.interpolate`${e.name}=${ctx.secrets.get(e.secret)}` : pulumi.output(`${e.name}=${e.value}`)))),
  );
  const container = new docker.Container(
    `${name}-container`,
    {
      name: plan.name,
      image: image.imageId,
      entrypoints: plan.apply((p) => p.entrypoints ?? []),
      ...(opts.user === undefined ? {} : { user: opts.user }),
      command: plan.command,
      envs,
      ports: plan.ports,
      volumes: plan.volumes,
      restart: plan.restart,
      memory: plan.apply((p) => p.memory as number),
      logDriver: plan.logDriver,
      logOpts: plan.logOpts,
      networksAdvanced: [{ name: ctx.network.name, aliases: plan.apply((p) => [p.networkAlias, ...(p.extraAliases ?? [])]) }],
      healthcheck: plan.healthcheck,
      wait: plan.wait,
      waitTimeout: 300,
      destroyGraceSeconds: 30,
      labels: pulumi.all([plan, opts.configHash]).apply(([p, hash]) => [
        { label: "org.every-channel.stack", value: ctx.stack },
        { label: "org.every-channel.service", value: p.name },
        { label: "org.every-channel.chain-config", value: `sha256:${hash}` },
        // Only verifiers carry a role (the policy pack reads a missing one as "not a verifier"), so ecp-forge's
        // containers keep the labels they had and are not replaced for it.
        ...(ctx.role === "verifier" ? [{ label: ROLE_LABEL, value: ctx.role }] : []),
        ...Object.entries(p.labels).map(([label, value]) => {
          if (label.startsWith("org.every-channel.") && label !== PUBLIC_RPC_LABEL) throw new Error(`${name}: its spec may not set the stack's own label ${label}.`);
          return { label, value };
        }),
      ]),
    },
    { parent, provider: ctx.dockerProvider, dependsOn: opts.dependsOn ?? [], deleteBeforeReplace: true },
  );

  if (!opts.hostProbe) return { plan, image, container, ready: container };
  const waitStep = pulumi.all([plan, container.id]).apply(([p, id]) => {
    const probe = p.hostProbe;
    if (probe === undefined) throw new Error(`${name}: its spec has a Docker health check, not a host probe.`);
    return {
      create: `bash -s # wait until ${name} (container ${id.slice(0, 12)}) answers ${probe.url}`,
      stdin: remoteScript(
        {
          SERVICE: name,
          URL: probe.url,
          EXPECT_STATUS: String(probe.expectStatus),
          ATTEMPTS: String(probe.attempts),
          INTERVAL_SECONDS: String(probe.intervalSeconds),
          TIMEOUT_SECONDS: String(probe.timeoutSeconds),
        },
        opStackScript("remote/wait-healthy.sh"),
      ),
    };
  });
  const ready = new command.remote.Command(
    `${name}-healthy`,
    { connection: ctx.connection, create: waitStep.create, stdin: waitStep.stdin, addPreviousOutputInEnv: false },
    { parent, dependsOn: [container] },
  );
  return { plan, image, container, ready };
}
