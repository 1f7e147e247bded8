#!/usr/bin/env node
// Runs one stage of azure-pipelines.yml on this machine, from the YAML itself:
//   node scripts/pipeline-stage.mjs Validate            run its script steps, in order
//   node scripts/pipeline-stage.mjs Validate --dry-run  list what would run
//   node scripts/pipeline-stage.mjs Validate --file other.yml
// `script:` and `bash:` steps run with bash (-e -o pipefail) from the repository root, with the
// job's and stage's literal variables and the step's `env:` in the environment. Azure Pipelines
// tasks (`task:`, `checkout:`) need an agent: they are listed as skipped. Conditions follow Azure's
// defaults: after a failed step only steps with `succeededOrFailed()` or `always()` run.
// Stage templates (`- template: path` under `stages:`) are expanded; a stage from a template with
// parameters (or with template expressions) cannot be run here and is an error, not something
// silently skipped; the other stages of such a pipeline still run.
// Exit codes: 0 every step passed, 1 a step failed, 2 bad usage or a pipeline it cannot run.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

class PipelineError extends Error {}

function readYaml(file) {
  if (!existsSync(file)) throw new PipelineError(`${relative(root, file)} does not exist`);
  try {
    return parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new PipelineError(`${relative(root, file)} is not YAML: ${e.message}`);
  }
}

function asArray(value, where) {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new PipelineError(`${where} must be a list`);
  return value;
}

/** The pipeline's stages with `- template:` entries expanded (paths relative to the including file). */
export function loadStages(file) {
  const doc = readYaml(file);
  if (!doc || typeof doc !== 'object') throw new PipelineError(`${relative(root, file)} is empty`);
  const out = [];
  for (const entry of asArray(doc.stages, `${relative(root, file)}: stages`)) {
    if (entry && typeof entry === 'object' && 'template' in entry) {
      if (entry.parameters !== undefined) {
        // Another stage (the Deploy stages) may use parameters: only running one is refused.
        out.push({ unsupported: `${entry.template}: template parameters are not supported here` });
        continue;
      }
      out.push(...loadStages(resolve(dirname(file), entry.template)));
    } else {
      out.push(entry);
    }
  }
  return out;
}

/** Literal variables of a stage or job (a mapping or a list of name/value), Azure macros left out. */
function literalVariables(variables, where) {
  const pairs =
    variables === undefined
      ? []
      : Array.isArray(variables)
        ? variables.map((v) => {
            if (!v || typeof v !== 'object' || !('name' in v)) {
              throw new PipelineError(
                `${where}: only name/value variables are supported, got ${JSON.stringify(v)}`,
              );
            }
            return [v.name, v.value];
          })
        : Object.entries(variables);
  const env = {};
  const skipped = [];
  for (const [name, value] of pairs) {
    const text = String(value);
    // $(Pipeline.Workspace) and friends exist only on an agent.
    if (/\$\(|\$\{\{|\$\[/.test(text)) skipped.push(name);
    // Azure exposes variables to scripts upper-cased, dots as underscores.
    else env[name.replace(/\./g, '_').toUpperCase()] = text;
  }
  return { env, skipped };
}

/** The steps of a stage, in order, as what would run: [{ kind, name, command?, env, condition }]. */
export function planStage(stages, stageName) {
  const stage = stages.find((s) => s && s.stage === stageName);
  const unsupported = stages.find((s) => s && s.unsupported);
  if (!stage && unsupported) throw new PipelineError(unsupported.unsupported);
  if (!stage) {
    const names = stages.map((s) => s?.stage).filter(Boolean);
    throw new PipelineError(
      `no stage ${JSON.stringify(stageName)}; the pipeline has ${names.join(', ') || 'none'}`,
    );
  }
  const stageVars = literalVariables(stage.variables, `stage ${stageName}`);
  const plan = [];
  for (const job of asArray(stage.jobs, `stage ${stageName}: jobs`)) {
    if (job && typeof job === 'object' && ('template' in job || 'deployment' in job)) {
      throw new PipelineError(
        `stage ${stageName}: job templates and deployment jobs are not supported here`,
      );
    }
    const jobVars = literalVariables(job.variables, `job ${job.job}`);
    for (const step of asArray(job.steps, `job ${job.job}: steps`)) {
      const command = step.script ?? step.bash;
      const name =
        step.displayName ??
        command ??
        step.task ??
        (step.checkout ? `checkout ${step.checkout}` : 'step');
      if (typeof command === 'string') {
        plan.push({
          kind: 'script',
          job: job.job,
          name,
          command,
          env: { ...stageVars.env, ...jobVars.env, ...(step.env ?? {}) },
          condition: step.condition ?? 'succeeded()',
          skippedVariables: [...stageVars.skipped, ...jobVars.skipped],
        });
      } else if (step.task || step.checkout) {
        plan.push({ kind: 'agent-only', job: job.job, name, task: step.task ?? 'checkout' });
      } else {
        throw new PipelineError(
          `job ${job.job}: a step this runner does not know: ${JSON.stringify(step)}`,
        );
      }
    }
  }
  return plan;
}

function main(argv) {
  const args = [...argv];
  const dryRun = args.includes('--dry-run');
  const fileAt = args.indexOf('--file');
  const file = resolve(
    process.env.INIT_CWD ?? process.cwd(),
    fileAt >= 0 ? (args[fileAt + 1] ?? '') : join(root, 'azure-pipelines.yml'),
  );
  const rest = args.filter(
    (a, i) => a !== '--dry-run' && (fileAt < 0 || (i !== fileAt && i !== fileAt + 1)),
  );
  if (rest.length !== 1 || rest[0].startsWith('-')) {
    throw new PipelineError(
      'usage: node scripts/pipeline-stage.mjs <stage> [--dry-run] [--file azure-pipelines.yml]',
    );
  }
  const plan = planStage(loadStages(file), rest[0]);
  let failed = false;
  for (const step of plan) {
    if (step.kind === 'agent-only') {
      console.log(`== ${step.name}: skipped (${step.task} runs on an Azure Pipelines agent only)`);
      continue;
    }
    const runs = !failed || /^(succeededOrFailed|always)\(\)$/.test(step.condition);
    if (!runs) {
      console.log(`== ${step.name}: skipped (an earlier step failed)`);
      continue;
    }
    if (dryRun) {
      console.log(`== ${step.name}: would run: ${step.command}`);
      continue;
    }
    const started = Date.now();
    console.log(`\n== ${step.name}: ${step.command}`);
    const r = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', step.command], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, ...step.env },
    });
    const ok = r.status === 0;
    if (!ok) failed = true;
    console.log(
      `== ${step.name}: ${ok ? 'ok' : `FAILED (exit ${r.status ?? r.signal})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  return failed ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exit(main(process.argv.slice(2)));
  } catch (e) {
    if (!(e instanceof PipelineError)) throw e;
    console.error(`pipeline-stage: ${e.message}`);
    process.exit(2);
  }
}
