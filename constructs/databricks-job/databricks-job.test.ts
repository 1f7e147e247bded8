import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { Job } from '@cdktf/provider-databricks/lib/job';
import { SecretScope } from '@cdktf/provider-databricks/lib/secret-scope';
import { SecretAcl } from '@cdktf/provider-databricks/lib/secret-acl';
import { ValidationError } from '../core';
import { DatabricksJob } from './databricks-job';
import type { DatabricksJobProps } from './databricks-job';
import { testScope } from '../../test/construct-helpers';

/** A job folder like data-science/jobs: an entry file, a package, a cache to skip. */
function jobFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dbx-job-'));
  writeFileSync(join(dir, 'entry.py'), 'print("hi")\n');
  mkdirSync(join(dir, 'pkg', '__pycache__'), { recursive: true });
  writeFileSync(join(dir, 'pkg', '__init__.py'), '');
  writeFileSync(join(dir, 'pkg', '__pycache__', 'x.cpython-311.pyc'), '');
  writeFileSync(join(dir, 'README.txt'), 'not uploaded');
  return dir;
}

const folder = jobFolder();

function make(props: Partial<DatabricksJobProps> = {}) {
  const { stack } = testScope();
  const job = new DatabricksJob(stack, 'Job', {
    name: 'telemetry-lakehouse',
    sourceDirectory: folder,
    entryFile: 'entry.py',
    workspaceDirectory: '/Shared/iot/lakehouse/',
    parameters: ['--kafka-mode', 'hdinsight'],
    cluster: {
      sparkVersion: '16.4.x-scala2.12',
      nodeType: 'Standard_D4ds_v5',
      autoscale: { minWorkers: 1, maxWorkers: 3 },
    },
    trigger: { continuous: true },
    ...props,
  });
  return { stack, job };
}

type Json = Record<string, Record<string, Record<string, Record<string, unknown>>>>;
const resources = (out: string, type: string) =>
  Object.values((JSON.parse(out) as Json).resource[type] ?? {});

