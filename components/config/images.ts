import { BINARY_OF, DEFAULT_IMAGE_TAGS, EXECUTION_CLIENT_IMAGE, EXECUTION_CLIENTS, IMAGE_NAMES, type ImageName } from "./defaults.js";
import { fullKey, type ImageConfig, type StackConfig } from "./schema.js";

/**
 * The reference to pull. With a digest, Docker resolves `repo:tag@sha256:…` by digest and refuses content
 * that does not match, so setting `digest` enforces it.
 */
export function imageRef(image: ImageConfig): string {
  const tagged = `${image.repository}:${image.tag}`;
  return image.digest === undefined ? tagged : `${tagged}@${image.digest}`;
}

/** The images this config runs: every service's, and only the chosen execution client's. */
export function imagesInUse(config: Pick<StackConfig, "executionClient">): ImageName[] {
  const unused = EXECUTION_CLIENTS.filter((c) => c !== config.executionClient).map((c) => EXECUTION_CLIENT_IMAGE[c]);
  return IMAGE_NAMES.filter((name) => !unused.includes(name));
}

/** One warning per image in use that is pinned by tag only. Empty once every digest is set. */
export function imageDigestWarnings(config: Pick<StackConfig, "images" | "executionClient">): string[] {
  return imagesInUse(config).filter((name) => config.images[name].digest === undefined).map((name) => {
    const image = config.images[name];
    const ref = imageRef(image);
    return (
      `\`${fullKey(`images.${name}.digest`)}\` is not set, so ${BINARY_OF[name]} is pinned by tag only (${ref}). ` +
      `Run \`docker buildx imagetools inspect ${ref}\` and \`pulumi config set --path ${fullKey(`images.${name}.digest`)} sha256:<64 hex>\`.`
    );
  });
}

/** Tags in use that differ from the verified set in defaults.ts. */
export function imageTagDriftWarnings(config: Pick<StackConfig, "images" | "executionClient">): string[] {
  return imagesInUse(config).filter((name: ImageName) => config.images[name].tag !== DEFAULT_IMAGE_TAGS[name]).map(
    (name) =>
      `\`${fullKey(`images.${name}.tag`)}\` is ${config.images[name].tag}, not the verified ${DEFAULT_IMAGE_TAGS[name]}: ` +
      `check its flags against docs/opstack-pins.md before deploying.`,
  );
}
