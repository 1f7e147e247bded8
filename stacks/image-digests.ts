/**
 * Image digests as deploy-time inputs. The Build stage records the digest of each image it
 * pushed (pipelines/build.yml) and the deploy stages pass them as Terraform variables; every
 * image is referenced as `<registry>/<repository>@sha256:<digest>`, so nothing deploys a tag the
 * registry could move. Each variable's validation admits only a SHA-256 digest, which is what
 * the `kubernetes-workload-image-pinned-by-digest` rule checks (docs/adr/0016).
 */
import type { Construct } from 'constructs';
import { TerraformVariable } from 'cdktf';

/** The images the product builds, one repository `iot/<name>` each. */
export const IMAGES = ['ingest', 'analysis', 'processing', 'web', 'splunk-forwarder'] as const;

/** One of {@link IMAGES}. */
export type ImageName = (typeof IMAGES)[number];

/** What a digest input admits: `sha256:` and 64 lower-case hex digits, as registries print it. */
export const IMAGE_DIGEST_PATTERN = '^sha256:[a-f0-9]{64}$';

/** The Terraform variable carrying the digest of `iot/<image>` (`ingest_image_digest`). */
export function imageDigestVariableName(image: ImageName): string {
  // `splunk-forwarder` → `splunk_forwarder_image_digest`: TF_VAR_<name> must be a shell variable
  return `${image.replace(/-/g, '_')}_image_digest`;
}

/**
 * Declares the digest variable of `image` in `scope`'s stack (once; later calls return the same
 * value) and returns its value.
 */
export function imageDigest(scope: Construct, image: ImageName): string {
  const name = imageDigestVariableName(image);
  const existing = scope.node.tryFindChild(name);
  if (existing instanceof TerraformVariable) return existing.stringValue;
  return new TerraformVariable(scope, name, {
    type: 'string',
    description: `Content digest of iot/${image} in the platform registry (sha256:<64 hex>), as the Build stage recorded it; the deployment runs exactly that content.`,
    nullable: false,
    validation: [
      {
        condition: `\${can(regex(${JSON.stringify(IMAGE_DIGEST_PATTERN)}, var.${name}))}`,
        errorMessage: `${name} must be an image digest, sha256: and 64 lower-case hex digits (az acr repository show --image iot/${image}:<tag> --query digest); a tag is refused.`,
      },
    ],
  }).stringValue;
}

/** `<loginServer>/iot/<image>@<digest>`: the reference a deployment runs. */
export function imageByDigest(loginServer: string, image: ImageName, digest: string): string {
  return `${loginServer}/iot/${image}@${digest}`;
}
