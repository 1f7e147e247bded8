import { testRule } from '../../testing';
import { kubernetesClusterDiskEncryptionSetAttached } from './kubernetes-cluster-disk-encryption-set-attached';

const AKS = 'azurerm_kubernetes_cluster.aks';

testRule(kubernetesClusterDiskEncryptionSetAttached, {
  compliant: [
    { [AKS]: { disk_encryption_set_id: '${azurerm_disk_encryption_set.des.id}' } },
    {
      [AKS]: {
        disk_encryption_set_id:
          '/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/diskEncryptionSets/des',
      },
    },
  ],
  nonCompliant: [{ [AKS]: {} }, { [AKS]: { disk_encryption_set_id: '' } }],
  unknown: [{ [AKS]: { disk_encryption_set_id: '${var.des_id}' } }],
});
