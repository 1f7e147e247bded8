import { Construct } from 'constructs';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { ValidationError, isUnresolved, validateName } from '../core';
import { KUBERNETES_NAME } from './kubernetes-name';

/** One Key Vault secret written as a file into the pod. */
export interface KeyVaultSecretFile {
  /** Secret name in the vault. */
  readonly secretName: string;
  /**
   * File name under the mount path.
   * @default - the secret name
   */
  readonly fileName?: string;
}

/** Props of {@link SecretProviderClass}. */
export interface SecretProviderClassProps {
  /** Namespace of the pods that mount it. */
  readonly namespace: string;
  /** Name (DNS-1123 label). */
  readonly name: string;
  /** Vault name (not URI). */
  readonly keyVaultName: string;
  /** Entra tenant of the vault. */
  readonly tenantId: string;
  /**
   * Client id of the workload identity the CSI driver reads the vault as; the pod's service
   * account must be federated with it and the identity must hold Key Vault Secrets User.
   */
  readonly workloadIdentityClientId: string;
  /** Secrets to mount; at least one. */
  readonly secrets: KeyVaultSecretFile[];
  /**
   * Also sync the secrets into a Kubernetes secret of this name (key = file name), for
   * consumers that read secrets only from the API, such as KEDA's TriggerAuthentication. The
   * driver keeps it only while a pod mounts the volume.
   * @default - files only
   */
  readonly syncToSecret?: string;
}

/**
 * A Secrets Store CSI driver SecretProviderClass for the AKS Key Vault secrets provider add-on
 * (`provider: azure`) that reads the vault with workload identity (`clientID`, no
 * `usePodIdentity`, no node identity), so only pods running as that identity can mount it.
 * Mount it with {@link KubernetesWorkload}'s `keyVaultSecrets`.
 *
 * @example
 * new SecretProviderClass(this, 'KafkaCa', {
 *   namespace: 'iot', name: 'analysis-kafka-ca', keyVaultName: 'kv-iot-dev',
 *   tenantId, workloadIdentityClientId: analysisIdentity.clientId,
 *   secrets: [{ secretName: 'kafka-ca-bundle', fileName: 'ca.pem' }],
 * });
 */
export class SecretProviderClass extends Construct {
  /** Name of the SecretProviderClass. */
  public readonly name: string;
  /** The SecretProviderClass manifest. */
  public readonly resource: Manifest;

  constructor(scope: Construct, id: string, props: SecretProviderClassProps) {
    super(scope, id);
    validateName(this, 'name', props.name, KUBERNETES_NAME);
    if (props.secrets.length === 0) {
      throw new ValidationError(this, 'secrets', props.secrets, 'at least one secret');
    }
    for (const [i, s] of props.secrets.entries()) {
      if (!isUnresolved(s.secretName) && !/^[A-Za-z0-9-]{1,127}$/.test(s.secretName)) {
        throw new ValidationError(
          this,
          `secrets[${i}].secretName`,
          s.secretName,
          '1-127 letters, digits and hyphens (a Key Vault secret name)',
        );
      }
      if (s.fileName !== undefined && !/^[A-Za-z0-9._-]{1,253}$/.test(s.fileName)) {
        throw new ValidationError(
          this,
          `secrets[${i}].fileName`,
          s.fileName,
          'a plain file name: letters, digits, dots, underscores, hyphens',
        );
      }
    }
    if (props.syncToSecret !== undefined) {
      validateName(this, 'syncToSecret', props.syncToSecret, KUBERNETES_NAME);
    }
    this.name = props.name;
    // The provider takes `objects` as a YAML string holding an `array` of YAML strings.
    const objects = [
      'array:',
      ...props.secrets.map(
        (s) =>
          `  - |\n    objectName: ${s.secretName}\n    objectType: secret\n    objectAlias: ${s.fileName ?? s.secretName}`,
      ),
    ].join('\n');
    this.resource = new Manifest(this, 'Resource', {
      manifest: {
        apiVersion: 'secrets-store.csi.x-k8s.io/v1',
        kind: 'SecretProviderClass',
        metadata: { name: props.name, namespace: props.namespace },
        spec: {
          provider: 'azure',
          parameters: {
            usePodIdentity: 'false',
            clientID: props.workloadIdentityClientId,
            keyvaultName: props.keyVaultName,
            tenantId: props.tenantId,
            objects,
          },
          ...(props.syncToSecret
            ? {
                secretObjects: [
                  {
                    secretName: props.syncToSecret,
                    type: 'Opaque',
                    data: props.secrets.map((s) => ({
                      objectName: s.fileName ?? s.secretName,
                      key: s.fileName ?? s.secretName,
                    })),
                  },
                ],
              }
            : {}),
        },
      },
    });
  }
}
