import { Testing } from 'cdktf';
import { Construct } from 'constructs';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { testScope } from '../../test/construct-helpers';
import { addBrand, brandSymbol, hasBrand, isConstruct, isTerraformResource } from './brand';
import { grantId } from './grants';
import { Tags } from './tags';
import { Waivers } from './waivers';

/**
 * A second copy of `constructs`, `cdktf` and the azurerm provider bindings, as an app gets when
 * its `node_modules` holds its own copy beside the library's: `instanceof` against this file's
 * classes is false for everything made from it.
 */
function secondCopy(): { Construct: typeof Construct; ResourceGroup: typeof ResourceGroup } {
  let copy: { Construct: typeof Construct; ResourceGroup: typeof ResourceGroup } | undefined;
  jest.isolateModules(() => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    copy = {
      Construct: (require('constructs') as { Construct: typeof Construct }).Construct,
      ResourceGroup: (
        require('@cdktf/provider-azurerm/lib/resource-group') as {
          ResourceGroup: typeof ResourceGroup;
        }
      ).ResourceGroup,
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
  });
  if (!copy) throw new Error('isolateModules did not run');
  expect(copy.Construct).not.toBe(Construct);
  expect(copy.ResourceGroup).not.toBe(ResourceGroup);
  return copy;
}

describe('brands', () => {
  it('recognise a brand set by another copy of the library (the symbol is global)', () => {
    const other = {};
    addBrand(other, Symbol.for('iot-streaming-platform.Thing'));
    expect(hasBrand(other, brandSymbol('Thing'))).toBe(true);
    expect(hasBrand({}, brandSymbol('Thing'))).toBe(false);
    expect(hasBrand(null, brandSymbol('Thing'))).toBe(false);
    expect(Object.keys(other)).toEqual([]);
  });

  it('recognise constructs and resources of a second copy of constructs and cdktf', () => {
    const { stack } = testScope();
    const copy = secondCopy();
    const c = new copy.Construct(stack, 'Other');
    const rg = new copy.ResourceGroup(stack, 'Rg', { name: 'rg', location: 'westeurope' });
    expect(c instanceof Construct).toBe(false);
    expect(isConstruct(c)).toBe(true);
    expect(isTerraformResource(rg)).toBe(true);
    expect(isTerraformResource(c)).toBe(false);
  });
});

describe('across copies', () => {
  it('grant ids come from the construct path of a principal made by another copy', () => {
    const { stack } = testScope();
    const copy = secondCopy();
    const principal = Object.assign(new copy.Construct(stack, 'Identity'), { principalId: 'p' });
    // `instanceof` would have hashed the principal id instead of using the construct address.
    expect(grantId('AcrPull', stack, principal)).toBe(
      `AcrPull-${principal.node.addr.slice(0, 10)}`,
    );
  });

  it('tags reach resources made by another copy of cdktf', () => {
    const { stack } = testScope();
    const copy = secondCopy();
    Tags.add(stack, { env: 'dev' });
    new copy.ResourceGroup(stack, 'Rg', { name: 'rg', location: 'westeurope' });
    const synth = JSON.parse(Testing.synth(stack)) as {
      resource: { azurerm_resource_group: Record<string, { tags?: unknown }> };
    };
    expect(Object.values(synth.resource.azurerm_resource_group)[0].tags).toEqual({ env: 'dev' });
  });

  it('waivers target a resource made by another copy of cdktf, directly or as "Resource"', () => {
    const { stack } = testScope();
    const copy = secondCopy();
    const holder = new Construct(stack, 'Holder');
    const rg = new copy.ResourceGroup(holder, 'Resource', { name: 'rg', location: 'x' });
    const waiver = {
      rule: 'some-rule',
      reason: 'a reason long enough',
      owner: 'team',
      expires: '2099-01-01',
    };
    Waivers.of(holder).add(waiver);
    expect(Waivers.of(rg).list()).toEqual([waiver]);
  });
});
