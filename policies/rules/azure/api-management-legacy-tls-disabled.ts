import { expectBool, worst } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** SSL 3.0, TLS 1.0/1.1 and 3DES are off on both sides (3.x `enable_*` names are read too). */
export const apiManagementLegacyTlsDisabled: Rule = {
  id: 'api-management-legacy-tls-disabled',
  appliesTo: ['azurerm_api_management'],
  evaluate: (r) =>
    worst(
      [
        'backend_ssl30_enabled',
        'backend_tls10_enabled',
        'backend_tls11_enabled',
        'frontend_ssl30_enabled',
        'frontend_tls10_enabled',
        'frontend_tls11_enabled',
        'triple_des_ciphers_enabled',
      ].map((a) => expectBool(r, `security.${a}`, false, false)),
    ),
};
