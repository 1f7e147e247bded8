import { expectString } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** The app has a managed identity, so it needs no stored credentials for Azure services. */
export const linuxWebAppManagedIdentity: Rule = {
  id: 'linux-web-app-managed-identity',
  appliesTo: ['azurerm_linux_web_app'],
  evaluate: (r) =>
    expectString(r, 'identity.type', {
      test: (v) => v.includes('Assigned'),
      expected: 'SystemAssigned and/or UserAssigned',
    }),
};
