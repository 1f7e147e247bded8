import { expectString } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** FTP and FTPS deployment are off; deployments go through the pipeline. */
export const linuxWebAppFtpDisabled: Rule = {
  id: 'linux-web-app-ftp-disabled',
  appliesTo: ['azurerm_linux_web_app'],
  evaluate: (r) =>
    expectString(r, 'site_config.ftps_state', {
      default: 'Disabled',
      test: (v) => v === 'Disabled',
      expected: 'Disabled',
    }),
};
