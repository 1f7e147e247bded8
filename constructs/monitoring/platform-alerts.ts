import { Construct } from 'constructs';
import type { IResourceGroup } from '../core';
import { ValidationError, isUnresolved, validateName } from '../core';
import type { AlertSeverity, IActionGroup, IAlertScope, MetricAlertProps } from './alert-rules';
import { LogAlert, MetricAlert } from './alert-rules';
import type {
  IMonitoredCluster,
  ManagedPrometheus,
  PrometheusAlertRule,
} from './managed-prometheus';

/**
 * Alert thresholds of the platform. Each default is where the signal stops being noise for the
 * reference workloads; tune per environment.
 */
export interface PlatformAlertThresholds {
  /**
   * Share of ingest requests answered 5xx (503 included) over 5 minutes, 0–1.
   * @default 0.05 - one request in twenty failing is an outage for devices, not a blip
   */
  readonly ingestServerErrorRatio?: number;
  /**
   * Ingest requests per second refused with 503 because Cosmos DB or Kafka is unavailable.
   * @default 0.1 - about one refusal every ten seconds, sustained 5 minutes
   */
  readonly ingestDependencyRefusalsPerSecond?: number;
  /**
   * p95 seconds from ingest's answer to analysis' output (`analysis_ingest_to_analyzed_seconds`):
   * analysis' consumer lag on `telemetry.raw`, in time.
   * @default 30 - the design promises detection within seconds
   */
  readonly analysisLagSeconds?: number;
  /**
   * Processing's consumption rate as a share of analysis' production rate, below which
   * processing falls behind on `telemetry.analyzed` (its consumer lag grows), 0–1.
   * @default 0.8
   */
  readonly processingThroughputRatio?: number;
  /**
   * Messages a Kafka consumer group may lag behind on one trigger's topic, as KEDA's Kafka
   * scaler reads it (`keda_scaler_metrics_value`), sustained 10 minutes.
   * @default 10000 - ten times the ScaledObjects' lag per replica: scaling out has not caught up
   */
  readonly kafkaConsumerLagMessages?: number;
  /**
   * Messages dead-lettered in 15 minutes above which the alert fires.
   * @default 0 - every dead letter is a reading someone must look at
   */
  readonly deadLetterMessages?: number;
  /**
   * Container restarts per workload in 30 minutes above which the alert fires.
   * @default 3 - one restart is a deploy or an eviction; several are a crash loop
   */
  readonly podRestarts?: number;
  /**
   * Cosmos DB requests answered 429 in 5 minutes.
   * @default 10 - the SDK retries a few; sustained 429s mean ingest answers 503
   */
  readonly cosmosThrottledRequests?: number;
  /**
   * Cosmos DB normalized RU consumption (max over partitions), percent.
   * @default 90
   */
  readonly cosmosNormalizedRuPercent?: number;
  /**
   * PostgreSQL CPU percent (average over 15 minutes).
   * @default 80
   */
  readonly postgresCpuPercent?: number;
  /**
   * PostgreSQL memory percent (average over 15 minutes).
   * @default 90
   */
  readonly postgresMemoryPercent?: number;
  /**
   * PostgreSQL storage percent; the server turns read-only at 95%.
   * @default 85
   */
  readonly postgresStoragePercent?: number;
  /**
   * Redis server load percent; Microsoft recommends staying below 80.
   * @default 80
   */
  readonly redisServerLoadPercent?: number;
  /**
   * Redis used memory percent, before evictions start.
   * @default 85
   */
  readonly redisMemoryPercent?: number;
  /**
   * Event Hubs throttled requests in 5 minutes (throughput units exhausted).
   * @default 0 - any throttling slows ingest and the consumers
   */
  readonly eventHubsThrottledRequests?: number;
  /**
   * API Management requests whose backend (ingest) answered 5xx, in 5 minutes.
   * @default 10
   */
  readonly apiManagementBackendErrors?: number;
}

