import { testRule } from '../../testing';
import { linuxWebAppRemoteDebuggingDisabled } from './linux-web-app-remote-debugging-disabled';

const APP = 'azurerm_linux_web_app.app';

testRule(linuxWebAppRemoteDebuggingDisabled, {
  compliant: [
    { [APP]: { site_config: { remote_debugging_enabled: false } } },
    // The provider default is off.
    { [APP]: { site_config: {} } },
    { [APP]: {} },
  ],
  nonCompliant: [
    { [APP]: { site_config: { remote_debugging_enabled: true } } },
    {
      'azurerm_linux_web_app_slot.staging': {
        site_config: { remote_debugging_enabled: 'true', remote_debugging_version: 'VS2022' },
      },
    },
  ],
  unknown: [{ [APP]: { site_config: { remote_debugging_enabled: '${var.debug}' } } }],
});
