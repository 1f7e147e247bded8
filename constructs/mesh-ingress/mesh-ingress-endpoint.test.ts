import { Testing } from 'cdktf';
import { KeyVaultCertificate } from '@cdktf/provider-azurerm/lib/key-vault-certificate';
import { PrivateDnsARecord } from '@cdktf/provider-azurerm/lib/private-dns-a-record';
import { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone';
import { PrivateDnsZoneVirtualNetworkLink } from '@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { testScope } from '../../test/construct-helpers';
import { MeshIngressEndpoint, firstUsableAddress } from './mesh-ingress-endpoint';
import type { MeshIngressEndpointProps } from './mesh-ingress-endpoint';
import { KeyVault } from '../key-vault';

const VAULT_ID = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-iot';

function make(props: Partial<MeshIngressEndpointProps> = {}) {
  const { stack, rg } = testScope();
  const endpoint = new MeshIngressEndpoint(stack, 'Endpoint', {
    resourceGroup: rg,
    zoneName: 'iot.dev.internal',
    hostLabel: 'ingest',
    virtualNetworks: { platform: { id: '/vnets/vnet-iot-dev', name: 'vnet-iot-dev' } },
    subnet: { id: '/vnets/vnet-iot-dev/subnets/mesh-ingress', name: 'mesh-ingress' },
    subnetPrefix: '10.40.4.80/28',
    keyVault: KeyVault.fromId(stack, 'Vault', { resourceId: VAULT_ID }),
    loadBalancerOperator: { principalId: 'aks-cp', principalType: 'ServicePrincipal' },
    certificateReader: { principalId: 'csi-addon', principalType: 'ServicePrincipal' },
    ...props,
  });
  return { stack, endpoint, out: () => Testing.synth(stack) };
}

describe('MeshIngressEndpoint', () => {
  it('resolves the host in a private zone linked to the callers vnet, at a fixed address', () => {
    const { endpoint, out } = make();
    const synth = out();
    expect(endpoint.fqdn).toBe('ingest.iot.dev.internal');
    expect(endpoint.url).toBe('https://ingest.iot.dev.internal');
    expect(endpoint.privateIpAddress).toBe('10.40.4.84');
    expect(synth).toHaveResourceWithProperties(PrivateDnsZone, { name: 'iot.dev.internal' });
    expect(synth).toHaveResourceWithProperties(PrivateDnsZoneVirtualNetworkLink, {
      name: 'link-platform',
      virtual_network_id: '/vnets/vnet-iot-dev',
      registration_enabled: false,
    });
    expect(synth).toHaveResourceWithProperties(PrivateDnsARecord, {
      name: 'ingest',
      records: ['10.40.4.84'],
      ttl: 300,
      zone_name: expect.stringMatching(/azurerm_private_dns_zone\.Endpoint_Zone_[0-9A-F]+\.name/),
    });
  });

  it('issues a self-signed tls certificate for exactly the host, pem, auto-renewed', () => {
    expect(make().out()).toHaveResourceWithProperties(KeyVaultCertificate, {
      name: 'tls-ingest-gateway',
      key_vault_id: VAULT_ID,
      certificate_policy: {
        issuer_parameters: { name: 'Self' },
        key_properties: { exportable: true, key_type: 'RSA', key_size: 2048, reuse_key: false },
        secret_properties: { content_type: 'application/x-pem-file' },
        x509_certificate_properties: {
          subject: 'CN=ingest.iot.dev.internal',
          subject_alternative_names: { dns_names: ['ingest.iot.dev.internal'] },
          key_usage: ['digitalSignature', 'keyEncipherment'],
          extended_key_usage: ['1.3.6.1.5.5.7.3.1'],
          validity_in_months: 12,
        },
        lifetime_action: [
          { action: { action_type: 'AutoRenew' }, trigger: { days_before_expiry: 30 } },
        ],
      },
    });
  });

  it('grants the load balancer subnet to aks and only the certificate secret to the gateway reader', () => {
    const synth = out();
    function out() {
      return make().out();
    }
    expect(synth).toHaveResourceWithProperties(RoleAssignment, {
      scope: '/vnets/vnet-iot-dev/subnets/mesh-ingress',
      role_definition_name: 'Network Contributor',
      principal_id: 'aks-cp',
    });
    expect(synth).toHaveResourceWithProperties(RoleAssignment, {
      scope: expect.stringMatching(
        /^\$\{replace\(azurerm_key_vault_certificate\.Endpoint_Certificate_[0-9A-F]+\.resource_manager_versionless_id, "\/certificates\/", "\/secrets\/"\)\}$/,
      ),
      role_definition_name: 'Key Vault Secrets User',
      principal_id: 'csi-addon',
    });
  });

  it('takes an explicit address inside the subnet', () => {
    const { endpoint } = make({ privateIpAddress: '10.40.4.90' });
    expect(endpoint.privateIpAddress).toBe('10.40.4.90');
  });

  it.each<[string, Partial<MeshIngressEndpointProps>, RegExp]>([
    ['zone', { zoneName: 'internal' }, /invalid zoneName "internal": a dns zone of at least two/],
    ['host', { hostLabel: 'In_gest' }, /invalid hostLabel "In_gest": one lower-case dns label/],
    ['vnets', { virtualNetworks: {} }, /invalid virtualNetworks \{\}: at least one vnet/],
    [
      'vnet key',
      { virtualNetworks: { 'a b': { id: 'v', name: 'v' } } },
      /invalid virtualNetworks "a b": keys of letters/,
    ],
    [
      'prefix size',
      { subnetPrefix: '10.40.4.80/30' },
      /invalid subnetPrefix "10.40.4.80\/30": a \/29 or larger/,
    ],
    [
      'address outside',
      { privateIpAddress: '10.40.5.4' },
      /invalid privateIpAddress "10.40.5.4": a usable address of 10.40.4.80\/28/,
    ],
    [
      'reserved address',
      { privateIpAddress: '10.40.4.81' },
      /invalid privateIpAddress "10.40.4.81": a usable address/,
    ],
    ['validity', { certificateValidityMonths: 1 }, /invalid certificateValidityMonths 1/],
  ])('rejects a bad %s', (_what, props, message) => {
    expect(() => make(props)).toThrow(message);
  });
});

describe('firstUsableAddress', () => {
  it('skips the four addresses azure reserves', () => {
    expect(firstUsableAddress('10.40.4.80/28')).toBe('10.40.4.84');
    expect(firstUsableAddress('10.50.255.0/24')).toBe('10.50.255.4');
  });
});
