import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigShapeError, jsonPath, readConfig } from './config';

const FIXTURES = join(__dirname, 'fixtures', 'shapes');
const read = (kind: 'valid' | 'invalid', name: string): unknown =>
  JSON.parse(readFileSync(join(FIXTURES, kind, `${name}.json`), 'utf8'));
const addresses = (json: unknown) =>
  readConfig(json).blocks.map((b) => `${b.mode === 'data' ? 'data.' : ''}${b.type}.${b.name}`);

/** Every malformed fixture, the JSON path its error names, and what the message says there. */
export const INVALID: Readonly<Record<string, readonly [string, RegExp]>> = {
  'root-string': ['$', /an object or an array of objects, got a string/],
  'root-null': ['$', /an object or an array of objects, got null/],
  'root-number': ['$', /got a number/],
  'root-array-of-strings': [
    '$[0]',
    /expected a Terraform configuration \(an object\), got a string/,
  ],
  'unknown-top-level-key': ['$.resources', /expected a top-level block type .*got "resources"/],
  'resource-empty-array': ['$.resource', /at least one resource type .*got an empty array/],
  'resource-empty-object': ['$.resource', /at least one resource type .*got an empty object/],
  'resource-null': ['$.resource', /resource blocks keyed by type: .*got null/],
  'resource-string': ['$.resource', /got a string/],
  'resource-array-of-strings': ['$.resource[0]', /got a string/],
  'type-null': ['$.resource.azurerm_storage_account', /keyed by name: .*got null/],
  'type-array-of-strings': ['$.resource.azurerm_storage_account[0]', /got a string/],
  'name-null': [
    '$.resource.azurerm_storage_account.sa',
    /an object or an array of objects, got null/,
  ],
  'name-string': [
    '$.resource.azurerm_storage_account.sa',
    /an object or an array of objects, got a string/,
  ],
  'name-empty-array': ['$.resource.azurerm_storage_account.sa', /got an empty array/],
  'name-array-of-strings': ['$.resource.azurerm_storage_account.sa[0]', /got a string/],
  'name-with-dash-string': ['$.resource.azurerm_storage_account["sa-1"]', /got a string/],
  'name-array-twice': ['$.resource.azurerm_storage_account.sa[1]', /declared twice/],
  'duplicate-across-array': [
    '$.resource[1].azurerm_storage_account.sa',
    /declared twice \(first at \$\.resource\[0\]\.azurerm_storage_account\.sa\)/,
  ],
  'data-body-null': ['$.data.azurerm_client_config.current', /got null/],
  'variable-string': ['$.variable.location', /got a string/],
  'locals-string': ['$.locals', /a locals block: .*got a string/],
};

describe('readConfig', () => {
  it('reads the object form', () => {
    expect(addresses(read('valid', 'object'))).toEqual(['azurerm_storage_account.sa']);
  });

  it.each([
    ['root-array', ['azurerm_storage_account.sa']],
    ['resource-array', ['azurerm_resource_group.rg', 'azurerm_storage_account.sa']],
    ['type-array', ['azurerm_storage_account.sa', 'azurerm_storage_account.other']],
    ['name-array', ['azurerm_storage_account.sa']],
    ['all-arrays', ['azurerm_storage_account.sa', 'data.azurerm_client_config.current']],
    ['nested-block-object', ['azurerm_storage_account.sa']],
  ])('reads every block of the array form %s', (name, expected) => {
    expect(addresses(read('valid', name))).toEqual(expected);
  });

  it('keeps the JSON path of each body for messages', () => {
    const [b] = readConfig(read('valid', 'all-arrays')).blocks;
    expect(b.path).toBe('$[1].resource[0].azurerm_storage_account[0].sa[0]');
    expect(b.body.min_tls_version).toBe('TLS1_0');
  });

  it('reads an empty configuration (an empty object or array) as no blocks', () => {
    expect(readConfig(read('valid', 'empty')).blocks).toEqual([]);
    expect(readConfig(read('valid', 'empty-root-array')).blocks).toEqual([]);
  });

  it('has a fixture for every malformed shape listed here, and the other way round', () => {
    const files = readdirSync(join(FIXTURES, 'invalid')).map((f) => f.replace(/\.json$/, ''));
    expect(files.sort()).toEqual(Object.keys(INVALID).sort());
  });

  it.each(Object.entries(INVALID))('rejects %s at its JSON path', (name, [path, problem]) => {
    let error: unknown;
    try {
      readConfig(read('invalid', name));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigShapeError);
    expect((error as ConfigShapeError).path).toBe(path);
    expect((error as ConfigShapeError).message).toMatch(problem);
    expect((error as ConfigShapeError).message.startsWith(`${path}: `)).toBe(true);
  });

  it('quotes keys that are not identifiers in JSON paths', () => {
    expect(jsonPath('$.resource', 'a-b')).toBe('$.resource["a-b"]');
    expect(jsonPath('$', 3)).toBe('$[3]');
  });
});
