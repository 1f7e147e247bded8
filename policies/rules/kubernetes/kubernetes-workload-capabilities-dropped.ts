import { fail, pass, unknown } from '../../engine/check';
import type { Rule } from '../../engine/types';
import { WORKLOAD_TYPES, eachContainer } from './workload';

/** Capabilities allowed back after dropping ALL: binding low ports only. */
const ALLOWED_ADDS = new Set(['NET_BIND_SERVICE']);

/** Every container drops ALL capabilities and adds back nothing beyond NET_BIND_SERVICE. */
export const kubernetesWorkloadCapabilitiesDropped: Rule = {
  id: 'kubernetes-workload-capabilities-dropped',
  appliesTo: WORKLOAD_TYPES,
  evaluate: (r) =>
    eachContainer(r, (c) => {
      const at = c.pathOf('security_context.capabilities');
      const drop = c.list('security_context.capabilities.drop');
      const add = c.list('security_context.capabilities.add');
      if (drop.state === 'unknown' || add.state === 'unknown')
        return unknown('capabilities are expressions', at);
      const extra =
        add.state === 'known' ? add.value.filter((a) => !ALLOWED_ADDS.has(a.toUpperCase())) : [];
      if (extra.length > 0) return fail(`adds capabilities ${extra.join(', ')}`, at);
      if (drop.state === 'known' && drop.value.some((d) => d.toUpperCase() === 'ALL')) {
        return pass('drops ALL capabilities', at);
      }
      return fail('does not drop ALL capabilities', at);
    }),
};
