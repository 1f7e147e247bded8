import { testRule } from '../../testing';
import { containerRegistryContentTrustEnabled } from './container-registry-content-trust-enabled';

const ACR = 'azurerm_container_registry.acr';

testRule(containerRegistryContentTrustEnabled, {
  compliant: [{ [ACR]: { sku: 'Premium', trust_policy_enabled: true } }],
  nonCompliant: [
    { [ACR]: { sku: 'Premium' } },
    { [ACR]: { sku: 'Premium', trust_policy_enabled: false } },
  ],
  unknown: [{ [ACR]: { sku: 'Premium', trust_policy_enabled: '${var.trust}' } }],
  // Content trust is a Premium feature.
  notApplicable: [{ [ACR]: { sku: 'Standard' } }],
});
