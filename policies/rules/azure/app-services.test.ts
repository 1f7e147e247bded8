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
