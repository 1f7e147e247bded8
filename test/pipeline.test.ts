// azure-pipelines.yml: valid against Azure Pipelines' published schema, every step it runs exists
// in this repository, and the local stage runner (scripts/pipeline-stage.mjs, which CI uses to run
// the Validate stage from the YAML) behaves as an agent would.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { Testing } from 'cdktf';
import { buildApp } from '../stacks/app';
import { environments } from '../stacks/environments';

const root = join(__dirname, '..');
/** The platform stacks as synthesized (names the pipeline passes must be theirs). */
const stackJson = new Map(
  buildApp(Testing.app()).map(({ platform }) => [
    platform.node.id,
    JSON.parse(JSON.stringify(platform.toTerraform())) as {
      resource: Record<string, Record<string, { name?: unknown }>>;
    },
  ]),
);
const runner = join(root, 'scripts', 'pipeline-stage.mjs');
const pipelineFiles = [
  'azure-pipelines.yml',
  ...readdirSync(join(root, 'pipelines'))
    .filter((f) => f.endsWith('.yml'))
    .map((f) => `pipelines/${f}`),
];
const load = (f: string) => parse(readFileSync(join(root, f), 'utf8')) as Record<string, unknown>;

interface Step {
  script?: string;
  bash?: string;
  task?: string;
  inputs?: { inlineScript?: string; scriptPath?: string };
}
interface Job {
  steps?: Step[];
  /** A deployment job's steps. */
  strategy?: { runOnce?: { deploy?: { steps?: Step[] } } };
}
/** What each step runs: script/bash text, and an Azure CLI task's inline script or script file. */
function scriptSteps(): string[] {
  return pipelineFiles.flatMap((f) =>
    ((load(f).stages as { jobs?: Job[] }[] | undefined) ?? []).flatMap((s) =>
      (s.jobs ?? []).flatMap((j) =>
        [...(j.steps ?? []), ...(j.strategy?.runOnce?.deploy?.steps ?? [])]
          .map((st) => st.script ?? st.bash ?? st.inputs?.inlineScript ?? st.inputs?.scriptPath)
          .filter((c): c is string => !!c),
      ),
    ),
  );
}

/** `true` / `false` in task inputs as booleans; everything else stays as the failsafe schema read it. */
function booleans(v: unknown, inInputs = false): unknown {
  if (inInputs && (v === 'true' || v === 'false')) return v === 'true';
  if (Array.isArray(v)) return v.map((x) => booleans(x, inInputs));
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [k, booleans(x, inInputs || k === 'inputs')]),
    );
  }
  return v;
}

/** Validates YAML text against Azure Pipelines' schema; returns the deepest error, if any. */
let validator: ReturnType<Ajv['compile']> | undefined;
function schemaCheck(text: string): { ok: boolean; deepest?: { path: string; message?: string } } {
  if (!validator) {
    const schemaPath = process.env.AZURE_PIPELINES_SCHEMA;
    if (!schemaPath) {
      throw new Error(
        'set AZURE_PIPELINES_SCHEMA to Azure Pipelines service-schema.json (CI: ../shared/tools/azure-pipelines/service-schema.json)',
      );
    }
    // The schema's patterns are ECMAScript regexps without the unicode flag (`\:` escapes).
    const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
    validator = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);
  }
  // Azure Pipelines reads every scalar as a string (the schema types them so): the YAML
  // failsafe schema parses the same way. Task inputs the schema types as booleans
  // (AzureCLI@2's addSpnToEnvironment) are the exception: true/false become booleans.
  const ok = validator(booleans(parse(text, { schema: 'failsafe' }))) as boolean;
  // oneOf/anyOf branches report many errors: the deepest path is the one that explains it.
  const e = [...(validator.errors ?? [])].sort(
    (a, b) => b.instancePath.length - a.instancePath.length,
  )[0];
  return ok ? { ok } : { ok, deepest: { path: e?.instancePath ?? '', message: e?.message } };
}

