#!/usr/bin/env node
// Installs what the project needs on a fresh machine that has only Node 20 and npm.
//   node scripts/bootstrap.mjs            npm packages (npm ci when node_modules is missing or stale)
//   node scripts/bootstrap.mjs --engines  also the local engines the tests use (see scripts/engines)
// Only Node built-ins are used here: this runs before node_modules exists.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');

function npmIsStale() {
  if (!existsSync(installed)) return true;
  return statSync(lock).mtimeMs > statSync(installed).mtimeMs;
}

if (npmIsStale()) {
  console.log('bootstrap: installing npm packages (npm ci)');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
}

if (process.argv.includes('--engines')) {
  const engines = join(root, 'scripts', 'engines', 'install.mjs');
  if (existsSync(engines)) {
    execFileSync(process.execPath, [engines], { cwd: root, stdio: 'inherit' });
  }
}
