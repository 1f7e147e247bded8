import { expectSet } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** etcd secrets are encrypted with a Key Vault key (KMS plugin). */
export const kubernetesClusterSecretsEncryptedWithKms: Rule = {
  id: 'kubernetes-cluster-secrets-encrypted-with-kms',
  appliesTo: ['azurerm_kubernetes_cluster'],
  evaluate: (r) => expectSet(r, 'key_management_service.key_vault_key_id', 'a Key Vault key id'),
};
