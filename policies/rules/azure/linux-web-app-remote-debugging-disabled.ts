import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Remote debugging is off: it opens a debugger port into the running app. */
export const linuxWebAppRemoteDebuggingDisabled: Rule = {
  id: 'linux-web-app-remote-debugging-disabled',
  appliesTo: ['azurerm_linux_web_app', 'azurerm_linux_web_app_slot'],
  evaluate: (r) => expectBool(r, 'site_config.remote_debugging_enabled', false, false),
};
