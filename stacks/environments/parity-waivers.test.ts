// The Checkov-parity rules (issue 11) on the project's own four stacks: each finding is
// closed (PASS), honestly UNKNOWN until apply, or waived by the environment with an owner, a
// reason and an expiry; none fails unwaived. The workloads stack applies its own waivers.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Testing } from 'cdktf';
import { buildApp } from '../app';
import { azureIotPlatformPack, evaluateStacks, loadStacks, RuleSet } from '../../policies';
import type { Finding } from '../../policies';
import { dev } from './dev';
import { WorkloadsStack } from '../workloads-stack';
import { PlatformStack } from '../platform-stack';

const PARITY_RULES = [
  'kubernetes-cluster-api-server-restricted',
  'kubernetes-cluster-disk-encryption-set-attached',
  'cosmosdb-account-customer-managed-key',
  'storage-account-customer-managed-key',
  'linux-web-app-authentication-enabled',
  'linux-web-app-client-certificates-required',
  'linux-web-app-remote-debugging-disabled',
  'container-registry-content-trust-enabled',
  'container-registry-quarantine-enabled',
  'kubernetes-workload-image-pinned-by-digest',
  'cors-origins-not-wildcard',
];

function findings(): Finding[] {
  const dir = mkdtempSync(join(tmpdir(), 'parity-'));
  try {
    for (const { platform, workloads } of buildApp(Testing.app())) {
      for (const stack of [platform, workloads]) {
        mkdirSync(join(dir, stack.node.id));
        // toTerraform keeps the `//` metadata (waivers, construct paths) Testing.synth strips.
        writeFileSync(join(dir, stack.node.id, 'cdk.tf.json'), JSON.stringify(stack.toTerraform()));
      }
    }
    return evaluateStacks(loadStacks(dir), new RuleSet([azureIotPlatformPack])).flatMap(
      (r) => r.findings,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('Checkov-parity rules on the project stacks', () => {
  const all = findings().filter((f) => PARITY_RULES.includes(f.ruleId));

  it('judge every rule on some stack', () => {
    expect(new Set(all.map((f) => f.ruleId))).toEqual(new Set(PARITY_RULES));
  });

  it('leave no unwaived failure, and every waiver has an owner, a reason and an expiry', () => {
    expect(all.filter((f) => f.outcome === 'FAIL').map((f) => `${f.stack} ${f.ruleId}`)).toEqual(
      [],
    );
    for (const f of all.filter((x) => x.outcome === 'WAIVED')) {
      expect(f.waiver).toMatchObject({
        owner: 'platform-team',
        reason: expect.stringMatching(/.{60,}/),
        expires: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      });
    }
  });

  it('close what the stacks can: authentication, no remote debugging, no CORS wildcard', () => {
    for (const rule of [
      'linux-web-app-authentication-enabled',
      'linux-web-app-remote-debugging-disabled',
      'cors-origins-not-wildcard',
    ]) {
      const mine = all.filter((f) => f.ruleId === rule);
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.every((f) => f.outcome === 'PASS')).toBe(true);
    }
  });

  it('pass the digest rule on every workload of both workloads stacks without a waiver (issue 8)', () => {
    const images = all.filter((f) => f.ruleId === 'kubernetes-workload-image-pinned-by-digest');
    expect(images.filter((f) => f.stack.endsWith('-workloads')).length).toBe(images.length);
    expect(images.length).toBeGreaterThanOrEqual(9);
    expect(images.filter((f) => f.outcome !== 'PASS').map((f) => f.constructPath)).toEqual([]);
  });
});

describe('workloads stack waivers', () => {
  it('reject a path that names no construct of the workloads stack', () => {
    const app = Testing.app();
    const platform = new PlatformStack(app, 'iot-dev', dev);
    const env = {
      ...dev,
      workloads: {
        ...dev.workloads,
        waivers: [
          {
            path: 'Workload-nope/Resource',
            rule: 'x-rule',
            reason: 'a reason long enough',
            owner: 'platform-team',
            expires: '2027-01-01',
          },
        ],
      },
    };
    expect(() => new WorkloadsStack(app, 'iot-dev-workloads', env, platform.platform)).toThrow(
      /waivers\[x-rule\]\.path "Workload-nope\/Resource": no construct Workload-nope/,
    );
  });
});
