import { expectBool, expectString, worst } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** The app asks every client for a TLS client certificate (mutual TLS) and requires one. */
export const linuxWebAppClientCertificatesRequired: Rule = {
  id: 'linux-web-app-client-certificates-required',
  appliesTo: ['azurerm_linux_web_app'],
  evaluate: (r) => {
    const enabled = expectBool(r, 'client_certificate_enabled', true, false);
    if (enabled.outcome !== 'PASS') return enabled;
    return worst([
      enabled,
      expectString(r, 'client_certificate_mode', {
        default: 'Required',
        test: (v) => v === 'Required',
        expected: 'Required',
      }),
    ]);
  },
};