/** Props of {@link PlatformAlerts}. */
export interface PlatformAlertsProps {
  /** Resource group of the alert rules. */
  readonly resourceGroup: IResourceGroup;
  /**
   * Region of the log alerts.
   * @default - the resource group's location
   */
  readonly location?: string;
  /** Prefix of every rule name, e.g. `iot-dev`. */
  readonly namePrefix: string;
  /** The action group every alert notifies. */
  readonly actionGroup: IActionGroup;
  /** Log Analytics workspace with Container Insights data (log alerts run there). */
  readonly workspace: IAlertScope;
  /** The AKS cluster the workloads run on. */
  readonly cluster: IMonitoredCluster;
  /** Namespace of the workloads (pod restarts are counted there). */
  readonly workloadNamespace: string;
  /**
   * Managed Prometheus scraping the workloads; the workload rule groups go there.
   * @default - no Prometheus rules (only metric and log alerts)
   */
  readonly prometheus?: ManagedPrometheus;
  /**
   * Whether KEDA's operator is scraped (`PrometheusScrapeSettings` `kedaOperator`), so the
   * Prometheus rules can read each Kafka trigger's consumer lag in messages.
   * @default false - lag is judged from the workloads' own metrics only
   */
  readonly kedaConsumerLag?: boolean;
  /** Cosmos DB account. @default - no Cosmos DB alerts */
  readonly cosmos?: IAlertScope;
  /** PostgreSQL flexible server. @default - no PostgreSQL alerts */
  readonly postgres?: IAlertScope;
  /** Redis: Azure Managed Redis (`managed`) or classic Azure Cache for Redis. @default - no Redis alerts */
  readonly redis?: IAlertScope & { readonly flavor: 'managed' | 'classic' };
  /** Event Hubs namespace and the dead-letter event hub. @default - no Event Hubs alerts */
  readonly eventHubs?: IAlertScope & { readonly deadLetterTopic: string };
  /** HDInsight Kafka cluster and its broker count. @default - no HDInsight alerts */
  readonly hdinsight?: IAlertScope & { readonly workerCount: number };
  /** API Management in front of ingest. @default - no API Management alerts */
  readonly apiManagement?: IAlertScope;
  /** Thresholds. @default - each threshold's documented default */
  readonly thresholds?: PlatformAlertThresholds;
}

const DEFAULTS: Required<PlatformAlertThresholds> = {
  ingestServerErrorRatio: 0.05,
  ingestDependencyRefusalsPerSecond: 0.1,
  analysisLagSeconds: 30,
  processingThroughputRatio: 0.8,
  kafkaConsumerLagMessages: 10000,
  deadLetterMessages: 0,
  podRestarts: 3,
  cosmosThrottledRequests: 10,
  cosmosNormalizedRuPercent: 90,
  postgresCpuPercent: 80,
  postgresMemoryPercent: 90,
  postgresStoragePercent: 85,
  redisServerLoadPercent: 80,
  redisMemoryPercent: 85,
  eventHubsThrottledRequests: 0,
  apiManagementBackendErrors: 10,
};

const RATIOS: ReadonlyArray<keyof PlatformAlertThresholds> = [
  'ingestServerErrorRatio',
  'processingThroughputRatio',
];
const PERCENTS: ReadonlyArray<keyof PlatformAlertThresholds> = [
  'cosmosNormalizedRuPercent',
  'postgresCpuPercent',
  'postgresMemoryPercent',
  'postgresStoragePercent',
  'redisServerLoadPercent',
  'redisMemoryPercent',
];

/** The service label every reference workload puts on its metrics (`workloads/shared/metrics.ts`). */
const SERVICES = ['ingest', 'analysis', 'processing'] as const;

/** One metric alert of the set: its props less what every alert here shares, and a construct key. */
type MetricSpec = Omit<MetricAlertProps, 'name' | 'resourceGroup' | 'actionGroup'> & {
  readonly key: string;
};

