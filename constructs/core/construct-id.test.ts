import { testScope } from '../../test/construct-helpers';
import { CosmosAccount } from '../cosmos-account';
import { KeyVault } from '../key-vault';
import type { KeyVaultProps } from '../key-vault';
import { checkConstruct } from './construct-id';
import { ValidationError } from './errors';

function thrown(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw new Error(`expected a ValidationError, got ${String(e)}`);
  }
  throw new Error('expected a ValidationError');
}

describe('checkConstruct', () => {
  it('turns a reused construct id into a ValidationError naming the ids taken', () => {
    const { stack, rg } = testScope();
    const props = { name: 'kv-iot-test', resourceGroup: rg, tenantId: 't' };
    new KeyVault(stack, 'Vault', props);
    const err = thrown(() => new KeyVault(stack, 'Vault', { ...props, name: 'kv-iot-test2' }));
    expect(err).toMatchObject({ constructPath: 'test', prop: 'id', value: 'Vault' });
    expect(err.allowed).toMatch(/an id no other child of test has \(taken: .*Vault/);
  });

  it.each([
    ['missing', undefined],
    ['null', null],
    ['without a location', { id: 'x', name: 'rg' }],
  ])('turns a %s resourceGroup into a ValidationError, not a TypeError', (_, resourceGroup) => {
    const { stack } = testScope();
    const err = thrown(
      () =>
        new CosmosAccount(stack, 'Cosmos', {
          name: 'cosmos-iot-test',
          resourceGroup: resourceGroup as unknown as KeyVaultProps['resourceGroup'],
        }),
    );
    expect(err).toMatchObject({ constructPath: 'test/Cosmos', prop: 'resourceGroup' });
    expect(err.allowed).toMatch(/a resource group \(\{ id, name, location \}/);
  });

  it('rejects an id with a slash and returns a free id as it is', () => {
    const { stack } = testScope();
    expect(thrown(() => checkConstruct(stack, 'a/b'))).toMatchObject({ prop: 'id', value: 'a/b' });
    expect(checkConstruct(stack, 'Free')).toBe('Free');
  });
});
