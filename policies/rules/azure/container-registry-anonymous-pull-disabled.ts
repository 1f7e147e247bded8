import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Nobody pulls images without authenticating. */
export const containerRegistryAnonymousPullDisabled: Rule = {
  id: 'container-registry-anonymous-pull-disabled',
  appliesTo: ['azurerm_container_registry'],
  evaluate: (r) => expectBool(r, 'anonymous_pull_enabled', false, false),
};
