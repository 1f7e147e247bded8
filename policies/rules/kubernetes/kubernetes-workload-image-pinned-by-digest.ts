import { fail, pass, unknown } from '../../engine/check';
import type { Rule } from '../../engine/types';
import { WORKLOAD_TYPES, eachContainer } from './workload';

/** An OCI content digest at the end of an image reference (`name@sha256:…`, `name:tag@sha256:…`). */
const DIGEST = /@(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/;

/**
 * Images are referenced by digest, so what runs is the content that was reviewed and scanned.
 * A tag — `latest`, a branch or a release number — is a name the registry can move to other
 * content. An image whose end is an expression (`${var.image}`, `name@${var.digest}`) is
 * UNKNOWN until apply, never PASS.
 */
export const kubernetesWorkloadImagePinnedByDigest: Rule = {
  id: 'kubernetes-workload-image-pinned-by-digest',
  appliesTo: WORKLOAD_TYPES,
  evaluate: (r) =>
    eachContainer(r, (c) => {
      const at = c.pathOf('image');
      const image = c.str('image');
      if (image.state === 'absent') return fail('no image', at);
      // `${registry}/iot/app:1.2.3`: the registry host is computed, and what follows the last
      // interpolation is literal; a digest can only be at the very end of the reference.
      let text: string;
      if (image.state === 'known') text = image.value;
      else {
        const expr = image.expression ?? '';
        const tail = expr.slice(expr.lastIndexOf('}') + 1);
        if (expr === '' || tail === '') return unknown(`image is ${image.reason}`, at);
        text = tail;
      }
      if (DIGEST.test(text)) return pass('pinned by digest', at);
      const last = text.split('/').pop() ?? '';
      const tag = last.includes(':') ? last.slice(last.lastIndexOf(':') + 1) : '';
      return fail(
        tag === ''
          ? `${text} has no digest and no tag (means latest)`
          : `${text} is pinned by tag ${tag}, which the registry can move; reference name@sha256:<digest>`,
        at,
      );
    }),
};
