// The ecp-forge policy pack: `pulumi preview --policy-pack policy` / `pulumi up --policy-pack policy`.
// The rules live in policies.ts; see there for what each enforces.
import { PolicyPack, type ResourceValidationArgs } from "@pulumi/policy";

import {
  challengerNeedsVerifiedPrestate,
  imagesPinned,
  imagesPinnedByDigest,
  keysOnlyInSecretFields,
  noPublicServicePorts,
  type ResourceLike,
} from "./policies.js";

const asResource = (args: ResourceValidationArgs): ResourceLike => ({ type: args.type, name: args.name, props: args.props });

new PolicyPack("ecp-forge", {
  policies: [
    {
      name: "no-public-service-ports",
      description:
        "No RPC, engine-auth or metrics port is published beyond loopback, except P2P ports, a verifier peer's public L2 RPC and metrics on a private address.",
      enforcementLevel: "mandatory",
      validateResource: (args, report) => noPublicServicePorts(asResource(args), report),
    },
    {
      name: "images-pinned",
      description: "Images are pulled by an exact release tag, and containers run the pulled image IDs.",
      enforcementLevel: "mandatory",
      validateResource: (args, report) => imagesPinned(asResource(args), report),
    },
    {
      name: "images-pinned-by-digest",
      description: "Images carry a recorded digest.",
      enforcementLevel: "advisory",
      validateResource: (args, report) => imagesPinnedByDigest(asResource(args), report),
    },
    {
      name: "keys-only-as-secrets",
      description: "Keys never appear in fields Pulumi shows in plain text (command lines, container commands, labels, triggers).",
      enforcementLevel: "mandatory",
      validateResource: (args, report) => keysOnlyInSecretFields(asResource(args), report),
    },
    {
      name: "challenger-needs-verified-prestate",
      description: "op-challenger never runs without a step that verified its prestate with cannon.",
      enforcementLevel: "mandatory",
      validateStack: (args, report) => {
        const seen = new Map<unknown, ResourceLike>();
        const convert = (r: (typeof args.resources)[number]): ResourceLike => {
          const hit = seen.get(r);
          if (hit !== undefined) return hit;
          const out: ResourceLike = { type: r.type, name: r.name, props: r.props, dependencies: [] };
          seen.set(r, out);
          out.dependencies = r.dependencies.map(convert);
          return out;
        };
        challengerNeedsVerifiedPrestate(args.resources.map(convert), (m) => report(m));
      },
    },
  ],
});
