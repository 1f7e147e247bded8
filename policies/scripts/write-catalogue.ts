/** Regenerates the rule catalogue section of docs/policies.md from the packs. */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { renderCatalogue, replaceCatalogue } from '../catalogue';
import { azureIotPlatformPack } from '../packs/azure-iot-platform';

const file = 'docs/policies.md';
writeFileSync(
  file,
  replaceCatalogue(readFileSync(file, 'utf8'), renderCatalogue([azureIotPlatformPack])),
);
// Format as the repository's Prettier would, so `npm run lint` stays clean.
execFileSync('npx', ['prettier', '--write', file], { stdio: 'ignore' });
console.log(`catalogue written to ${file}`);