/**
 * The alerts of the IoT streaming platform, all notifying one action group:
 * - metric alerts on the Azure resources' platform metrics (Cosmos DB 429s and RU saturation,
 *   PostgreSQL CPU/memory/storage, Redis server load and memory, Event Hubs throttling and
 *   dead-letter traffic, HDInsight brokers, API Management backend 5xx, AKS failed pods);
 * - a log alert on Container Insights for container restarts in the workload namespace;
 * - Prometheus rule groups on the metrics the workloads export (ingest 5xx ratio and 503
 *   refusals, analysis and processing consumer lag, dead letters, restarts, missing scrapes).
 *
 * @example
 * new PlatformAlerts(this, 'Alerts', {
 *   resourceGroup: rg, namePrefix: 'iot-dev', actionGroup: monitoring.actionGroup!,
 *   workspace: monitoring, cluster: aks, workloadNamespace: 'iot', prometheus,
 *   cosmos, postgres, redis: { id: redis.id, flavor: 'managed' },
 *   thresholds: { podRestarts: 5 },
 * });
 */
export class PlatformAlerts extends Construct {
  /** Every metric and log alert, by key (e.g. `cosmos-throttled`). */
  public readonly alerts = new Map<string, MetricAlert | LogAlert>();
  /** The thresholds in force (defaults filled in). */
  public readonly thresholds: Required<PlatformAlertThresholds>;
  private readonly props: PlatformAlertsProps;

  constructor(scope: Construct, id: string, props: PlatformAlertsProps) {
    super(scope, id);
    validateName(this, 'namePrefix', props.namePrefix, {
      resource: 'alert name prefix',
      minLength: 1,
      maxLength: 200,
      pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
      patternDescription: 'letters, digits, periods, hyphens and underscores',
    });
    this.thresholds = { ...DEFAULTS, ...definedOnly(props.thresholds ?? {}) };
    this.validateThresholds();
    if (props.hdinsight && !isUnresolved(props.hdinsight.workerCount)) {
      if (!Number.isInteger(props.hdinsight.workerCount) || props.hdinsight.workerCount < 1) {
        throw new ValidationError(
          this,
          'hdinsight.workerCount',
          props.hdinsight.workerCount,
          'a positive integer: the brokers the cluster runs',
        );
      }
    }
    this.props = props;

    for (const spec of this.metricSpecs()) this.addMetricAlert(spec);
    this.addPodRestartAlert();
    if (props.prometheus) this.addPrometheusRules(props.prometheus);
  }

  private validateThresholds(): void {
    for (const [key, value] of Object.entries(this.thresholds) as [
      keyof PlatformAlertThresholds,
      number,
    ][]) {
      if (isUnresolved(value)) continue;
      const prop = `thresholds.${key}`;
      if (RATIOS.includes(key)) {
        if (!(value > 0 && value <= 1)) {
          throw new ValidationError(this, prop, value, 'a ratio greater than 0 and at most 1');
        }
      } else if (PERCENTS.includes(key)) {
        if (!(value > 0 && value <= 100)) {
          throw new ValidationError(
            this,
            prop,
            value,
            'a percentage greater than 0 and at most 100',
          );
        }
      } else if (!(Number.isFinite(value) && value >= 0)) {
        throw new ValidationError(this, prop, value, 'a finite number of at least 0');
      }
    }
  }

