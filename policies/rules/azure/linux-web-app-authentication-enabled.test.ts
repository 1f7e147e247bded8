import { testRule } from '../../testing';
import { linuxWebAppAuthenticationEnabled } from './linux-web-app-authentication-enabled';

const APP = 'azurerm_linux_web_app.app';

testRule(linuxWebAppAuthenticationEnabled, {
  compliant: [
    {
      [APP]: {
        auth_settings_v2: {
          auth_enabled: true,
          require_authentication: true,
          active_directory_v2: { client_id: '${var.client_id}' },
        },
      },
    },
    // The legacy block, on its own.
    { [APP]: { auth_settings: { enabled: true } } },
  ],
  nonCompliant: [
    { [APP]: {} },
    // The v2 block written without turning it on: the provider default is off.
    { [APP]: { auth_settings_v2: { require_authentication: true } } },
    { [APP]: { auth_settings_v2: { auth_enabled: false } } },
    { [APP]: { auth_settings: { enabled: false } } },
  ],
  unknown: [{ [APP]: { auth_settings_v2: { auth_enabled: '${var.auth}' } } }],
});
