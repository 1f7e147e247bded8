import { TerraformOutput, Testing } from 'cdktf';
import { NatGateway } from '@cdktf/provider-azurerm/lib/nat-gateway';
import { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import { SubnetNatGatewayAssociation } from '@cdktf/provider-azurerm/lib/subnet-nat-gateway-association';
import { testScope } from '../../test/construct-helpers';
import { DeploymentAgents } from './deployment-agents';

function build() {
  const { stack, rg } = testScope();
  const agents = new DeploymentAgents(stack, 'Agents', {
    resourceGroup: rg,
    name: 'iot-prod',
    subnet: { id: '/subscriptions/s/.../subnets/deployment-agents', name: 'deployment-agents' },
  });
  return { stack, agents };
}

describe('DeploymentAgents', () => {
  it('gives the agents subnet a NAT gateway with one static public address', () => {
    const { stack } = build();
    const out = Testing.synth(stack);
    expect(out).toHaveResourceWithProperties(PublicIp, {
      name: 'pip-iot-prod-agents',
      allocation_method: 'Static',
      sku: 'Standard',
    });
    expect(out).toHaveResourceWithProperties(NatGateway, {
      name: 'ng-iot-prod-agents',
      sku_name: 'Standard',
    });
    expect(out).toHaveResourceWithProperties(SubnetNatGatewayAssociation, {
      subnet_id: '/subscriptions/s/.../subnets/deployment-agents',
      nat_gateway_id: expect.stringMatching(/^\$\{azurerm_nat_gateway\.\w+\.id\}$/),
    });
    const assoc = JSON.parse(out).resource.azurerm_nat_gateway_public_ip_association;
    expect(Object.values(assoc)).toEqual([
      expect.objectContaining({
        nat_gateway_id: expect.stringMatching(/^\$\{azurerm_nat_gateway\.\w+\.id\}$/),
        public_ip_address_id: expect.stringMatching(/^\$\{azurerm_public_ip\.\w+\.id\}$/),
      }),
    ]);
  });

  it("adds the agents' address to a public API server's authorized ranges", () => {
    const { stack, agents } = build();
    const ranges = agents.authorizedRangesWith(['20.61.14.0/28']);
    new TerraformOutput(stack, 'ranges', { value: ranges });
    const resolved: unknown = JSON.parse(Testing.synth(stack)).output.ranges.value;
    expect(resolved).toMatch(
      /^\$\{concat\(\["\$\{azurerm_public_ip\.\w+\.ip_address\}\/32"\], \["20\.61\.14\.0\/28"\]\)\}$/,
    );
  });
});