  private metricSpecs(): MetricSpec[] {
    const p = this.props;
    const t = this.thresholds;
    const specs: MetricSpec[] = [
      {
        key: 'aks-pods-failed',
        scope: p.cluster,
        description: `pods in namespace ${p.workloadNamespace} are in phase Failed: look at kubectl describe pod and the workload logs`,
        severity: 2,
        metricNamespace: 'Microsoft.ContainerService/managedClusters',
        metricName: 'kube_pod_status_phase',
        aggregation: 'Average',
        operator: 'GreaterThan',
        threshold: 0,
        dimensions: [
          { name: 'phase', operator: 'Include', values: ['Failed'] },
          { name: 'namespace', operator: 'Include', values: [p.workloadNamespace] },
        ],
        windowSize: 'PT15M',
        frequency: 'PT5M',
      },
    ];
    if (p.cosmos) {
      specs.push(
        {
          key: 'cosmos-throttled',
          scope: p.cosmos,
          description:
            'Cosmos DB answers 429 (request rate too large): ingest writes are throttled and ingest answers 503; raise the autoscale maximum',
          severity: 1,
          metricNamespace: 'Microsoft.DocumentDB/databaseAccounts',
          metricName: 'TotalRequests',
          aggregation: 'Count',
          operator: 'GreaterThan',
          threshold: t.cosmosThrottledRequests,
          dimensions: [{ name: 'StatusCode', operator: 'Include', values: ['429'] }],
        },
        {
          key: 'cosmos-ru-saturated',
          scope: p.cosmos,
          description:
            'Cosmos DB normalized RU consumption is near 100% on some partition: throttling (429) follows; check hot partition keys and the autoscale maximum',
          severity: 2,
          metricNamespace: 'Microsoft.DocumentDB/databaseAccounts',
          metricName: 'NormalizedRUConsumption',
          aggregation: 'Maximum',
          operator: 'GreaterThan',
          threshold: t.cosmosNormalizedRuPercent,
          windowSize: 'PT15M',
          frequency: 'PT5M',
        },
      );
    }
    if (p.postgres) {
      const pg = (
        key: string,
        metricName: string,
        threshold: number,
        severity: AlertSeverity,
        what: string,
      ): MetricSpec => ({
        key,
        scope: p.postgres!,
        description: what,
        severity,
        metricNamespace: 'Microsoft.DBforPostgreSQL/flexibleServers',
        metricName,
        aggregation: 'Average',
        operator: 'GreaterThan',
        threshold,
        windowSize: 'PT15M',
        frequency: 'PT5M',
      });
      specs.push(
        pg(
          'postgres-cpu',
          'cpu_percent',
          t.postgresCpuPercent,
          2,
          'PostgreSQL CPU is saturated: processing batches slow down and its consumer lag grows; scale the SKU or look at slow queries',
        ),
        pg(
          'postgres-memory',
          'memory_percent',
          t.postgresMemoryPercent,
          2,
          'PostgreSQL memory is saturated: check connections (processing and web pools) and the SKU',
        ),
        pg(
          'postgres-storage',
          'storage_percent',
          t.postgresStoragePercent,
          1,
          'PostgreSQL storage is filling: the server turns read-only at 95%; grow storage or prune results',
        ),
      );
    }
    if (p.redis) {
      const ns =
        p.redis.flavor === 'managed' ? 'Microsoft.Cache/redisEnterprise' : 'Microsoft.Cache/redis';
      // Managed Redis publishes these metrics at a 5-minute grain: shorter windows never evaluate.
      const redis = (
        key: string,
        metricName: string,
        threshold: number,
        what: string,
      ): MetricSpec => ({
        key,
        scope: p.redis!,
        description: what,
        severity: 2,
        metricNamespace: ns,
        metricName,
        aggregation: 'Maximum',
        operator: 'GreaterThan',
        threshold,
        windowSize: 'PT15M',
        frequency: 'PT5M',
      });
      specs.push(
        redis(
          'redis-server-load',
          'serverLoad',
          t.redisServerLoadPercent,
          'Redis server load is high: commands queue and the dashboard falls back to PostgreSQL; scale the SKU',
        ),
        redis(
          'redis-memory',
          'usedmemorypercentage',
          t.redisMemoryPercent,
          'Redis memory is nearly full: keys are evicted next; scale the SKU or shorten TTLs',
        ),
      );
    }
    if (p.eventHubs) {
      const eh = 'Microsoft.EventHub/namespaces';
      specs.push(
        {
          key: 'eventhubs-throttled',
          scope: p.eventHubs,
          description:
            'Event Hubs throttles requests: throughput units are exhausted, ingest and the consumers slow down; raise capacity or auto-inflate',
          severity: 1,
          metricNamespace: eh,
          metricName: 'ThrottledRequests',
          aggregation: 'Total',
          operator: 'GreaterThan',
          threshold: t.eventHubsThrottledRequests,
        },
        {
          key: 'deadletter-growth',
          scope: p.eventHubs,
          description: `messages arrive on ${p.eventHubs.deadLetterTopic}: analysis could not process them; read them with their reason`,
          severity: 2,
          metricNamespace: eh,
          metricName: 'IncomingMessages',
          aggregation: 'Total',
          operator: 'GreaterThan',
          threshold: t.deadLetterMessages,
          dimensions: [
            { name: 'EntityName', operator: 'Include', values: [p.eventHubs.deadLetterTopic] },
          ],
          windowSize: 'PT15M',
          frequency: 'PT5M',
        },
      );
    }
    if (p.hdinsight) {
      specs.push({
        key: 'hdinsight-brokers',
        scope: p.hdinsight,
        description:
          'HDInsight Kafka runs fewer brokers than deployed: partitions lose replicas; check Ambari',
        severity: 1,
        metricNamespace: 'Microsoft.HDInsight/clusters',
        metricName: 'NumActiveWorkers',
        aggregation: 'Minimum',
        operator: 'LessThan',
        threshold: p.hdinsight.workerCount,
        windowSize: 'PT15M',
        frequency: 'PT5M',
      });
    }
    if (p.apiManagement) {
      specs.push({
        key: 'apim-backend-5xx',
        scope: p.apiManagement,
        description:
          'API Management gets 5xx from ingest (or cannot reach it): devices are refused; look at ingest /readyz and the mesh gateway',
        severity: 1,
        metricNamespace: 'Microsoft.ApiManagement/service',
        metricName: 'Requests',
        aggregation: 'Total',
        operator: 'GreaterThan',
        threshold: t.apiManagementBackendErrors,
        dimensions: [{ name: 'BackendResponseCodeCategory', operator: 'Include', values: ['5xx'] }],
      });
    }
    return specs;
  }

