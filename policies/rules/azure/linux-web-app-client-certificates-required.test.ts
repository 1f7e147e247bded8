import { testRule } from '../../testing';
import { linuxWebAppClientCertificatesRequired } from './linux-web-app-client-certificates-required';

const APP = 'azurerm_linux_web_app.app';

testRule(linuxWebAppClientCertificatesRequired, {
  compliant: [
    { [APP]: { client_certificate_enabled: true, client_certificate_mode: 'Required' } },
    // The provider's default mode is Required.
    { [APP]: { client_certificate_enabled: true } },
  ],
  nonCompliant: [
    { [APP]: {} },
    { [APP]: { client_certificate_enabled: false } },
    // Optional modes let clients without a certificate in.
    { [APP]: { client_certificate_enabled: true, client_certificate_mode: 'Optional' } },
    {
      [APP]: {
        client_certificate_enabled: true,
        client_certificate_mode: 'OptionalInteractiveUser',
      },
    },
  ],
  unknown: [{ [APP]: { client_certificate_enabled: '${var.mtls}' } }],
});
