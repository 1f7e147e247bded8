import { spawnSync } from 'node:child_process';
import { Testing } from 'cdktf';
import { testScope } from '../../test/construct-helpers';
import { AKS_ISTIO_PROXY_IMAGE, MeshPodSecurityAdmission } from './mesh-pod-security';

interface Policy {
  spec: {
    variables: { name: string; expression: string }[];
    validations: { expression: string; message: string }[];
  };
}

function manifests(): { policy: Policy; binding: { spec: unknown } } {
  const { stack } = testScope();
  new MeshPodSecurityAdmission(stack, 'PodSecurity', { namespace: 'iot' });
  const json = JSON.parse(Testing.synth(stack)) as {
    resource: { kubernetes_manifest: Record<string, { manifest: { kind: string } }> };
  };
  const all = Object.values(json.resource.kubernetes_manifest).map((m) => m.manifest);
  return {
    policy: all.find((m) => m.kind === 'ValidatingAdmissionPolicy') as unknown as Policy,
    binding: all.find((m) => m.kind === 'ValidatingAdmissionPolicyBinding') as unknown as {
      spec: unknown;
    },
  };
}

/**
 * Evaluates the policy's CEL the way the API server does (variables first, then every
 * validation) with a real CEL implementation. It is an ES module, which jest's CommonJS
 * runtime cannot load, so it runs in a child node process.
 */
function admit(policy: Policy, pod: Record<string, unknown>): string[] {
  const script = `
    import { evaluate } from '@marcbachmann/cel-js';
    let input = '';
    process.stdin.on('data', (d) => (input += d));
    process.stdin.on('end', () => {
      const { policy, pod } = JSON.parse(input);
      const variables = {};
      for (const v of policy.spec.variables) variables[v.name] = evaluate(v.expression, { object: pod, variables });
      const denied = policy.spec.validations
        .filter((v) => evaluate(v.expression, { object: pod, variables }) !== true)
        .map((v) => v.message);
      process.stdout.write(JSON.stringify(denied));
    });`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    input: JSON.stringify({ policy, pod }),
    cwd: __dirname,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`cel evaluation failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as string[];
}

const proxy = `${AKS_ISTIO_PROXY_IMAGE}:1.29.1-distroless`;
/** A pod as the AKS add-on's injector leaves it (istio-init, native istio-proxy sidecar). */
function injectedPod(
  change: {
    app?: Record<string, unknown>;
    init?: Record<string, unknown>;
    spec?: Record<string, unknown>;
  } = {},
) {
  return {
    spec: {
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 1000,
        fsGroup: 1000,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      initContainers: [
        {
          name: 'istio-init',
          image: proxy,
          securityContext: {
            allowPrivilegeEscalation: false,
            privileged: false,
            readOnlyRootFilesystem: false,
            runAsNonRoot: false,
            runAsUser: 0,
            runAsGroup: 0,
            capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] },
          },
          ...change.init,
        },
        {
          name: 'istio-proxy',
          image: proxy,
          restartPolicy: 'Always',
          securityContext: {
            allowPrivilegeEscalation: false,
            privileged: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            runAsUser: 1337,
            runAsGroup: 1337,
            capabilities: { drop: ['ALL'] },
          },
        },
      ],
      containers: [
        {
          name: 'ingest',
          image: 'acr.azurecr.io/iot/ingest:1.0.0',
          securityContext: {
            allowPrivilegeEscalation: false,
            privileged: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ['ALL'] },
          },
          ...change.app,
        },
      ],
      volumes: [
        { name: 'tmp', emptyDir: {} },
        { name: 'istio-token', projected: { sources: [] } },
      ],
      ...change.spec,
    },
  };
}

describe('MeshPodSecurityAdmission', () => {
  const { policy, binding } = manifests();

  it('binds the policy to the namespace with Deny', () => {
    expect(binding.spec).toEqual({
      policyName: 'iot-restricted-except-mesh-init',
      validationActions: ['Deny'],
      matchResources: {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'iot' } },
      },
    });
  });

  it('admits a pod with the mesh injected and restricted app containers', () => {
    expect(admit(policy, injectedPod())).toEqual([]);
  });

  it.each([
    [
      'an app container that adds NET_ADMIN',
      {
        app: {
          securityContext: {
            allowPrivilegeEscalation: false,
            runAsNonRoot: true,
            capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] },
          },
        },
      },
      /drop ALL capabilities/,
    ],
    [
      'an app container running as root',
      {
        app: {
          securityContext: {
            allowPrivilegeEscalation: false,
            runAsUser: 0,
            capabilities: { drop: ['ALL'] },
          },
        },
      },
      /uid 0/,
    ],
    [
      'an app container that may escalate',
      { app: { securityContext: { runAsNonRoot: true, capabilities: { drop: ['ALL'] } } } },
      /allowPrivilegeEscalation=false/,
    ],
    [
      'an istio-init from another image',
      { init: { image: 'evil.example/istio/proxyv2:1.29.1' } },
      /drop ALL capabilities/,
    ],
    [
      'an istio-init that is privileged',
      {
        init: {
          securityContext: {
            privileged: true,
            allowPrivilegeEscalation: true,
            capabilities: { add: ['NET_ADMIN'] },
          },
        },
      },
      /privileged containers/,
    ],
    [
      'an istio-init that adds SYS_ADMIN',
      {
        init: {
          securityContext: {
            allowPrivilegeEscalation: false,
            capabilities: { add: ['NET_ADMIN', 'SYS_ADMIN'] },
          },
        },
      },
      /only NET_ADMIN and NET_RAW/,
    ],
    [
      'a hostPath volume',
      { spec: { volumes: [{ name: 'h', hostPath: { path: '/' } }] } },
      /volumes are limited/,
    ],
    ['host networking', { spec: { hostNetwork: true } }, /host namespaces/],
    [
      'an unconfined seccomp profile',
      { spec: { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'Unconfined' } } } },
      /seccomp/,
    ],
  ])('denies %s', (_what, change, message) => {
    const denied = admit(policy, injectedPod(change));
    expect(denied.some((m) => message.test(m))).toBe(true);
  });

  it('rejects a proxy image with a tag', () => {
    const { stack } = testScope();
    expect(
      () =>
        new MeshPodSecurityAdmission(stack, 'P', {
          namespace: 'iot',
          meshProxyImage: 'mcr.microsoft.com/oss/istio/proxyv2:1.29',
        }),
    ).toThrow(/invalid meshProxyImage .*without tag or digest/);
  });
});
