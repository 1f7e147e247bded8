import { Construct } from 'constructs';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { ValidationError, isUnresolved } from '../core';

/** Props of {@link PrometheusScrapeSettings}. */
export interface PrometheusScrapeSettingsProps {
  /**
   * Namespaces whose pods annotated `prometheus.io/scrape: "true"` the metrics add-on scrapes
   * (`prometheus.io/port`, `prometheus.io/path` and `prometheus.io/scheme` say where).
   */
  readonly podAnnotationNamespaces: string[];
  /**
   * Also scrape the AKS KEDA add-on's operator (`kube-system`, port 8080, `/metrics`), whose
   * `keda_scaler_metrics_value` carries the consumer lag each Kafka trigger reads. Adds the
   * add-on's custom scrape config (`ama-metrics-prometheus-config`).
   * @default false - only annotated pods
   */
  readonly kedaOperator?: boolean;
}

/**
 * The custom scrape job for the KEDA operator. The pod is selected by its `app` or
 * `app.kubernetes.io/name` label and scraped on the operator's documented metrics port; no
 * `namespace` target label is added, so the series keep the ScaledObject's own namespace.
 */
export const KEDA_OPERATOR_SCRAPE_CONFIG = [
  'scrape_configs:',
  '  - job_name: keda-operator',
  '    kubernetes_sd_configs:',
  '      - role: pod',
  '        namespaces:',
  '          names: [kube-system]',
  '    relabel_configs:',
  '      - source_labels: [__meta_kubernetes_pod_label_app, __meta_kubernetes_pod_label_app_kubernetes_io_name]',
  '        action: keep',
  "        regex: 'keda-operator;.*|.*;keda-operator'",
  '      - source_labels: [__meta_kubernetes_pod_ip]',
  '        target_label: __address__',
  "        replacement: '$1:8080'",
  '      - source_labels: [__meta_kubernetes_pod_name]',
  '        target_label: pod',
  '',
].join('\n');

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * The managed Prometheus add-on's settings (`ama-metrics-settings-configmap` in `kube-system`,
 * through the kubernetes provider): it turns on pod-annotation scraping for the given
 * namespaces, which the add-on leaves off by default. Every other setting (default targets
 * such as kube-state-metrics, 30-second intervals) keeps the add-on's default.
 *
 * @example
 * new PrometheusScrapeSettings(this, 'PrometheusScrape', { podAnnotationNamespaces: ['iot'] });
 */
export class PrometheusScrapeSettings extends Construct {
  /** The `kubernetes_config_map_v1`. */
  public readonly resource: ConfigMapV1;
  /** The namespace regex the add-on keeps annotated pods from. */
  public readonly namespaceRegex: string;
  /** The custom scrape config (`ama-metrics-prometheus-config`), when `kedaOperator` is on. */
  public readonly customScrapeConfig?: ConfigMapV1;

  constructor(scope: Construct, id: string, props: PrometheusScrapeSettingsProps) {
    super(scope, id);
    if (props.podAnnotationNamespaces.length === 0) {
      throw new ValidationError(
        this,
        'podAnnotationNamespaces',
        [],
        'at least one namespace: an empty list scrapes nothing and needs no settings',
      );
    }
    props.podAnnotationNamespaces.forEach((ns, i) => {
      if (!isUnresolved(ns) && !DNS_LABEL.test(ns)) {
        throw new ValidationError(
          this,
          `podAnnotationNamespaces[${i}]`,
          ns,
          'a kubernetes namespace name (lower-case letters, digits and hyphens, at most 63)',
        );
      }
    });
    // Namespace names hold no regex metacharacters; Prometheus anchors the relabel regex.
    this.namespaceRegex = [...new Set(props.podAnnotationNamespaces)].sort().join('|');
    this.resource = new ConfigMapV1(this, 'Resource', {
      metadata: {
        name: 'ama-metrics-settings-configmap',
        namespace: 'kube-system',
        labels: { 'app.kubernetes.io/managed-by': 'terraform' },
      },
      data: {
        'schema-version': 'v1',
        'config-version': 'ver1',
        'pod-annotation-based-scraping': `podannotationnamespaceregex = "${this.namespaceRegex}"`,
      },
    });
    if (props.kedaOperator) {
      this.customScrapeConfig = new ConfigMapV1(this, 'CustomScrapeConfig', {
        metadata: {
          name: 'ama-metrics-prometheus-config',
          namespace: 'kube-system',
          labels: { 'app.kubernetes.io/managed-by': 'terraform' },
        },
        data: { 'prometheus-config': KEDA_OPERATOR_SCRAPE_CONFIG },
      });
    }
  }
}
