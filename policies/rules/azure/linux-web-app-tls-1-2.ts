import { expectString, tlsAtLeast } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** The app accepts TLS 1.2 or later. */
export const linuxWebAppTls12: Rule = {
  id: 'linux-web-app-tls-1-2',
  appliesTo: ['azurerm_linux_web_app'],
  evaluate: (r) =>
    expectString(r, 'site_config.minimum_tls_version', {
      default: '1.2',
      test: (v) => tlsAtLeast(v, '1.2'),
      expected: '1.2 or higher',
    }),
};
