import { fail, pass, unknown } from '../../engine/check';
import type { Rule } from '../../engine/types';
import { WORKLOAD_TYPES, eachContainer } from './workload';

/** Tags that name one build: semantic versions (optionally with a build suffix) and commit ids. */
const IMMUTABLE_TAG = /^(v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?|[0-9a-f]{7,40})$/;

/** Images are pinned by digest, or by a tag that names one build (not `latest`, not a branch). */
export const kubernetesWorkloadImagePinned: Rule = {
  id: 'kubernetes-workload-image-pinned',
  appliesTo: WORKLOAD_TYPES,
  evaluate: (r) =>
    eachContainer(r, (c) => {
      const at = c.pathOf('image');
      const image = c.str('image');
      if (image.state === 'absent') return fail('no image', at);
      // `${registry}/iot/app:1.2.3`: the registry host is computed, the repository and tag are
      // literal after the last interpolation, and they are what pinning is about.
      const text =
        image.state === 'known'
          ? image.value
          : image.expression && /\}\/[^${}]+$/.test(image.expression)
            ? image.expression.slice(image.expression.lastIndexOf('}') + 1)
            : undefined;
      if (text === undefined)
        return unknown(image.state === 'unknown' ? image.reason : 'image', at);
      if (/@sha256:[0-9a-f]{64}$/.test(text)) return pass('pinned by digest', at);
      const lastSegment = text.split('/').pop() ?? '';
      const tag = lastSegment.includes(':') ? lastSegment.split(':').pop()! : '';
      if (tag === '') return fail(`${text} has no tag (means latest)`, at);
      if (IMMUTABLE_TAG.test(tag)) return pass(`tag ${tag} names one build`, at);
      return fail(`tag ${tag} can move to another image`, at);
    }),
};