  private addMetricAlert(spec: MetricSpec): void {
    const { key, scope, ...rest } = spec;
    this.alerts.set(
      key,
      new MetricAlert(this, `Metric-${key}`, {
        ...rest,
        name: `${this.props.namePrefix}-${key}`,
        resourceGroup: this.props.resourceGroup,
        scope,
        actionGroup: this.props.actionGroup,
      }),
    );
  }

  private addPodRestartAlert(): void {
    const p = this.props;
    // ContainerRestartCount is cumulative per container: its growth within the window is the
    // number of restarts, summed per controller (deployment's replica set).
    const query = [
      'KubePodInventory',
      `| where ClusterId =~ "${p.cluster.id}"`,
      `| where Namespace == "${p.workloadNamespace}"`,
      '| summarize restarts = max(ContainerRestartCount) - min(ContainerRestartCount) by Name, ContainerName, ControllerName',
      '| summarize restarts = sum(restarts) by ControllerName',
    ].join('\n');
    this.alerts.set(
      'pod-restarts',
      new LogAlert(this, 'Log-pod-restarts', {
        name: `${p.namePrefix}-pod-restarts`,
        resourceGroup: p.resourceGroup,
        location: p.location,
        scope: p.workspace,
        actionGroup: p.actionGroup,
        severity: 2,
        description: `containers in namespace ${p.workloadNamespace} restart repeatedly (crash loop, OOM kill or failing liveness probe): look at the previous container's logs`,
        query,
        aggregation: 'Total',
        metricMeasureColumn: 'restarts',
        operator: 'GreaterThan',
        threshold: this.thresholds.podRestarts,
        dimensions: [{ name: 'ControllerName', operator: 'Include', values: ['*'] }],
        windowDuration: 'PT30M',
        evaluationFrequency: 'PT5M',
      }),
    );
  }