describe('DatabricksJob', () => {
  it('uploads every python file below the folder as relative assets, keeping the tree', () => {
    const out = Testing.synth(make().stack);
    const files = resources(out, 'databricks_workspace_file');
    expect(files.map((f) => f.path).sort()).toEqual([
      '/Shared/iot/lakehouse/entry.py',
      '/Shared/iot/lakehouse/pkg/__init__.py',
    ]);
    for (const f of files) {
      expect(f.source).toMatch(/^assets\//);
      expect(String(f.source)).not.toContain(folder);
    }
    expect(out).not.toContain(folder);
  });

  it('runs the entry file from the workspace on a single-user, on-demand autoscaling job cluster, continuously', () => {
    const out = Testing.synth(make().stack);
    expect(out).toHaveResourceWithProperties(Job, {
      name: 'telemetry-lakehouse',
      max_concurrent_runs: 1,
      continuous: { pause_status: 'UNPAUSED' },
      job_cluster: [
        {
          job_cluster_key: 'main',
          new_cluster: expect.objectContaining({
            spark_version: '16.4.x-scala2.12',
            node_type_id: 'Standard_D4ds_v5',
            autoscale: { min_workers: 1, max_workers: 3 },
            data_security_mode: 'SINGLE_USER',
            azure_attributes: { availability: 'ON_DEMAND_AZURE', first_on_demand: 1 },
          }),
        },
      ],
      task: [
        expect.objectContaining({
          task_key: 'main',
          job_cluster_key: 'main',
          spark_python_task: {
            python_file: expect.stringMatching(
              /databricks_workspace_file\.Job_File-entrypy_\w+\.workspace_path/,
            ),
            source: 'WORKSPACE',
            parameters: ['--kafka-mode', 'hdinsight'],
          },
        }),
      ],
    });
    const job = resources(out, 'databricks_job')[0];
    expect(job.schedule).toBeUndefined();
    expect((job.depends_on as string[]).length).toBe(2);
  });

  it('schedules with a fixed cluster and retries, on spot workers when asked', () => {
    const out = Testing.synth(
      make({
        trigger: { schedule: { quartzCron: '0 0 * * * ?' } },
        cluster: {
          sparkVersion: '16.4.x-scala2.12',
          nodeType: 'Standard_D4ds_v5',
          workers: 2,
          spot: true,
        },
      }).stack,
    );
    expect(out).toHaveResourceWithProperties(Job, {
      schedule: {
        quartz_cron_expression: '0 0 * * * ?',
        timezone_id: 'UTC',
        pause_status: 'UNPAUSED',
      },
      task: [expect.objectContaining({ max_retries: 3 })],
      job_cluster: [
        {
          job_cluster_key: 'main',
          new_cluster: expect.objectContaining({
            num_workers: 2,
            azure_attributes: { availability: 'SPOT_WITH_FALLBACK_AZURE', first_on_demand: 1 },
          }),
        },
      ],
    });
  });

  it('reads secrets through a key vault-backed scope and secret references, and grants the run-as principal read', () => {
    const out = Testing.synth(
      make({
        secretScope: {
          name: 'iot-platform',
          keyVault: { id: 'kv-id', vaultUri: 'https://kv.vault.azure.net/' },
        },
        environment: { KAFKA_TLS_CA_PEM: '{{secrets/iot-platform/kafka-ca-bundle}}' },
        runAsServicePrincipal: '22222222-2222-2222-2222-222222222222',
      }).stack,
    );
    expect(out).toHaveResourceWithProperties(SecretScope, {
      name: 'iot-platform',
      keyvault_metadata: { resource_id: 'kv-id', dns_name: 'https://kv.vault.azure.net/' },
    });
    expect(out).toHaveResourceWithProperties(SecretAcl, {
      principal: '22222222-2222-2222-2222-222222222222',
      permission: 'READ',
    });
    expect(out).toHaveResourceWithProperties(Job, {
      run_as: { service_principal_name: '22222222-2222-2222-2222-222222222222' },
      job_cluster: [
        {
          job_cluster_key: 'main',
          new_cluster: expect.objectContaining({
            spark_env_vars: { KAFKA_TLS_CA_PEM: '{{secrets/iot-platform/kafka-ca-bundle}}' },
          }),
        },
      ],
    });
  });

  describe('validation', () => {
    const invalid = (props: Partial<DatabricksJobProps>, prop: string) => {
      let error: unknown;
      try {
        make(props);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).prop).toBe(prop);
    };
    const cluster = { sparkVersion: '16.4.x-scala2.12', nodeType: 'Standard_D4ds_v5' };
    it('rejects a missing folder and an entry file that is not in it', () => {
      invalid({ sourceDirectory: join(folder, 'nope') }, 'sourceDirectory');
      invalid({ entryFile: 'README.txt' }, 'entryFile');
    });
    it('rejects a relative workspace directory', () =>
      invalid({ workspaceDirectory: 'Shared/x' }, 'workspaceDirectory'));
    it('needs exactly one of workers and autoscale', () => {
      invalid({ cluster }, 'cluster.workers');
      invalid(
        { cluster: { ...cluster, workers: 1, autoscale: { minWorkers: 1, maxWorkers: 2 } } },
        'cluster.workers',
      );
    });
    it('rejects an autoscale range that shrinks', () =>
      invalid(
        { cluster: { ...cluster, autoscale: { minWorkers: 4, maxWorkers: 2 } } },
        'cluster.autoscale.maxWorkers',
      ));
    it('rejects a runtime that is not a version key', () =>
      invalid(
        { cluster: { ...cluster, sparkVersion: 'latest', workers: 1 } },
        'cluster.sparkVersion',
      ));
    it('rejects a cron that is not quartz', () =>
      invalid({ trigger: { schedule: { quartzCron: '@hourly' } } }, 'trigger.schedule.quartzCron'));
    it('rejects a secret scope name databricks does not allow', () =>
      invalid(
        { secretScope: { name: 'my scope', keyVault: { id: 'kv', vaultUri: 'https://kv/' } } },
        'secretScope.name',
      ));
  });
});
