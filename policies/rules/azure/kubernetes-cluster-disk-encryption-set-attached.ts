import { expectSet } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Node OS and data disks are encrypted with a customer-managed key through a disk encryption set. */
export const kubernetesClusterDiskEncryptionSetAttached: Rule = {
  id: 'kubernetes-cluster-disk-encryption-set-attached',
  appliesTo: ['azurerm_kubernetes_cluster'],
  evaluate: (r) => expectSet(r, 'disk_encryption_set_id', 'a disk encryption set id'),
};
