import { testRule } from '../../testing';
import { kubernetesWorkloadImagePinnedByDigest } from './kubernetes-workload-image-pinned-by-digest';

const DIGEST = `sha256:${'a'.repeat(64)}`;

/** A deployment whose containers use the given images. */
function deployment(...images: string[]) {
  return {
    'kubernetes_deployment_v1.app': {
      metadata: { name: 'ingest', namespace: 'iot' },
      spec: {
        selector: { match_labels: { app: 'ingest' } },
        template: {
          metadata: { labels: { app: 'ingest' } },
          spec: { container: images.map((image, i) => ({ name: `c${i}`, image })) },
        },
      },
    },
  };
}

testRule(kubernetesWorkloadImagePinnedByDigest, {
  compliant: [
    deployment(`acr.io/ingest@${DIGEST}`),
    // A tag kept for readers next to the digest: the digest decides what is pulled.
    deployment(`acr.azurecr.io/iot/ingest:1.4.2@${DIGEST}`),
    deployment(`acr.io/ingest@sha512:${'b'.repeat(128)}`),
    // Registry host from another stack, repository and digest literal.
    deployment(`\${data.terraform_remote_state.platform.outputs.acr}/iot/ingest@${DIGEST}`),
  ],
  nonCompliant: [
    deployment('nginx'),
    deployment('acr.io/ingest:latest'),
    // A release tag is still a tag: the registry can move it (the old heuristic passed these).
    deployment('acr.azurecr.io/iot/ingest:1.4.2'),
    deployment('localhost:5000/ingest:3f2c1ab'),
    deployment('${data.terraform_remote_state.platform.outputs.acr}/iot/ingest:0.1.0'),
    // One digest-pinned container does not excuse another.
    deployment(`acr.io/ingest@${DIGEST}`, 'acr.io/sidecar:2.0.0'),
    // Not a digest: too short.
    deployment('acr.io/ingest@sha256:abc123'),
  ],
  unknown: [
    deployment('${var.image}'),
    // The digest or tag resolves only at apply time.
    deployment('acr.io/ingest@${var.digest}'),
    deployment('acr.io/ingest:${var.tag}'),
  ],
});
