import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOGUE_END, CATALOGUE_START, renderCatalogue } from '../catalogue';
import { azureIotPlatformPack } from './azure-iot-platform';

const rulesDir = join(__dirname, '..', 'rules');
const ruleFiles = ['azure', 'kubernetes', 'unjudged'].flatMap((d) =>
  readdirSync(join(rulesDir, d))
    .filter(
      (f) =>
        f.endsWith('.ts') &&
        !f.endsWith('.test.ts') &&
        !['workload.ts', 'rbac.ts', 'manifest.ts', 'reviewed-types.ts'].includes(f),
    )
    .map((f) => ({ dir: d, file: f })),
);
const testText = ['azure', 'kubernetes', 'unjudged']
  .flatMap((d) =>
    readdirSync(join(rulesDir, d))
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => readFileSync(join(rulesDir, d, f), 'utf8')),
  )
  .join('\n');

describe('azure-iot-platform pack', () => {
  it('has well over 60 rules', () => {
    expect(azureIotPlatformPack.rules.length).toBeGreaterThan(60);
  });

  it('includes every rule module, and each file is named for its rule id', () => {
    const ids = new Set(azureIotPlatformPack.rules.map((r) => r.rule.id));
    expect(ruleFiles.map((f) => f.file.replace(/\.ts$/, '')).filter((id) => !ids.has(id))).toEqual(
      [],
    );
    expect(ruleFiles).toHaveLength(ids.size);
  });

  it('tests every rule with at least one compliant and one non-compliant fixture', () => {
    const untested = azureIotPlatformPack.rules
      .map((r) => r.rule)
      .filter((rule) => {
        const file = ruleFiles.find((f) => f.file === `${rule.id}.ts`)!;
        const source = readFileSync(join(rulesDir, file.dir, file.file), 'utf8');
        const exported = /export const (\w+): Rule/.exec(source)![1];
        const call = new RegExp(
          `testRule\\(${exported}, \\{[\\s\\S]*?compliant: \\[[\\s\\S]*?nonCompliant: \\[\\s*\\S`,
        );
        return !call.test(testText);
      })
      .map((r) => r.id);
    expect(untested).toEqual([]);
  });

  it('covers every service the platform deploys', () => {
    const services = new Set(azureIotPlatformPack.rules.map((r) => r.service));
    for (const s of [
      'API Management',
      'AKS',
      'App Service',
      'Container Registry',
      'Cosmos DB',
      'Diagnostic settings',
      'Event Hubs',
      'HDInsight Kafka',
      'Key Vault',
      'Kubernetes',
      'Log Analytics',
      'Networking',
      'PostgreSQL',
      'Redis',
      'Storage',
    ]) {
      expect([...services]).toContain(s);
    }
  });

  it('keeps the rule catalogue in docs/policies.md up to date (run policies/scripts/write-catalogue.ts)', () => {
    const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'policies.md'), 'utf8');
    const section = doc
      .slice(doc.indexOf(CATALOGUE_START) + CATALOGUE_START.length, doc.indexOf(CATALOGUE_END))
      .trim();
    // Prettier pads Markdown tables; compare with padding collapsed.
    const flat = (s: string) => s.replace(/ +/g, ' ').replace(/-{2,}/g, '---');
    expect(flat(section)).toBe(flat(renderCatalogue([azureIotPlatformPack])));
  });
});
