import { Testing, TerraformStack } from 'cdktf';
import type { IResourceGroup } from '../constructs/core';

/**
 * A bare stack for construct unit tests plus a resource group literal, so a test synthesizes
 * only the construct under test.
 */
export function testScope(): { stack: TerraformStack; rg: IResourceGroup } {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  const rg: IResourceGroup = {
    id: '/subscriptions/s/resourceGroups/rg-test',
    name: 'rg-test',
    location: 'westeurope',
  };
  return { stack, rg };
}
