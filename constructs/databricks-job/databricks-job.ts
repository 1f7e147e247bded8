import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { Construct } from 'constructs';
import { AssetType, TerraformAsset } from 'cdktf';
import { Job } from '@cdktf/provider-databricks/lib/job';
import { SecretScope } from '@cdktf/provider-databricks/lib/secret-scope';
import { SecretAcl } from '@cdktf/provider-databricks/lib/secret-acl';
import { WorkspaceFile } from '@cdktf/provider-databricks/lib/workspace-file';
import { ValidationError, isUnresolved, validateName, validateRange } from '../core';

/** The job cluster a run gets: created for the run, deleted after it. */
export interface DatabricksJobClusterProps {
  /**
   * Databricks Runtime version key, e.g. `17.3.x-scala2.13` (an LTS). 16.1 or later lets Kafka
   * sources authenticate with a Unity Catalog service credential.
   */
  readonly sparkVersion: string;
  /** Azure VM size of driver and workers, e.g. `Standard_D4ds_v5`. */
  readonly nodeType: string;
  /**
   * A fixed number of workers (0 for a single-node cluster). Exclusive with `autoscale`.
   * @default - `autoscale` applies
   */
  readonly workers?: number;
  /** Workers between `minWorkers` and `maxWorkers` (Databricks' optimized autoscaling). */
  readonly autoscale?: { readonly minWorkers: number; readonly maxWorkers: number };
  /**
   * Run workers on Azure spot VMs (evicted under pressure; the driver stays on demand).
   * @default false - a streaming job keeps its workers
   */
  readonly spot?: boolean;
}

/** When runs start. */
export type DatabricksJobTrigger =
  | {
      /** Continuous: one run always active, restarted after a failure (streaming). */
      readonly continuous: true;
    }
  | {
      /** Quartz cron, e.g. `0 0 * * * ?` (hourly), with its time zone. */
      readonly schedule: { readonly quartzCron: string; readonly timezone?: string };
    };

/** An Azure Key Vault-backed secret scope. */
export interface KeyVaultSecretScopeProps {
  /** Scope name: letters, digits, dashes, underscores and periods, up to 128. */
  readonly name: string;
  /** The vault; the `AzureDatabricks` application needs `Key Vault Secrets User` on it. */
  readonly keyVault: { readonly id: string; readonly vaultUri: string };
}

/** Props of {@link DatabricksJob}. */
export interface DatabricksJobProps {
  /** Job name shown in the workspace. */
  readonly name: string;
  /** Local folder of the job's Python files; every `.py` below it is uploaded, tree kept. */
  readonly sourceDirectory: string;
  /** Entry file, relative to `sourceDirectory`, e.g. `telemetry_lakehouse.py`. */
  readonly entryFile: string;
  /** Workspace folder the files go to, e.g. `/Shared/iot/lakehouse`. */
  readonly workspaceDirectory: string;
  /** Command-line arguments of the entry file, in order (`--name`, `value`, …). */
  readonly parameters: string[];
  /**
   * Environment variables of the cluster's processes; values may be secret references
   * `{{secrets/<scope>/<key>}}`, resolved by Databricks at cluster start and never stored.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /** The job cluster. */
  readonly cluster: DatabricksJobClusterProps;
  /** Continuous or scheduled. */
  readonly trigger: DatabricksJobTrigger;
  /**
   * A Key Vault-backed secret scope the job reads (e.g. through `environment`).
   * @default - none
   */
  readonly secretScope?: KeyVaultSecretScopeProps;
  /**
   * Application id of a service principal the job runs as; it gets `READ` on the secret scope.
   * @default - the identity that deploys the job
   */
  readonly runAsServicePrincipal?: string;
  /**
   * Retries of a failed run (a continuous job retries by itself).
   * @default 3 for a scheduled job
   */
  readonly maxRetries?: number;
}

