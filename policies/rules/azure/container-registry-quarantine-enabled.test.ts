import { testRule } from '../../testing';
import { containerRegistryQuarantineEnabled } from './container-registry-quarantine-enabled';

const ACR = 'azurerm_container_registry.acr';

testRule(containerRegistryQuarantineEnabled, {
  compliant: [{ [ACR]: { sku: 'Premium', quarantine_policy_enabled: true } }],
  nonCompliant: [
    { [ACR]: { sku: 'Premium' } },
    { [ACR]: { sku: 'Premium', quarantine_policy_enabled: false } },
    // The SKU as an expression may be Premium.
    { [ACR]: { sku: '${var.sku}', quarantine_policy_enabled: false } },
  ],
  unknown: [{ [ACR]: { sku: 'Premium', quarantine_policy_enabled: '${var.quarantine}' } }],
  notApplicable: [{ [ACR]: { sku: 'Basic' } }],
});
