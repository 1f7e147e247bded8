import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Secure transfer required (3.x `enable_https_traffic_only` is read too). */
export const storageAccountHttpsOnly: Rule = {
  id: 'storage-account-https-only',
  appliesTo: ['azurerm_storage_account'],
  evaluate: (r) => expectBool(r, 'https_traffic_only_enabled', true, true),
};