/**
 * A Databricks job with a job cluster that runs a Python file from the workspace: the files are
 * uploaded as workspace files from a local folder (synthesized as relative Terraform assets, so
 * the JSON names no machine's path), the cluster is typed (runtime, node type, fixed or
 * autoscaling workers, on-demand by default, single-user access mode for Unity Catalog), and
 * secrets come from an Azure Key Vault-backed secret scope.
 *
 * @example
 * new DatabricksJob(this, 'Lakehouse', {
 *   name: 'telemetry-lakehouse', sourceDirectory: 'data-science/jobs', entryFile: 'telemetry_lakehouse.py',
 *   workspaceDirectory: '/Shared/iot/lakehouse', parameters: ['--kafka-mode', 'hdinsight'],
 *   cluster: { sparkVersion: '17.3.x-scala2.13', nodeType: 'Standard_D4ds_v5', autoscale: { minWorkers: 1, maxWorkers: 4 } },
 *   trigger: { continuous: true },
 *   secretScope: { name: 'iot-platform', keyVault: platform.keyVault },
 *   environment: { KAFKA_TLS_CA_PEM: '{{secrets/iot-platform/kafka-ca-bundle}}' },
 * });
 */
export class DatabricksJob extends Construct {
  /** The `databricks_job`. */
  public readonly resource: Job;
  /** The workspace files by their path below `sourceDirectory` (POSIX separators). */
  public readonly files: ReadonlyMap<string, WorkspaceFile>;
  /** The secret scope, when one was asked for. */
  public readonly secretScope?: SecretScope;

  constructor(scope: Construct, id: string, props: DatabricksJobProps) {
    super(scope, id);
    const sources = this.validate(props);
    const dir = props.workspaceDirectory.replace(/\/+$/, '');

    const files = new Map<string, WorkspaceFile>();
    for (const rel of sources) {
      const asset = new TerraformAsset(this, `Asset-${rel}`, {
        path: join(props.sourceDirectory, ...rel.split('/')),
        type: AssetType.FILE,
      });
      files.set(
        rel,
        new WorkspaceFile(this, `File-${rel}`, { source: asset.path, path: `${dir}/${rel}` }),
      );
    }
    this.files = files;
    const entry = files.get(props.entryFile)!;

    if (props.secretScope) {
      this.secretScope = new SecretScope(this, 'SecretScope', {
        name: props.secretScope.name,
        keyvaultMetadata: {
          resourceId: props.secretScope.keyVault.id,
          dnsName: props.secretScope.keyVault.vaultUri,
        },
      });
      if (props.runAsServicePrincipal) {
        new SecretAcl(this, 'SecretScopeRead', {
          scope: this.secretScope.name,
          principal: props.runAsServicePrincipal,
          permission: 'READ',
        });
      }
    }

    const c = props.cluster;
    const continuous = 'continuous' in props.trigger;
    this.resource = new Job(this, 'Resource', {
      name: props.name,
      maxConcurrentRuns: 1,
      continuous: continuous ? { pauseStatus: 'UNPAUSED' } : undefined,
      schedule:
        'schedule' in props.trigger
          ? {
              quartzCronExpression: props.trigger.schedule.quartzCron,
              timezoneId: props.trigger.schedule.timezone ?? 'UTC',
              pauseStatus: 'UNPAUSED',
            }
          : undefined,
      runAs: props.runAsServicePrincipal
        ? { servicePrincipalName: props.runAsServicePrincipal }
        : undefined,
      jobCluster: [
        {
          jobClusterKey: 'main',
          newCluster: {
            sparkVersion: c.sparkVersion,
            nodeTypeId: c.nodeType,
            numWorkers: c.workers,
            autoscale: c.autoscale
              ? { minWorkers: c.autoscale.minWorkers, maxWorkers: c.autoscale.maxWorkers }
              : undefined,
            // single user (the job's run-as identity): Unity Catalog and streaming both work
            dataSecurityMode: 'SINGLE_USER',
            azureAttributes: {
              availability: c.spot ? 'SPOT_WITH_FALLBACK_AZURE' : 'ON_DEMAND_AZURE',
              firstOnDemand: 1,
            },
            sparkEnvVars: props.environment,
            customTags: { job: props.name },
          },
        },
      ],
      task: [
        {
          taskKey: 'main',
          jobClusterKey: 'main',
          maxRetries: continuous ? undefined : (props.maxRetries ?? 3),
          sparkPythonTask: {
            pythonFile: entry.workspacePath,
            source: 'WORKSPACE',
            parameters: props.parameters,
          },
        },
      ],
      // every uploaded module must be in place before a run imports it
      dependsOn: [...files.values(), ...(this.secretScope ? [this.secretScope] : [])],
    });
  }