  private addPrometheusRules(prometheus: ManagedPrometheus): void {
    const t = this.thresholds;
    const ns = this.props.workloadNamespace;
    const rules: PrometheusAlertRule[] = [
      {
        alert: 'IngestServerErrors',
        expression: `sum(rate(http_requests_total{service="ingest",status=~"5.."}[5m])) / clamp_min(sum(rate(http_requests_total{service="ingest"}[5m])), 1e-9) > ${t.ingestServerErrorRatio}`,
        severity: 1,
        summary: 'ingest answers more than the allowed share of requests with 5xx',
        description:
          'devices are refused and retry; ingest_requests_refused_total by reason and ingest /readyz say which dependency is down',
      },
      {
        alert: 'IngestDependencyUnavailable',
        expression: `sum by (reason) (rate(ingest_requests_refused_total{service="ingest",reason=~"dependency-.*"}[5m])) > ${t.ingestDependencyRefusalsPerSecond}`,
        severity: 1,
        summary: 'ingest refuses readings with 503 because Cosmos DB or Kafka is unavailable',
        description:
          'nothing was accepted for these requests; the reason label names the dependency',
      },
      {
        alert: 'AnalysisConsumerLag',
        expression: `histogram_quantile(0.95, sum by (le) (rate(analysis_ingest_to_analyzed_seconds_bucket{service="analysis"}[5m]))) > ${t.analysisLagSeconds}`,
        for: 'PT10M',
        severity: 2,
        summary:
          'analysis is behind telemetry.raw: p95 ingest-to-analyzed latency above the threshold',
        description:
          'consumer lag of group analysis; check analysis CPU, replicas (KEDA) and analysis_batch_seconds',
      },
      {
        alert: 'ProcessingConsumerLag',
        expression: `sum(rate(processing_readings_total{service="processing"}[10m])) < ${t.processingThroughputRatio} * sum(rate(analysis_readings_total{service="analysis"}[10m]))`,
        for: 'PT15M',
        severity: 2,
        summary:
          'processing consumes telemetry.analyzed slower than analysis produces it: its lag grows',
        description:
          'check processing_batch_duration_seconds, PostgreSQL saturation and processing replicas',
      },
      {
        alert: 'DeadLetterGrowth',
        expression: `sum(increase(analysis_deadletters_total{service="analysis"}[15m])) > ${t.deadLetterMessages}`,
        for: 'PT1M',
        severity: 2,
        summary: 'analysis dead-letters messages to telemetry.deadletter',
        description:
          'each dead letter carries its reason; read the topic with the operations group',
      },
      {
        alert: 'WorkloadPodRestarts',
        expression: `sum by (namespace, pod) (increase(kube_pod_container_status_restarts_total{namespace="${ns}"}[30m])) > ${t.podRestarts}`,
        for: 'PT1M',
        severity: 2,
        summary: `a pod in ${ns} restarts repeatedly`,
        description:
          'crash loop, OOM kill or failing liveness probe: read the previous container logs',
      },
      {
        alert: 'WorkloadMetricsMissing',
        expression: SERVICES.map((s) => `absent(process_start_time_seconds{service="${s}"})`).join(
          ' or ',
        ),
        for: 'PT10M',
        severity: 3,
        summary: 'a workload exports no metrics to managed Prometheus',
        description:
          'the service is down or not scraped: check its pods, the prometheus.io annotations and ama-metrics-settings-configmap',
      },
    ];
    if (this.props.kedaConsumerLag) {
      // KEDA names a Kafka trigger's metric s<index>-kafka-<topic>; the series carry the
      // ScaledObject's namespace and name.
      const lag = `keda_scaler_metrics_value{namespace="${ns}",metric=~"s[0-9]+-kafka-.*"}`;
      rules.push(
        {
          alert: 'KafkaConsumerLag',
          expression: `max by (scaledObject, metric) (${lag}) > ${t.kafkaConsumerLagMessages}`,
          for: 'PT10M',
          severity: 2,
          summary: 'a consumer group lags its topic by more messages than the threshold',
          description:
            'KEDA has scaled out and the lag still grows: check the consumer pods, their batch times and the backbone throttling alerts',
        },
        {
          alert: 'ConsumerLagMetricsMissing',
          expression: `absent(keda_scaler_metrics_value{namespace="${ns}"})`,
          for: 'PT15M',
          severity: 3,
          summary: 'KEDA reports no scaler metrics: consumer lag is not watched',
          description:
            'check the KEDA operator in kube-system and ama-metrics-prometheus-config (job keda-operator)',
        },
      );
    }
    prometheus.addRuleGroup({
      name: `${this.props.namePrefix}-workloads`,
      description: 'reference workloads: ingest errors, consumer lag, dead letters, restarts',
      actionGroup: this.props.actionGroup,
      rules,
    });
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
