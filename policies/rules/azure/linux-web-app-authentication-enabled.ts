import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/**
 * App Service authentication (Easy Auth) signs users in before a request reaches the app:
 * `auth_settings_v2 { auth_enabled = true }`, or the legacy `auth_settings { enabled = true }`.
 */
export const linuxWebAppAuthenticationEnabled: Rule = {
  id: 'linux-web-app-authentication-enabled',
  appliesTo: ['azurerm_linux_web_app'],
  evaluate: (r) =>
    r.get('auth_settings_v2').state === 'absent' && r.get('auth_settings').state !== 'absent'
      ? expectBool(r, 'auth_settings.enabled', true)
      : expectBool(r, 'auth_settings_v2.auth_enabled', true, false),
};
