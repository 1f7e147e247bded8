import { testRule } from '../../testing';
import { apiManagementLegacyTlsDisabled } from './api-management-legacy-tls-disabled';
import { apiManagementMinApiVersionSet } from './api-management-min-api-version-set';
import { apiManagementPublicNetworkDisabled } from './api-management-public-network-disabled';
import { linuxWebAppFtpDisabled } from './linux-web-app-ftp-disabled';
import { linuxWebAppHttpsOnly } from './linux-web-app-https-only';
import { linuxWebAppManagedIdentity } from './linux-web-app-managed-identity';
import { linuxWebAppPublicNetworkDisabled } from './linux-web-app-public-network-disabled';
import { linuxWebAppTls12 } from './linux-web-app-tls-1-2';
import { servicePlanZoneBalanced } from './service-plan-zone-balanced';
import { corsOriginsNotWildcard } from './cors-origins-not-wildcard';
import { linuxWebAppAuthenticationEnabled } from './linux-web-app-authentication-enabled';
import { linuxWebAppClientCertificatesRequired } from './linux-web-app-client-certificates-required';
import { linuxWebAppRemoteDebuggingDisabled } from './linux-web-app-remote-debugging-disabled';

const APIM = 'azurerm_api_management.apim';

testRule(apiManagementPublicNetworkDisabled, {
  compliant: [{ [APIM]: { public_network_access_enabled: false } }],
  nonCompliant: [{ [APIM]: {} }],
});

testRule(apiManagementLegacyTlsDisabled, {
  compliant: [{ [APIM]: {} }, { [APIM]: { security: { frontend_tls10_enabled: false } } }],
  nonCompliant: [
    { [APIM]: { security: { frontend_tls11_enabled: true } } },
    // azurerm 3.x spelling.
    { [APIM]: { security: [{ enable_backend_tls10: true }] } },
  ],
});

testRule(apiManagementMinApiVersionSet, {
  compliant: [{ [APIM]: { min_api_version: '2021-08-01' } }],
  nonCompliant: [{ [APIM]: {} }, { [APIM]: { min_api_version: '2018-01-01' } }],
});

const APP = 'azurerm_linux_web_app.web';

testRule(linuxWebAppHttpsOnly, {
  compliant: [{ [APP]: { https_only: true } }],
  nonCompliant: [{ [APP]: {} }],
});

testRule(linuxWebAppTls12, {
  compliant: [
    { [APP]: { site_config: {} } },
    { [APP]: { site_config: { minimum_tls_version: '1.3' } } },
  ],
  nonCompliant: [{ [APP]: { site_config: { minimum_tls_version: '1.0' } } }],
});

testRule(linuxWebAppFtpDisabled, {
  compliant: [{ [APP]: { site_config: {} } }],
  nonCompliant: [{ [APP]: { site_config: { ftps_state: 'FtpsOnly' } } }],
});

testRule(linuxWebAppManagedIdentity, {
  compliant: [{ [APP]: { identity: { type: 'SystemAssigned' } } }],
  nonCompliant: [{ [APP]: {} }],
});

testRule(linuxWebAppPublicNetworkDisabled, {
  compliant: [{ [APP]: { public_network_access_enabled: false } }],
  nonCompliant: [{ [APP]: {} }],
});

testRule(servicePlanZoneBalanced, {
  compliant: [{ 'azurerm_service_plan.p': { zone_balancing_enabled: true } }],
  nonCompliant: [{ 'azurerm_service_plan.p': {} }],
});

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

const POLICY = 'azurerm_api_management_api_policy.p';

const cors = (...origins: string[]) =>
  `<policies><inbound><base /><cors allow-credentials="false"><allowed-origins>${origins
    .map((o) => `<origin>${o}</origin>`)
    .join(
      '',
    )}</allowed-origins><allowed-methods><method>GET</method></allowed-methods></cors></inbound></policies>`;

testRule(corsOriginsNotWildcard, {
  compliant: [
    { [APP]: { site_config: {} } },
    { [APP]: { site_config: { cors: { allowed_origins: ['https://dashboard.contoso.com'] } } } },
    { [POLICY]: { xml_content: '<policies><inbound><base /></inbound></policies>' } },
    { [POLICY]: { xml_content: cors('https://portal.contoso.com') } },
    // References to other resources' attributes cannot add a <cors> element.
    {
      [POLICY]: {
        xml_content:
          '<policies><inbound><set-backend-service backend-id="${azurerm_api_management_backend.b.name}" /></inbound></policies>',
      },
    },
  ],
  nonCompliant: [
    { [APP]: { site_config: { cors: { allowed_origins: ['*'] } } } },
    { [APP]: { site_config: { cors: { allowed_origins: ['https://a.contoso.com', '*'] } } } },
    { [POLICY]: { xml_content: cors('*') } },
    { 'azurerm_api_management_policy.global': { xml_content: cors(' * ') } },
    {
      [POLICY]: {
        xml_content: `${cors('*')}<!-- \${azurerm_api_management_backend.b.name} -->`,
      },
    },
  ],
  unknown: [
    { [APP]: { site_config: { cors: { allowed_origins: '${var.origins}' } } } },
    { [POLICY]: { xml_content: '${templatefile("policy.xml", {})}' } },
    // A variable could hold a whole <cors> element.
    { [POLICY]: { xml_content: '<policies><inbound>${var.cors}</inbound></policies>' } },
  ],
});
