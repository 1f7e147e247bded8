import { Construct } from 'constructs';
import { Fn } from 'cdktf';
import { KeyVaultCertificate } from '@cdktf/provider-azurerm/lib/key-vault-certificate';
import { PrivateDnsARecord } from '@cdktf/provider-azurerm/lib/private-dns-a-record';
import { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone';
import { PrivateDnsZoneVirtualNetworkLink } from '@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link';
import type { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import type { IPrincipal, IResourceGroup, ISubnet, IVirtualNetwork } from '../core';
import {
  ValidationError,
  cidrContains,
  grantRole,
  isUnresolved,
  parseCidr,
  validateCidr,
  validateName,
  validateRange,
} from '../core';
import type { IKeyVault } from '../key-vault';
import type { IMeshIngressEndpoint } from './mesh-ingress-route';

/** Props of {@link MeshIngressEndpoint}. */
export interface MeshIngressEndpointProps {
  /** Resource group of the DNS zone. */
  readonly resourceGroup: IResourceGroup;
  /** Private DNS zone the host lives in, e.g. `iot.dev.internal`; created and owned here. */
  readonly zoneName: string;
  /** Host label in the zone, e.g. `ingest` for `ingest.iot.dev.internal`. */
  readonly hostLabel: string;
  /**
   * VNets that resolve the zone, keyed by a stable name (the link's construct id and name): the
   * one API Management is injected into, at least.
   */
  readonly virtualNetworks: Readonly<Record<string, IVirtualNetwork>>;
  /**
   * Subnet reserved for the gateway's internal load balancer frontend (nothing else allocates
   * from it, so the fixed address can never be taken by a node).
   */
  readonly subnet: ISubnet;
  /** The subnet's address prefix, e.g. `10.40.4.80/28`. */
  readonly subnetPrefix: string;
  /**
   * Fixed private address of the load balancer frontend, inside `subnetPrefix`.
   * @default - the subnet's first usable address (Azure reserves the first four)
   */
  readonly privateIpAddress?: string;
  /** Vault that issues and stores the host's TLS certificate. */
  readonly keyVault: IKeyVault;
  /**
   * Name of the certificate in the vault.
   * @default - `tls-<hostLabel>-gateway`
   */
  readonly certificateName?: string;
  /**
   * Validity of the self-signed certificate; Key Vault renews it 30 days before expiry.
   * @default 12
   */
  readonly certificateValidityMonths?: number;
  /**
   * Identity that creates the load balancer frontend in `subnet` (the AKS control plane): it
   * gets `Network Contributor` on the subnet.
   */
  readonly loadBalancerOperator: IPrincipal;
  /**
   * Identity that reads the certificate with its private key for the gateway (the AKS Key
   * Vault secrets provider add-on): it gets `Key Vault Secrets User` on this certificate's
   * secret only, not on the vault.
   */
  readonly certificateReader: IPrincipal;
  /**
   * Identities that must hold their vault role before the certificate is created (e.g. the
   * deployer's `Key Vault Certificates Officer` assignment).
   * @default - none
   */
  readonly certificateDependsOn?: RoleAssignment[];
  /**
   * TTL of the A record in seconds.
   * @default 300
   */
  readonly ttlSeconds?: number;
}

const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * The Azure half of a private HTTPS route into the mesh: a private DNS zone linked to the VNets
 * that call in, an A record for the host pointing at a fixed address in a subnet reserved for the
 * gateway's internal load balancer, and a TLS certificate for the host issued by Key Vault. The
 * Kubernetes half — the load balancer Service with that address, the Istio Gateway and
 * VirtualService, and the certificate synced to the gateway — is {@link MeshIngressRoute}, which
 * takes this endpoint.
 *
 * @example
 * const endpoint = new MeshIngressEndpoint(this, 'IngestEndpoint', {
 *   resourceGroup: rg, zoneName: 'iot.dev.internal', hostLabel: 'ingest',
 *   virtualNetworks: { platform: network }, subnet: network.subnet('mesh-ingress'), subnetPrefix: '10.40.4.80/28',
 *   keyVault, loadBalancerOperator: { principalId: cluster.controlPlanePrincipalId },
 *   certificateReader: cluster.secretsProviderIdentity,
 * });
 * apim.addBackend({ name: 'ingest', url: endpoint.url });
 */
export class MeshIngressEndpoint extends Construct implements IMeshIngressEndpoint {
  /** `<hostLabel>.<zoneName>`. */
  public readonly fqdn: string;
  /** `https://<fqdn>`. */
  public readonly url: string;
  /** The fixed private address the host resolves to. */
  public readonly privateIpAddress: string;
  /** Name of the load balancer's subnet (for the cloud provider's subnet annotation). */
  public readonly subnetName: string;
  /** Name of the vault holding the certificate. */
  public readonly keyVaultName: string;
  /** Name of the certificate (and of its secret) in the vault. */
  public readonly certificateName: string;
  /** Current version of the certificate: the gateway is pinned to it. */
  public readonly certificateVersion: string;
  /** The certificate, base64 DER, without its key: what callers trust. */
  public readonly certificateDataBase64: string;
  /** The private DNS zone. */
  public readonly zone: PrivateDnsZone;
  /** The `azurerm_key_vault_certificate`. */
  public readonly certificate: KeyVaultCertificate;

  constructor(scope: Construct, id: string, props: MeshIngressEndpointProps) {
    super(scope, id);
    this.validateProps(props);
    this.fqdn = `${props.hostLabel}.${props.zoneName}`;
    this.url = `https://${this.fqdn}`;
    this.privateIpAddress = props.privateIpAddress ?? firstUsableAddress(props.subnetPrefix);
    this.subnetName = props.subnet.name;
    this.keyVaultName = props.keyVault.name;
    this.certificateName = props.certificateName ?? `tls-${props.hostLabel}-gateway`;

    this.zone = new PrivateDnsZone(this, 'Zone', {
      name: props.zoneName,
      resourceGroupName: props.resourceGroup.name,
    });
    Object.entries(props.virtualNetworks).forEach(([key, vnet]) => {
      new PrivateDnsZoneVirtualNetworkLink(this, `Link-${key}`, {
        name: `link-${key}`,
        privateDnsZoneName: this.zone.name,
        resourceGroupName: props.resourceGroup.name,
        virtualNetworkId: vnet.id,
        registrationEnabled: false,
      });
    });
    new PrivateDnsARecord(this, 'Record', {
      name: props.hostLabel,
      zoneName: this.zone.name,
      resourceGroupName: props.resourceGroup.name,
      ttl: props.ttlSeconds ?? 300,
      records: [this.privateIpAddress],
    });

    grantRole(this, 'LoadBalancerSubnet', {
      scope: props.subnet.id,
      roleDefinitionName: 'Network Contributor',
      principal: props.loadBalancerOperator,
      description: `aks places the mesh ingress load balancer of ${this.fqdn} in its subnet`,
    });

    this.certificate = new KeyVaultCertificate(this, 'Certificate', {
      name: this.certificateName,
      keyVaultId: props.keyVault.id,
      dependsOn: props.certificateDependsOn,
      certificatePolicy: {
        issuerParameters: { name: 'Self' },
        keyProperties: { exportable: true, keyType: 'RSA', keySize: 2048, reuseKey: false },
        // PEM, so the secrets store CSI driver can split key and chain into a kubernetes.io/tls secret.
        secretProperties: { contentType: 'application/x-pem-file' },
        x509CertificateProperties: {
          subject: `CN=${this.fqdn}`,
          subjectAlternativeNames: { dnsNames: [this.fqdn] },
          keyUsage: ['digitalSignature', 'keyEncipherment'],
          extendedKeyUsage: ['1.3.6.1.5.5.7.3.1'],
          validityInMonths: props.certificateValidityMonths ?? 12,
        },
        lifetimeAction: [
          { action: { actionType: 'AutoRenew' }, trigger: { daysBeforeExpiry: 30 } },
        ],
      },
    });
    this.certificateVersion = this.certificate.version;
    this.certificateDataBase64 = this.certificate.certificateDataBase64;

    // The certificate's key is read through its secret; the scope names that secret only, and
    // deriving it from the certificate makes the grant wait for the certificate.
    grantRole(this, 'CertificateReader', {
      scope: Fn.replace(
        this.certificate.resourceManagerVersionlessId,
        '/certificates/',
        '/secrets/',
      ),
      roleDefinitionName: 'Key Vault Secrets User',
      principal: props.certificateReader,
      description: `the mesh ingress gateway reads the tls certificate of ${this.fqdn}`,
    });
  }

  private validateProps(props: MeshIngressEndpointProps): void {
    const zone = props.zoneName;
    if (
      !isUnresolved(zone) &&
      (zone.length > 253 ||
        zone.split('.').length < 2 ||
        !zone.split('.').every((l) => DNS_LABEL.test(l)))
    ) {
      throw new ValidationError(
        this,
        'zoneName',
        zone,
        'a dns zone of at least two lower-case labels (letters, digits, hyphens), e.g. iot.dev.internal',
      );
    }
    if (!isUnresolved(props.hostLabel) && !DNS_LABEL.test(props.hostLabel)) {
      throw new ValidationError(
        this,
        'hostLabel',
        props.hostLabel,
        'one lower-case dns label (letters, digits, hyphens), e.g. ingest',
      );
    }
    const links = Object.keys(props.virtualNetworks);
    if (links.length === 0) {
      throw new ValidationError(
        this,
        'virtualNetworks',
        {},
        'at least one vnet: an unlinked zone resolves for nobody',
      );
    }
    links.forEach((key) => {
      if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,70}$/.test(key)) {
        throw new ValidationError(
          this,
          'virtualNetworks',
          key,
          'keys of letters, digits, _ . - (they name the links)',
        );
      }
    });
    validateCidr(this, 'subnetPrefix', props.subnetPrefix);
    if (isUnresolved(props.subnetPrefix) && props.privateIpAddress === undefined) {
      throw new ValidationError(
        this,
        'privateIpAddress',
        undefined,
        'an address is needed when subnetPrefix is a token: the default is derived from the prefix',
      );
    }
    const range = parseCidr(props.subnetPrefix);
    if (range && range.last - range.first + 1 < 8) {
      throw new ValidationError(
        this,
        'subnetPrefix',
        props.subnetPrefix,
        'a /29 or larger: azure reserves five addresses of every subnet',
      );
    }
    if (props.privateIpAddress !== undefined && range) {
      validateCidr(this, 'privateIpAddress', props.privateIpAddress, { allowBareIp: true });
      const ip = parseCidr(`${props.privateIpAddress}/32`);
      if (!ip || !cidrContains({ ...range, first: range.first + 4, last: range.last - 1 }, ip)) {
        throw new ValidationError(
          this,
          'privateIpAddress',
          props.privateIpAddress,
          `a usable address of ${props.subnetPrefix} (azure reserves the first four and the last)`,
        );
      }
    }
    validateRange(this, 'certificateValidityMonths', props.certificateValidityMonths, 2, 120, {
      unit: 'months (renewal happens 30 days before expiry)',
    });
    validateRange(this, 'ttlSeconds', props.ttlSeconds, 1, 86_400, { unit: 'seconds' });
    if (props.certificateName !== undefined) {
      validateName(this, 'certificateName', props.certificateName, {
        resource: 'key vault certificate',
        minLength: 1,
        maxLength: 127,
        pattern: /^[a-zA-Z0-9-]+$/,
        patternDescription: 'letters, digits and hyphens',
      });
    }
  }
}

/** The first address Azure lets a resource take in `cidr`: network address + 4. */
export function firstUsableAddress(cidr: string): string {
  const range = parseCidr(cidr);
  if (!range) throw new Error(`not an ipv4 cidr: ${cidr}`);
  const n = range.first + 4;
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}