describe('azure-pipelines.yml', () => {
  it.each(pipelineFiles)('%s validates against the Azure Pipelines schema', (file) => {
    expect({ file, ...schemaCheck(readFileSync(join(root, file), 'utf8')) }).toEqual({
      file,
      ok: true,
    });
  });

  it('the schema check rejects what Azure Pipelines would', () => {
    const bad = [
      'stages:',
      '  - stage: A',
      '    jobs:',
      '      - job: j',
      '        steps:',
      '          - task: NodeTool@0',
      '            inputs: { nodeVersion: 20.x }',
    ].join('\n');
    const r = schemaCheck(bad);
    expect(r.ok).toBe(false);
    expect(r.deepest?.path).toMatch(/^\/stages\/0\/jobs\/0\/steps\/0\/inputs/);
  });

  it('runs only npm scripts and files that exist', () => {
    const scripts = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    const steps = scriptSteps();
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps) {
      for (const m of step.matchAll(/\bnpm (?:run(?:-script)? (?:-s )?([\w:-]+)|(test)\b)/g)) {
        expect({ step, script: m[1] ?? m[2], exists: (m[1] ?? m[2])! in scripts }).toEqual({
          step,
          script: m[1] ?? m[2],
          exists: true,
        });
      }
      for (const m of step.matchAll(
        /\b((?:scripts|workloads|policies|stacks)\/[\w./-]+\.(?:mjs|ts|js|sh))/g,
      )) {
        expect({ step, file: m[1], exists: existsSync(join(root, m[1]!)) }).toEqual({
          step,
          file: m[1],
          exists: true,
        });
      }
    }
  });

  it('reads the Build and deploy stages: their scripts are among the steps checked', () => {
    const steps = scriptSteps().join('\n');
    for (const file of [
      'scripts/azure/build-images.sh',
      'scripts/azure/install-pipeline-tools.sh',
      'scripts/azure/deploy-stacks.sh',
      'scripts/azure/promote-images.sh',
    ]) {
      expect(steps).toContain(file);
    }
    // and the deploy script's own steps: the smoke test it runs exists
    expect(readFileSync(join(root, 'scripts/azure/deploy-stacks.sh'), 'utf8')).toContain(
      'npx tsx scripts/azure/smoke.ts',
    );
    expect(existsSync(join(root, 'scripts/azure/smoke.ts'))).toBe(true);
  });

  it('stops pull requests after Validate and gates each deployment by its environment', () => {
    const stages = [
      load('pipelines/build.yml'),
      load('pipelines/promote.yml'),
      load('pipelines/deploy.yml'),
    ].flatMap((d) => d.stages as { condition?: string; jobs: Record<string, unknown>[] }[]);
    for (const s of stages) {
      expect(s.condition).toBe("and(succeeded(), ne(variables['Build.Reason'], 'PullRequest'))");
    }
    const deploy = (load('pipelines/deploy.yml').stages as { jobs: Record<string, unknown>[] }[])[0]
      .jobs;
    const apply = deploy.find((j) => 'deployment' in j)!;
    expect(apply).toMatchObject({
      environment: 'iot-${{ parameters.environment }}',
      dependsOn: 'plan',
    });
    // the deployment job applies the saved plan of the plan job, never a fresh plan
    const inline = JSON.stringify(apply.strategy);
    expect(inline).toContain('deploy-stacks.sh apply-plan');
    expect(inline).not.toMatch(/terraform (plan|apply -auto-approve)|cdktf (synth|deploy)/);
    // one Azure CLI task per stack, platform, workloads, data in that order (a fresh token each)
    const applies = (
      (apply.strategy as { runOnce: { deploy: { steps: Step[] } } }).runOnce.deploy.steps ?? []
    )
      .map(
        (st) => /deploy-stacks\.sh apply-plan .* (\w+)$/m.exec(st.inputs?.inlineScript ?? '')?.[1],
      )
      .filter((x) => x !== undefined);
    expect(applies).toEqual(['platform', 'workloads', 'data']);
    // workload identity federation: the task exposes the federated token, no secret is passed
    expect(inline).toContain('"addSpnToEnvironment":true');
    expect(JSON.stringify(load('pipelines/deploy.yml'))).not.toMatch(
      /client_?secret|ARM_CLIENT_SECRET/i,
    );
  });

  it('promotes to prod by digest before Deploy prod, with the names the stacks give', () => {
    const stages = load('azure-pipelines.yml').stages as {
      template: string;
      parameters?: Record<string, unknown>;
    }[];
    const order = stages.map((s) =>
      s.template === 'pipelines/validate.yml' || s.template === 'pipelines/build.yml'
        ? s.template
        : `${s.template} ${String(s.parameters?.environment)}`,
    );
    expect(order).toEqual([
      'pipelines/validate.yml',
      'pipelines/build.yml',
      'pipelines/deploy.yml dev',
      'pipelines/promote.yml prod',
      'pipelines/deploy.yml prod',
    ]);
    const promote = stages[3]!.parameters!;
    expect(promote).toMatchObject({ from: 'dev', dependsOn: ['Build', 'Deploy_dev'] });
    expect(stages[4]!.parameters!.dependsOn).toEqual(['Build', 'Promote_prod']);
    // every environment that promotes is promoted into, from the environment it names
    for (const env of environments.filter((e) => e.delivery.promoteFrom)) {
      expect(
        stages.find(
          (s) => s.template === 'pipelines/promote.yml' && s.parameters?.environment === env.name,
        )?.parameters?.from,
      ).toBe(env.delivery.promoteFrom);
    }
    // the registry and vault names are the ones the platform stacks create
    const names = (env: string, type: string) => {
      const json = stackJson.get(`iot-${env}`)!;
      return Object.values(json.resource[type]!).map((r) => r.name);
    };
    expect(names('dev', 'azurerm_container_registry')).toEqual([promote.sourceRegistry]);
    expect(names('prod', 'azurerm_container_registry')).toEqual([promote.registry]);
    expect(names('prod', 'azurerm_key_vault')).toEqual([promote.signingVault]);
    const build = (
      load('pipelines/build.yml').stages as { jobs: { variables: Record<string, string> }[] }[]
    )[0]!.jobs[0]!.variables;
    expect(names('dev', 'azurerm_container_registry')).toEqual([build.registry]);
    expect(names('dev', 'azurerm_key_vault')).toEqual([build.signingVault]);
    // the promotion signs in as prod's build (promotion) identity and runs the promote script
    const job = (load('pipelines/promote.yml').stages as { jobs: Job[] }[])[0]!.jobs[0]!;
    expect(JSON.stringify(job.steps)).toContain(
      '"azureSubscription":"iot-${{ parameters.environment }}-build"',
    );
    expect(JSON.stringify(job.steps)).toContain('"scriptPath":"scripts/azure/promote-images.sh"');
  });

  it('validates in the order the Delivery issue asks: install, tests, synth and gate, providers', () => {
    const r = spawnSync(process.execPath, [runner, 'Validate', '--dry-run'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    const commands = [...r.stdout.matchAll(/would run: (.+)$/gm)].map((m) => m[1]);
    expect(commands.map((c) => /npm (ci|test|run \w+)/.exec(c ?? '')?.[0] ?? 'engines')).toEqual([
      'npm ci',
      'engines',
      'npm test',
      'npm run synth',
      'npm run validate',
    ]);
    expect(r.stdout).toContain('PublishTestResults@2 runs on an Azure Pipelines agent only');
  });
});

describe('scripts/pipeline-stage.mjs', () => {
  function pipeline(yaml: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'pipeline-'));
    for (const [name, text] of Object.entries(yaml)) writeFileSync(join(dir, name), text);
    return dir;
  }
  function run(file: string, ...args: string[]) {
    return spawnSync(process.execPath, [runner, ...args, '--file', file], {
      cwd: root,
      encoding: 'utf8',
    });
  }

  it('runs script steps in order with variables, stops after a failure except always() steps', () => {
    const dir = pipeline({
      'p.yml': 'stages:\n  - template: stage.yml\n',
      'stage.yml': [
        'stages:',
        '  - stage: S',
        '    variables: { GREETING: hello, Build.Reason: Manual, LATER: $(Agent.OS) }',
        '    jobs:',
        '      - job: j',
        '        steps:',
        '          - task: NodeTool@0',
        `          - script: echo "$GREETING $BUILD_REASON [$LATER] $X" >> ${join('$OUT', 'log')}`,
        '            env: { X: step }',
        '          - script: exit 3',
        `          - script: echo skipped >> ${join('$OUT', 'log')}`,
        `          - bash: echo always >> ${join('$OUT', 'log')}`,
        '            condition: always()',
        '',
      ].join('\n'),
    });
    const r = spawnSync(process.execPath, [runner, 'S', '--file', join(dir, 'p.yml')], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, OUT: dir },
    });
    expect(r.status).toBe(1);
    expect(readFileSync(join(dir, 'log'), 'utf8')).toBe('hello Manual [] step\nalways\n');
    expect(r.stdout).toContain('NodeTool@0 runs on an Azure Pipelines agent only');
    expect(r.stdout).toMatch(/FAILED \(exit 3\)/);
    expect(r.stdout).toContain('skipped (an earlier step failed)');
  });

  it.each([
    [
      'an unknown stage',
      'stages:\n  - stage: A\n    jobs: []\n',
      'B',
      /no stage "B"; the pipeline has A/,
    ],
    [
      'template parameters',
      'stages:\n  - template: x.yml\n    parameters: { a: 1 }\n',
      'A',
      /template parameters are not supported/,
    ],
    [
      'a missing template',
      'stages:\n  - template: nowhere.yml\n',
      'A',
      /nowhere\.yml does not exist/,
    ],
    [
      'a step it does not know',
      'stages:\n  - stage: A\n    jobs:\n      - job: j\n        steps:\n          - powershell: x\n',
      'A',
      /a step this runner does not know/,
    ],
  ])('exits 2 on %s', (_what, yaml, stage, message) => {
    const dir = pipeline({ 'p.yml': yaml });
    const r = run(join(dir, 'p.yml'), stage);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
