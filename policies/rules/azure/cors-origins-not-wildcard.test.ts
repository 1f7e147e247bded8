import { testRule } from '../../testing';
import { corsOriginsNotWildcard } from './cors-origins-not-wildcard';

const APP = 'azurerm_linux_web_app.app';
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