  /** The `.py` files below `sourceDirectory` (POSIX paths), sorted, caches skipped. */
  private validate(props: DatabricksJobProps): string[] {
    validateName(this, 'name', props.name, {
      resource: 'databricks job',
      minLength: 1,
      maxLength: 100,
      pattern: /^[\w .-]+$/,
      patternDescription: 'letters, digits, spaces, underscores, periods and hyphens',
    });
    if (!/^\/[\w .@/-]+$/.test(props.workspaceDirectory)) {
      throw new ValidationError(
        this,
        'workspaceDirectory',
        props.workspaceDirectory,
        'an absolute workspace path such as "/Shared/iot/lakehouse"',
      );
    }
    if (!existsSync(props.sourceDirectory) || !statSync(props.sourceDirectory).isDirectory()) {
      throw new ValidationError(
        this,
        'sourceDirectory',
        props.sourceDirectory,
        'an existing folder holding the job files',
      );
    }
    const sources = pythonFiles(props.sourceDirectory);
    if (!sources.includes(props.entryFile)) {
      throw new ValidationError(
        this,
        'entryFile',
        props.entryFile,
        `a .py file below sourceDirectory: ${sources.join(', ') || 'none found'}`,
      );
    }
    const c = props.cluster;
    if ((c.workers === undefined) === (c.autoscale === undefined)) {
      throw new ValidationError(
        this,
        'cluster.workers',
        c.workers,
        'exactly one of cluster.workers and cluster.autoscale',
      );
    }
    validateRange(this, 'cluster.workers', c.workers, 0, 1000);
    if (c.autoscale) {
      validateRange(this, 'cluster.autoscale.minWorkers', c.autoscale.minWorkers, 1, 1000);
      validateRange(
        this,
        'cluster.autoscale.maxWorkers',
        c.autoscale.maxWorkers,
        c.autoscale.minWorkers,
        1000,
      );
    }
    if (!isUnresolved(c.sparkVersion) && !/^\d+\.\d+\.x-[\w.-]+$/.test(c.sparkVersion)) {
      throw new ValidationError(
        this,
        'cluster.sparkVersion',
        c.sparkVersion,
        'a runtime version key such as "17.3.x-scala2.13" (databricks clusters spark-versions)',
      );
    }
    if (
      'schedule' in props.trigger &&
      !/^\S+( \S+){5,6}$/.test(props.trigger.schedule.quartzCron)
    ) {
      throw new ValidationError(
        this,
        'trigger.schedule.quartzCron',
        props.trigger.schedule.quartzCron,
        'a quartz cron expression of 6 or 7 fields, e.g. "0 0 * * * ?"',
      );
    }
    validateRange(this, 'maxRetries', props.maxRetries, 0, 100);
    if (props.secretScope && !/^[\w.-]{1,128}$/.test(props.secretScope.name)) {
      throw new ValidationError(
        this,
        'secretScope.name',
        props.secretScope.name,
        'letters, digits, dashes, underscores and periods, up to 128 characters',
      );
    }
    return sources;
  }
}

function pythonFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === '__pycache__' || entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith('.py')) {
        out.push(relative(root, full).split(sep).join(posix.sep));
      }
    }
  };
  walk(root);
  return out.sort();
}
