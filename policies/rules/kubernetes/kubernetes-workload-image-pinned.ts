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
      if (image.state === 'unknown') return unknown(image.reason, at);
      if (image.state === 'absent') return fail('no image', at);
      if (/@sha256:[0-9a-f]{64}$/.test(image.value)) return pass('pinned by digest', at);
      const lastSegment = image.value.split('/').pop() ?? '';
      const tag = lastSegment.includes(':') ? lastSegment.split(':').pop()! : '';
      if (tag === '') return fail(`${image.value} has no tag (means latest)`, at);
      if (IMMUTABLE_TAG.test(tag)) return pass(`tag ${tag} names one build`, at);
      return fail(`tag ${tag} can move to another image`, at);
    }),
};
