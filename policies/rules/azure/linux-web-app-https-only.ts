import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** HTTP is redirected to HTTPS. */
export const linuxWebAppHttpsOnly: Rule = {
  id: 'linux-web-app-https-only',
  appliesTo: ['azurerm_linux_web_app'],
  evaluate: (r) => expectBool(r, 'https_only', true, false),
};
