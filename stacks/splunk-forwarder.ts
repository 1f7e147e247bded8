/**
 * The Splunk forwarder's part of the workloads stack: its deployment (the same hardened
 * {@link KubernetesWorkload} as the other services), the HEC token from Key Vault through the
 * Secrets Store CSI driver, and egress to exactly the HEC host and port (docs/adr/0015).
 */
import type { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import { ValidationError } from '../constructs/core';
import {
  FqdnEgressPolicy,
  KubernetesWorkload,
  SecretProviderClass,
} from '../constructs/kubernetes-workload';
import type { NetworkPeer } from '../constructs/kubernetes-workload';
import type { SplunkSettings } from './environments';

/** Port of the forwarder's /livez, /readyz and /metrics. */
export const SPLUNK_FORWARDER_PORT = 8083;
/** Its name: deployment, service account, consumer group and Kubernetes labels. */
export const SPLUNK_FORWARDER = 'splunk-forwarder';
/**
 * Key Vault secret holding the HEC token, set by an operator (`az keyvault secret set`): a
 * token is Splunk's to issue, and one set through Terraform would sit in its state.
 */
export const SPLUNK_HEC_TOKEN_SECRET_NAME = 'splunk-hec-token';
const SECRETS_MOUNT = '/mnt/secrets/splunk';
const TOKEN_FILE = 'hec-token';
const CA_FILE = 'ca.pem';

/** Splunk's index names: lower case, digits, `_` and `-`, not starting with `_` or `-`. */
const INDEX = /^[a-z0-9][a-z0-9_-]{0,79}$/;
/** Sources and source types: printable ASCII without spaces. */
const NAME = /^[\x21-\x7e]{1,256}$/;
const HOST = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** The HEC endpoint egress opens: the URL's host name and TCP port. */
export interface HecEndpoint {
  readonly host: string;
  readonly port: number;
}

/**
 * Checks `workloads.splunk` and returns the HEC endpoint: an https base URL on a DNS name
 * (egress is opened by name), no credentials, query or collector path.
 * @throws ValidationError naming the setting, the value and what is allowed.
 */
export function splunkHecEndpoint(scope: Construct, settings: SplunkSettings): HecEndpoint {
  const prop = 'workloads.splunk';
  let url: URL | undefined;
  try {
    url = new URL(settings.hecUrl);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== 'https:' || !HOST.test(url.hostname)) {
    throw new ValidationError(
      scope,
      `${prop}.hecUrl`,
      settings.hecUrl,
      'an https:// URL on a lower-case DNS name, e.g. https://hec.splunk.example.org:8088 (egress opens only TLS to the named host)',
    );
  }
  if (url.username || url.password) {
    throw new ValidationError(
      scope,
      `${prop}.hecUrl`,
      '(credentials redacted)',
      'a URL without user info; the token comes from Key Vault',
    );
  }
  if (url.search || url.hash || /\/services\/collector/.test(url.pathname)) {
    throw new ValidationError(
      scope,
      `${prop}.hecUrl`,
      settings.hecUrl,
      'the base URL, without query or fragment; the forwarder appends /services/collector/event',
    );
  }
  if (!INDEX.test(settings.index)) {
    throw new ValidationError(
      scope,
      `${prop}.index`,
      settings.index,
      'a Splunk index name: lower-case letters, digits, "_" and "-", not starting with "_" or "-", at most 80 characters',
    );
  }
  for (const key of ['source', 'sourcetype', 'alertSourcetype'] as const) {
    const v = settings[key];
    if (v !== undefined && !NAME.test(v)) {
      throw new ValidationError(
        scope,
        `${prop}.${key}`,
        v,
        '1-256 printable ASCII characters without spaces',
      );
    }
  }
  return { host: url.hostname, port: url.port === '' ? 443 : Number(url.port) };
}

/** Props of {@link addSplunkForwarder}: what the workloads stack already has at hand. */
export interface SplunkForwarderProps {
  readonly settings: SplunkSettings;
  readonly namespace: string;
  readonly mesh: boolean;
  /** The image reference (pinned by digest). */
  readonly image: string;
  /** Client id of the forwarder's managed identity (federated with its service account). */
  readonly identityClientId: string;
  readonly keyVaultName: string;
  readonly tenantId: string;
  /** KAFKA_* settings every service gets. */
  readonly kafkaEnv: Record<string, string>;
  /** The brokers (HDInsight subnet or the Event Hubs private endpoints) and their port. */
  readonly kafkaPeer: NetworkPeer;
  /**
   * The Key Vault secret of the HDInsight brokers' CA bundle, mounted beside the token.
   * @default - no CA (Event Hubs: public CA)
   */
  readonly kafkaCaSecretName?: string;
  readonly startsAfter?: ITerraformDependable[];
}

/**
 * Adds the forwarder to the workloads stack: a SecretProviderClass reading the HEC token (and
 * the Kafka CA on HDInsight) as the forwarder's own identity, the deployment, and a
 * CiliumNetworkPolicy opening egress to the HEC host on the HEC port only.
 */
export function addSplunkForwarder(
  scope: Construct,
  props: SplunkForwarderProps,
): KubernetesWorkload {
  const { settings } = props;
  const hec = splunkHecEndpoint(scope, settings);
  const secrets = new SecretProviderClass(scope, 'SplunkForwarderSecrets', {
    namespace: props.namespace,
    name: `${SPLUNK_FORWARDER}-secrets`,
    keyVaultName: props.keyVaultName,
    tenantId: props.tenantId,
    workloadIdentityClientId: props.identityClientId,
    secrets: [
      {
        secretName: settings.tokenSecretName ?? SPLUNK_HEC_TOKEN_SECRET_NAME,
        fileName: TOKEN_FILE,
      },
      ...(props.kafkaCaSecretName
        ? [{ secretName: props.kafkaCaSecretName, fileName: CA_FILE }]
        : []),
    ],
  });
  const size = settings.forwarder;
  const workload = new KubernetesWorkload(scope, `Workload-${SPLUNK_FORWARDER}`, {
    namespace: props.namespace,
    name: SPLUNK_FORWARDER,
    image: props.image,
    port: SPLUNK_FORWARDER_PORT,
    replicas: size.replicas,
    maxReplicas: size.maxReplicas,
    resources: {
      cpuRequest: size.cpuRequest,
      memoryRequest: size.memoryRequest,
      memoryLimit: size.memoryLimit,
    },
    workloadIdentityClientId: props.identityClientId,
    env: {
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
      ...props.kafkaEnv,
      ...(props.kafkaCaSecretName ? { KAFKA_TLS_CA_FILE: `${SECRETS_MOUNT}/${CA_FILE}` } : {}),
      PORT: String(SPLUNK_FORWARDER_PORT),
      HOST: '0.0.0.0',
      CONSUMER_GROUP: SPLUNK_FORWARDER,
      SPLUNK_HEC_URL: settings.hecUrl,
      SPLUNK_HEC_TOKEN_FILE: `${SECRETS_MOUNT}/${TOKEN_FILE}`,
      SPLUNK_HEC_ACKS: String(settings.indexerAcknowledgement ?? true),
      SPLUNK_INDEX: settings.index,
      ...(settings.source ? { SPLUNK_SOURCE: settings.source } : {}),
      ...(settings.sourcetype ? { SPLUNK_SOURCETYPE: settings.sourcetype } : {}),
      ...(settings.alertSourcetype ? { SPLUNK_ALERT_SOURCETYPE: settings.alertSourcetype } : {}),
      AZURE_CLIENT_ID: props.identityClientId,
    },
    mesh: props.mesh,
    // nothing calls the forwarder; the monitoring agents scrape the sidecar's merged metrics
    metricsScrapedFrom: { namespace: 'kube-system' },
    allowEgressTo: [props.kafkaPeer],
    keyVaultSecrets: { secretProviderClass: secrets, mountPath: SECRETS_MOUNT },
    terminationGracePeriodSeconds: 45,
    startsAfter: props.startsAfter,
  });
  // KubernetesWorkload's host egress is TLS on 443; HEC usually listens on 8088.
  new FqdnEgressPolicy(scope, 'SplunkHecEgress', {
    namespace: props.namespace,
    name: `${SPLUNK_FORWARDER}-hec-egress`,
    podLabels: {
      'app.kubernetes.io/name': SPLUNK_FORWARDER,
      'app.kubernetes.io/part-of': 'iot-streaming',
    },
    hosts: [hec.host],
    port: hec.port,
  });
  return workload;
}
