import { Construct } from 'constructs';
import { Fn, Token } from 'cdktf';
import { NatGateway } from '@cdktf/provider-azurerm/lib/nat-gateway';
import { NatGatewayPublicIpAssociation } from '@cdktf/provider-azurerm/lib/nat-gateway-public-ip-association';
import { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import { SubnetNatGatewayAssociation } from '@cdktf/provider-azurerm/lib/subnet-nat-gateway-association';
import type { IResourceGroup, ISubnet } from '../core';

/** The subnet name of the deployment agents in the platform network. */
export const DEPLOYMENT_AGENTS_SUBNET = 'deployment-agents';

/**
 * Subnet delegation of Azure DevOps Managed DevOps Pools injected into a VNet: the pool takes the
 * subnet exclusively and its agents get addresses in it.
 */
export const MANAGED_DEVOPS_POOL_DELEGATION = {
  service: 'Microsoft.DevOpsInfrastructure/pools',
  actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'],
};

/** Props of {@link DeploymentAgents}. */
export interface DeploymentAgentsProps {
  readonly resourceGroup: IResourceGroup;
  /** Base of the resource names, e.g. `iot-prod` gives `ng-iot-prod-agents`. */
  readonly name: string;
  /** The agents' subnet (delegated to Managed DevOps Pools). */
  readonly subnet: ISubnet;
}

/**
 * Egress of the deployment agents that apply the workloads stack from inside the platform VNet:
 * a NAT gateway with one static public IP on the agents' subnet. Subnets have Azure's default
 * outbound access off, and the agents must reach Azure DevOps, Entra ID, ARM and the package
 * registries; the static address is also what a public API server authorizes for them.
 */
export class DeploymentAgents extends Construct {
  /** The agents' static outbound address. */
  public readonly publicIp: PublicIp;
  public readonly natGateway: NatGateway;

  constructor(scope: Construct, id: string, props: DeploymentAgentsProps) {
    super(scope, id);
    const rg = props.resourceGroup;
    // A NAT gateway is zonal or regional ("no zone"); a regional gateway takes a regional IP.
    this.publicIp = new PublicIp(this, 'PublicIp', {
      name: `pip-${props.name}-agents`,
      location: rg.location,
      resourceGroupName: rg.name,
      allocationMethod: 'Static',
      sku: 'Standard',
    });
    this.natGateway = new NatGateway(this, 'NatGateway', {
      name: `ng-${props.name}-agents`,
      location: rg.location,
      resourceGroupName: rg.name,
      skuName: 'Standard',
    });
    new NatGatewayPublicIpAssociation(this, 'PublicIpAssociation', {
      natGatewayId: this.natGateway.id,
      publicIpAddressId: this.publicIp.id,
    });
    new SubnetNatGatewayAssociation(this, 'SubnetAssociation', {
      subnetId: props.subnet.id,
      natGatewayId: this.natGateway.id,
    });
  }

  /**
   * The API server ranges of a public cluster with the agents' address added, so the agents can
   * apply the workloads stack wherever the other ranges come from (literals or a variable).
   */
  public authorizedRangesWith(ranges: readonly string[] | undefined): string[] {
    return Token.asList(Fn.concat([[`${this.publicIp.ipAddress}/32`], ranges ?? []]));
  }
}
