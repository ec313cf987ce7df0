import { BINARY_OF, DEFAULT_IMAGE_TAGS, IMAGE_NAMES, type ImageName } from "./defaults.js";
import { fullKey, type ImageConfig, type StackConfig } from "./schema.js";

/**
 * The reference to pull. With a digest, Docker resolves `repo:tag@sha256:…` by digest and refuses content
 * that does not match, so setting `digest` enforces it.
 */
export function imageRef(image: ImageConfig): string {
  const tagged = `${image.repository}:${image.tag}`;
  return image.digest === undefined ? tagged : `${tagged}@${image.digest}`;
}

/** One warning per image that is pinned by tag only. Empty once every digest is set. */
export function imageDigestWarnings(config: Pick<StackConfig, "images">): string[] {
  return IMAGE_NAMES.filter((name) => config.images[name].digest === undefined).map((name) => {
    const image = config.images[name];
    const ref = imageRef(image);
    return (
      `\`${fullKey(`images.${name}.digest`)}\` is not set, so ${BINARY_OF[name]} is pinned by tag only (${ref}). ` +
      `Run \`docker buildx imagetools inspect ${ref}\` and \`pulumi config set --path ${fullKey(`images.${name}.digest`)} sha256:<64 hex>\`.`
    );
  });
}

/** Tags that differ from the verified set in defaults.ts. */
export function imageTagDriftWarnings(config: Pick<StackConfig, "images">): string[] {
  return IMAGE_NAMES.filter((name: ImageName) => config.images[name].tag !== DEFAULT_IMAGE_TAGS[name]).map(
    (name) =>
      `\`${fullKey(`images.${name}.tag`)}\` is ${config.images[name].tag}, not the verified ${DEFAULT_IMAGE_TAGS[name]}: ` +
      `check its flags against docs/opstack-pins.md before deploying.`,
  );
}
