import { Construct } from 'constructs';
import { ApiManagement as AzApiManagement } from '@cdktf/provider-azurerm/lib/api-management';
import { ApiManagementApi } from '@cdktf/provider-azurerm/lib/api-management-api';
import { ApiManagementApiPolicy } from '@cdktf/provider-azurerm/lib/api-management-api-policy';
import { ApiManagementBackend } from '@cdktf/provider-azurerm/lib/api-management-backend';
import { ApiManagementNamedValue } from '@cdktf/provider-azurerm/lib/api-management-named-value';
import { ApiManagementProduct } from '@cdktf/provider-azurerm/lib/api-management-product';
import { ApiManagementProductApi } from '@cdktf/provider-azurerm/lib/api-management-product-api';
import { ApiManagementSubscription } from '@cdktf/provider-azurerm/lib/api-management-subscription';
import type { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import type {
  AzureResourceProps,
  IPrincipal,
  ISubnet,
  ManagedIdentitiesProps,
  NamingRule,
} from '../core';
import {
  checkConstruct,
  entryCount,
  ValidationError,
  applyCommonInterfaces,
  grantId,
  grantRole,
  identityBlock,
  isUnresolved,
  NamingRules,
  validateName,
  validateOneOf,
  validateRange,
} from '../core';
import type { ApiPolicyOptions } from './api-policy';
import { apiPolicyXml, validateApiPolicy } from './api-policy';

/** API Management tiers the construct supports, with their capacity ranges. */
export const ApiManagementSkus = {
  Developer: { maxCapacity: 1 },
  Basic: { maxCapacity: 2 },
  Standard: { maxCapacity: 4 },
  Premium: { maxCapacity: 31 },
  BasicV2: { maxCapacity: 10 },
  StandardV2: { maxCapacity: 10 },
} as const;

/** A tier of {@link ApiManagementSkus}. */
export type ApiManagementSku = keyof typeof ApiManagementSkus;

/**
 * Cipher suites that are off by default and may be turned back on for old clients (e.g. IoT
 * devices whose TLS stack lacks ECDHE). 3DES is not in the list: it can never be turned on.
 */
export type LegacyCipher =
  | 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA'
  | 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA'
  | 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'
  | 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA'
  | 'TLS_RSA_WITH_AES_128_CBC_SHA256'
  | 'TLS_RSA_WITH_AES_128_CBC_SHA'
  | 'TLS_RSA_WITH_AES_128_GCM_SHA256'
  | 'TLS_RSA_WITH_AES_256_CBC_SHA256'
  | 'TLS_RSA_WITH_AES_256_CBC_SHA'
  | 'TLS_RSA_WITH_AES_256_GCM_SHA384';

const CIPHER_FIELDS: Record<LegacyCipher, string> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'tlsEcdheEcdsaWithAes128CbcShaCiphersEnabled',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'tlsEcdheEcdsaWithAes256CbcShaCiphersEnabled',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'tlsEcdheRsaWithAes128CbcShaCiphersEnabled',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'tlsEcdheRsaWithAes256CbcShaCiphersEnabled',
  TLS_RSA_WITH_AES_128_CBC_SHA256: 'tlsRsaWithAes128CbcSha256CiphersEnabled',
  TLS_RSA_WITH_AES_128_CBC_SHA: 'tlsRsaWithAes128CbcShaCiphersEnabled',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'tlsRsaWithAes128GcmSha256CiphersEnabled',
  TLS_RSA_WITH_AES_256_CBC_SHA256: 'tlsRsaWithAes256CbcSha256CiphersEnabled',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'tlsRsaWithAes256CbcShaCiphersEnabled',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'tlsRsaWithAes256GcmSha384CiphersEnabled',
};

/** VNet injection of the gateway (classic Developer and Premium tiers). */
export interface ApiManagementVirtualNetworkProps {
  /**
   * `External`: the gateway has a public address and reaches backends in the VNet. `Internal`:
   * the gateway has only a private address.
   */
  readonly type: 'External' | 'Internal';
  /**
   * Dedicated subnet of the service. Its NSG needs `apiManagementNsgRules(type)` from the
   * network construct (the management endpoint on 3443 above all).
   */
  readonly subnet: ISubnet;
}

/** Props of {@link ApiManagement}. */
export interface ApiManagementProps extends AzureResourceProps {
  /** Service name: 1–50 letters, digits and hyphens, globally unique (`<name>.azure-api.net`). */
  readonly name: string;
  /** Organisation shown in the developer portal and emails (1–100 characters). */
  readonly publisherName: string;
  /** Address that receives system notifications. */
  readonly publisherEmail: string;
  /**
   * Tier; environments choose it (`Developer` in dev, `Premium` in prod for zones and VNet
   * injection). Consumption is not offered: it supports neither VNets nor the TLS settings.
   * @default "Developer"
   */
  readonly sku?: ApiManagementSku;
  /**
   * Scale units (Developer: 1; Basic 1–2; Standard 1–4; Premium 1–31; v2 tiers 1–10).
   * @default 1
   */
  readonly capacity?: number;
  /**
   * Availability zones (Premium), e.g. `["1","2","3"]`; needs at least one unit per zone.
   * @default - none; production sets them
   */
  readonly zones?: string[];
  /**
   * VNet injection (Developer and Premium). Exclusive with an `Internal` gateway's private
   * endpoints.
   * @default - not injected
   */
  readonly virtualNetwork?: ApiManagementVirtualNetworkProps;
  /**
   * Standard-SKU public IP for an injected service (your own address instead of a managed one).
   * @default - Azure-managed
   */
  readonly publicIpAddressId?: string;
  /**
   * Whether the gateway accepts traffic on its public endpoint. Turning it off needs a private
   * endpoint, and Azure refuses it at creation: deploy once with `true`, then switch.
   * @default true - API Management is the platform's ingress for devices on the internet
   */
  readonly publicNetworkAccess?: boolean;
  /**
   * Managed identities; the system-assigned one reads Key Vault named values.
   * @default { systemAssigned: true }
   */
  readonly managedIdentities?: ManagedIdentitiesProps;
  /**
   * Oldest control-plane API version clients may use; older versions ignore newer security
   * settings.
   * @default "2021-08-01"
   */
  readonly minApiVersion?: string;
  /**
   * Cipher suites to turn back on for old clients (every one listed is weak or without forward
   * secrecy).
   * @default - none: SSL 3, TLS 1.0/1.1, 3DES and all CBC/RSA-key-exchange suites off
   */
  readonly legacyCiphers?: LegacyCipher[];
  /**
   * Certificates (base64 DER, e.g. `azurerm_key_vault_certificate.certificate_data_base64`)
   * installed in the gateway's trusted root store, so backends with a private CA or a
   * self-signed certificate validate with chain and name checks on. Classic tiers only.
   * @default - only publicly trusted roots
   */
  readonly trustedRootCertificates?: string[];
}

/** Options of {@link ApiManagement.addApi}. */
export interface ApiOptions {
  /** API id, unique in the service (letters, digits, `.`, `_`, `-`). */
  readonly name: string;
  /** URL suffix under the gateway, e.g. `telemetry/v1`; no leading slash. */
  readonly path: string;
  /**
   * The OpenAPI (or Swagger 2) document: JSON or YAML content, or an `https://` link to one.
   */
  readonly openApiDocument: string;
  /**
   * Format of the document for API Management's import.
   * @default - detected: a link → `openapi-link` / `openapi+json-link` (by extension), JSON
   * content → `openapi+json` (`swagger-json` for Swagger 2), anything else → `openapi` (YAML)
   */
  readonly format?:
    | 'openapi'
    | 'openapi+json'
    | 'openapi-link'
    | 'openapi+json-link'
    | 'swagger-json'
    | 'swagger-link-json';
  /**
   * Display name.
   * @default - the name
   */
  readonly displayName?: string;
  /**
   * Protocols the gateway serves the API on.
   * @default ["https"] - plain http is rejected
   */
  readonly protocols?: Array<'https' | 'wss'>;
  /**
   * Whether callers need a subscription key.
   * @default true
   */
  readonly subscriptionRequired?: boolean;
  /**
   * Backend the API forwards to (a `set-backend-service` policy), e.g. one from `addBackend`.
   * @default - the document's server url
   */
  readonly backend?: ApiManagementBackend;
  /**
   * Per-subscription rate limit and quota, request size limit, Entra token check and backend
   * retries, rendered into the API's policy.
   * @default - none of them: only `set-backend-service` when `backend` is given
   */
  readonly policy?: ApiPolicyOptions;
  /**
   * Revision of the API.
   * @default "1"
   */
  readonly revision?: string;
}

/** Options of {@link ApiManagement.addProduct}. */
export interface ProductOptions {
  /** Product id, unique in the service. */
  readonly id: string;
  /** Display name. */
  readonly displayName: string;
  /**
   * Description shown in the developer portal.
   * @default - none
   */
  readonly description?: string;
  /**
   * Whether calls need a subscription key.
   * @default true
   */
  readonly subscriptionRequired?: boolean;
  /**
   * Whether an administrator approves subscriptions (only with `subscriptionRequired`).
   * @default true - nobody self-serves a key to the platform's ingest
   */
  readonly approvalRequired?: boolean;
  /**
   * Maximum subscriptions per user.
   * @default - unlimited
   */
  readonly subscriptionsLimit?: number;
  /**
   * Whether the product is published (visible and subscribable).
   * @default true
   */
  readonly published?: boolean;
  /**
   * APIs in the product.
   * @default - none
   */
  readonly apis?: ApiManagementApi[];
}

/**
 * Options of {@link ApiManagement.addNamedValue}: either a secret from Key Vault or a plain,
 * non-secret value. A literal secret is impossible by construction.
 */
export type NamedValueOptions = {
  /** Name, unique in the service (letters, digits, `.`, `_`, `-`). */
  readonly name: string;
  /**
   * Display name, referenced in policies as `{{displayName}}`.
   * @default - the name
   */
  readonly displayName?: string;
} & (
  | {
      /**
       * Versionless Key Vault secret id (`https://<vault>.vault.azure.net/secrets/<name>`), so
       * rotations are picked up. The service's identity needs `Key Vault Secrets User`.
       */
      readonly keyVaultSecretId: string;
      /**
       * Client id of the user-assigned identity that reads the secret.
       * @default - the system-assigned identity
       */
      readonly identityClientId?: string;
      readonly value?: never;
    }
  | {
      /** A non-secret value (stored as plain text, visible to operators). */
      readonly value: string;
      readonly keyVaultSecretId?: never;
      readonly identityClientId?: never;
    }
);

/** Options of {@link ApiManagement.addBackend}. */
export interface BackendOptions {
  /** Backend id, unique in the service. */
  readonly name: string;
  /** Base URL of the backend, e.g. `https://ingest.iot.internal`. */
  readonly url: string;
  /**
   * Protocol.
   * @default "http" - REST; `soap` for SOAP pass-through
   */
  readonly protocol?: 'http' | 'soap';
  /**
   * Description.
   * @default - none
   */
  readonly description?: string;
  /**
   * Validate the backend's certificate chain.
   * @default true
   */
  readonly validateCertificateChain?: boolean;
  /**
   * Validate that the certificate matches the host name.
   * @default true
   */
  readonly validateCertificateName?: boolean;
  /**
   * Accept an `http://` URL (traffic to the backend in clear text, e.g. inside a mesh that
   * encrypts hops itself).
   * @default false
   */
  readonly allowInsecureHttp?: boolean;
  /**
   * Circuit breaker: after `failureCount` failed calls within `failureIntervalSeconds`, the
   * gateway stops calling the backend for `tripDurationSeconds` (answering 503 itself), so a
   * struggling backend gets room to recover.
   * @default - no circuit breaker
   */
  readonly circuitBreaker?: CircuitBreakerOptions;
}

/** Options of {@link BackendOptions.circuitBreaker}. */
export interface CircuitBreakerOptions {
  /**
   * Failed calls that trip the breaker.
   * @default 5
   */
  readonly failureCount?: number;
  /**
   * Window the failures are counted in, seconds.
   * @default 60
   */
  readonly failureIntervalSeconds?: number;
  /**
   * How long the breaker stays open, seconds.
   * @default 30
   */
  readonly tripDurationSeconds?: number;
  /**
   * Backend statuses that count as failures, as inclusive ranges.
   * @default [{ min: 500, max: 599 }]
   */
  readonly statusCodeRanges?: Array<{ readonly min: number; readonly max: number }>;
  /**
   * Keep the breaker open for the backend's `Retry-After` when it sends one.
   * @default true
   */
  readonly acceptRetryAfter?: boolean;
}

/** Options of {@link ApiManagement.addSubscription}. */
export interface SubscriptionOptions {
  /** Subscription id, unique in the service. */
  readonly name: string;
  /** Display name. */
  readonly displayName: string;
  /** The product the subscription's keys open. */
  readonly product: ApiManagementProduct;
  /**
   * Whether the subscription may use request tracing (which exposes policy internals).
   * @default false
   */
  readonly allowTracing?: boolean;
  /**
   * Initial state.
   * @default "active"
   */
  readonly state?: 'active' | 'suspended' | 'submitted';
}

/** An API Management service as other constructs take it. */
export interface IApiManagement {
  readonly id: string;
  readonly name: string;
  /** `https://<name>.azure-api.net`. */
  readonly gatewayUrl: string;
  /** Grants `API Management Service Reader Role`: read the service configuration. */
  grantServiceRead(principal: IPrincipal): RoleAssignment;
  /** Grants `API Management Service Contributor`: manage APIs, products and the service. */
  grantServiceManage(principal: IPrincipal): RoleAssignment;
}

const DEFAULT_MIN_API_VERSION = '2021-08-01';
const VNET_SKUS: readonly ApiManagementSku[] = ['Developer', 'Premium'];
const CLASSIC_SKUS: readonly ApiManagementSku[] = ['Developer', 'Basic', 'Standard', 'Premium'];

const entityName: NamingRule = {
  resource: 'api management entity',
  minLength: 1,
  maxLength: 80,
  pattern: /^[a-zA-Z0-9](?:[a-zA-Z0-9._-]*[a-zA-Z0-9_])?$/,
  patternDescription:
    'letters, digits, periods, underscores and hyphens, starting with a letter or digit',
};

/**
 * An API Management service with protocol and cipher hardening (no SSL 3, TLS 1.0/1.1 on either
 * side, no 3DES, no CBC or RSA-key-exchange suites), a managed identity, a current minimum API
 * version, VNet injection or a private endpoint, and zones on Premium. Factories add APIs from
 * OpenAPI documents, products, Key Vault-backed named values and TLS-validated backends.
 *
 * @example
 * const apim = new ApiManagement(this, 'Apim', {
 *   name: 'apim-iot-prod-weu', resourceGroup: rg, publisherName: 'Contoso IoT', publisherEmail: 'iot@contoso.com',
 *   sku: 'Premium', capacity: 3, zones: ['1', '2', '3'],
 *   virtualNetwork: { type: 'External', subnet: network.subnet('apim') },
 * });
 * const ingest = apim.addBackend({ name: 'ingest', url: 'https://ingest.iot.internal' });
 * const api = apim.addApi({ name: 'telemetry', path: 'telemetry', openApiDocument: spec, backend: ingest });
 * apim.addProduct({ id: 'devices', displayName: 'Devices', apis: [api] });
 */
export class ApiManagement extends Construct implements IApiManagement {
  public readonly id: string;
  public readonly name: string;
  public readonly gatewayUrl: string;
  /** Private addresses of an injected or privately reachable gateway (for DNS records). */
  public readonly privateIpAddresses: string[];
  /** The system-assigned identity as a principal (to grant it Key Vault access), if any. */
  public readonly principal?: IPrincipal;
  /** The `azurerm_api_management`. */
  public readonly resource: AzApiManagement;
  private readonly resourceGroupName: string;
  private readonly systemAssigned: boolean;

  constructor(scope: Construct, id: string, props: ApiManagementProps) {
    super(scope, checkConstruct(scope, id, props));
    const sku = props.sku ?? 'Developer';
    const capacity = props.capacity ?? 1;
    this.validateProps(props, sku, capacity);

    const identities = props.managedIdentities ?? { systemAssigned: true };
    this.systemAssigned = identities.systemAssigned === true;
    const legacy = new Set(props.legacyCiphers ?? []);
    const ciphers = Object.fromEntries(
      Object.entries(CIPHER_FIELDS).map(([cipher, field]) => [
        field,
        legacy.has(cipher as LegacyCipher),
      ]),
    );

    this.resourceGroupName = props.resourceGroup.name;
    this.resource = new AzApiManagement(this, 'Resource', {
      name: props.name,
      location: props.location ?? props.resourceGroup.location,
      resourceGroupName: props.resourceGroup.name,
      publisherName: props.publisherName,
      publisherEmail: props.publisherEmail,
      skuName: `${sku}_${capacity}`,
      zones: props.zones,
      virtualNetworkType: props.virtualNetwork?.type ?? 'None',
      virtualNetworkConfiguration: props.virtualNetwork
        ? { subnetId: props.virtualNetwork.subnet.id }
        : undefined,
      publicIpAddressId: props.publicIpAddressId,
      publicNetworkAccessEnabled: props.publicNetworkAccess ?? true,
      minApiVersion: props.minApiVersion ?? DEFAULT_MIN_API_VERSION,
      identity: identityBlock(identities),
      protocols: { http2Enabled: true },
      security: {
        frontendSsl30Enabled: false,
        frontendTls10Enabled: false,
        frontendTls11Enabled: false,
        backendSsl30Enabled: false,
        backendTls10Enabled: false,
        backendTls11Enabled: false,
        tripleDesCiphersEnabled: false,
        ...ciphers,
      },
      // The direct management REST endpoint bypasses Entra ID; classic tiers have it, v2 not.
      tenantAccess: CLASSIC_SKUS.includes(sku) ? { enabled: false } : undefined,
      certificate: props.trustedRootCertificates?.map((encodedCertificate) => ({
        encodedCertificate,
        storeName: 'Root',
      })),
    });
    this.id = this.resource.id;
    this.name = this.resource.name;
    this.gatewayUrl = this.resource.gatewayUrl;
    this.privateIpAddresses = this.resource.privateIpAddresses;
    if (this.systemAssigned) {
      this.principal = {
        principalId: this.resource.identity.principalId,
        principalType: 'ServicePrincipal',
      };
    }
    applyCommonInterfaces(this, this.resource, props, { privateEndpointSubresource: 'Gateway' });
  }

  /** Imports an API from an OpenAPI document, served over HTTPS only. */
  public addApi(options: ApiOptions): ApiManagementApi {
    const at = `addApi(${options.name})`;
    validateName(this, `${at}.name`, options.name, entityName);
    if (!isUnresolved(options.path) && !/^(?!\/)[a-zA-Z0-9._~/-]{0,400}$/.test(options.path)) {
      throw new ValidationError(
        this,
        `${at}.path`,
        options.path,
        'a relative url suffix of letters, digits and . _ ~ / -, without a leading slash',
      );
    }
    (options.protocols ?? []).forEach((p, i) =>
      validateOneOf(this, `${at}.protocols[${i}]`, p, ['https', 'wss']),
    );
    if (options.policy) validateApiPolicy(this, `${at}.policy`, options.policy);
    const format = options.format ?? this.detectFormat(at, options.openApiDocument);
    const api = new ApiManagementApi(this, `Api-${options.name}`, {
      name: options.name,
      apiManagementName: this.resource.name,
      resourceGroupName: this.resourceGroupName,
      revision: options.revision ?? '1',
      displayName: options.displayName ?? options.name,
      path: options.path,
      protocols: options.protocols ?? ['https'],
      subscriptionRequired: options.subscriptionRequired ?? true,
      import: { contentFormat: format, contentValue: options.openApiDocument },
    });
    if (options.backend || options.policy) {
      new ApiManagementApiPolicy(this, `Api-${options.name}-Policy`, {
        apiName: api.name,
        apiManagementName: this.resource.name,
        resourceGroupName: this.resourceGroupName,
        xmlContent: apiPolicyXml(options.backend?.name, options.policy),
      });
    }
    return api;
  }

  /** Adds a product (subscription and approval required by default) holding `apis`. */
  public addProduct(options: ProductOptions): ApiManagementProduct {
    const at = `addProduct(${options.id})`;
    validateName(this, `${at}.id`, options.id, entityName);
    validateRange(this, `${at}.subscriptionsLimit`, options.subscriptionsLimit, 1, 1_000_000);
    const subscriptionRequired = options.subscriptionRequired ?? true;
    if (!subscriptionRequired && options.approvalRequired === true) {
      throw new ValidationError(
        this,
        `${at}.approvalRequired`,
        true,
        'approval applies only with subscriptionRequired: true',
      );
    }
    const product = new ApiManagementProduct(this, `Product-${options.id}`, {
      productId: options.id,
      apiManagementName: this.resource.name,
      resourceGroupName: this.resourceGroupName,
      displayName: options.displayName,
      description: options.description,
      subscriptionRequired,
      approvalRequired: subscriptionRequired ? (options.approvalRequired ?? true) : undefined,
      subscriptionsLimit: subscriptionRequired ? options.subscriptionsLimit : undefined,
      published: options.published ?? true,
    });
    (options.apis ?? []).forEach((api) => {
      new ApiManagementProductApi(this, `Product-${options.id}-${api.node.id}`, {
        productId: product.productId,
        apiName: api.name,
        apiManagementName: this.resource.name,
        resourceGroupName: this.resourceGroupName,
      });
    });
    return product;
  }

  /**
   * Adds a subscription to `product`: the keys devices send as `Ocp-Apim-Subscription-Key`.
   * Terraform holds its keys in state (sensitive); read them with
   * `az apim subscription keys list` or rotate them with `regenerate-key`.
   */
  public addSubscription(options: SubscriptionOptions): ApiManagementSubscription {
    const at = `addSubscription(${options.name})`;
    validateName(this, `${at}.name`, options.name, entityName);
    validateOneOf(this, `${at}.state`, options.state, ['active', 'suspended', 'submitted']);
    return new ApiManagementSubscription(this, `Subscription-${options.name}`, {
      subscriptionId: options.name,
      displayName: options.displayName,
      apiManagementName: this.resource.name,
      resourceGroupName: this.resourceGroupName,
      productId: options.product.id,
      state: options.state ?? 'active',
      allowTracing: options.allowTracing ?? false,
    });
  }

  /**
   * Adds a named value: a secret read from Key Vault by the service's identity, or a plain
   * non-secret value. Secrets never appear in props or in the synthesized JSON.
   */
  public addNamedValue(options: NamedValueOptions): ApiManagementNamedValue {
    const at = `addNamedValue(${options.name})`;
    validateName(this, `${at}.name`, options.name, { ...entityName, maxLength: 256 });
    const common = {
      name: options.name,
      displayName: options.displayName ?? options.name,
      apiManagementName: this.resource.name,
      resourceGroupName: this.resourceGroupName,
    };
    if (options.keyVaultSecretId !== undefined) {
      const sid = options.keyVaultSecretId;
      if (
        !isUnresolved(sid) &&
        !/^https:\/\/[a-zA-Z0-9-]{3,24}\.vault\.azure\.net\/secrets\/[a-zA-Z0-9-]{1,127}\/?$/.test(
          sid,
        )
      ) {
        throw new ValidationError(
          this,
          `${at}.keyVaultSecretId`,
          sid,
          'a versionless key vault secret id such as https://kv-iot.vault.azure.net/secrets/name',
        );
      }
      if (options.identityClientId === undefined && !this.systemAssigned) {
        throw new ValidationError(
          this,
          `${at}.identityClientId`,
          undefined,
          'the service has no system-assigned identity: pass the client id of a user-assigned one',
        );
      }
      return new ApiManagementNamedValue(this, `NamedValue-${options.name}`, {
        ...common,
        secret: true,
        valueFromKeyVault: { secretId: sid, identityClientId: options.identityClientId },
      });
    }
    if (options.value === undefined) {
      throw new ValidationError(
        this,
        `${at}.value`,
        undefined,
        'either keyVaultSecretId (secrets) or value (non-secret)',
      );
    }
    return new ApiManagementNamedValue(this, `NamedValue-${options.name}`, {
      ...common,
      secret: false,
      value: options.value,
    });
  }

  /** Adds a backend with certificate chain and name validation on. */
  public addBackend(options: BackendOptions): ApiManagementBackend {
    const at = `addBackend(${options.name})`;
    validateName(this, `${at}.name`, options.name, entityName);
    validateOneOf(this, `${at}.protocol`, options.protocol, ['http', 'soap']);
    if (!isUnresolved(options.url)) {
      const scheme = /^(https?):\/\/[^\s/]+/.exec(options.url)?.[1];
      if (!scheme) {
        throw new ValidationError(this, `${at}.url`, options.url, 'an absolute http(s) url');
      }
      if (scheme === 'http' && options.allowInsecureHttp !== true) {
        throw new ValidationError(
          this,
          `${at}.url`,
          options.url,
          'an https url, or set allowInsecureHttp: true to send backend traffic in clear text',
        );
      }
    }
    const breaker = options.circuitBreaker;
    if (breaker) {
      validateRange(this, `${at}.circuitBreaker.failureCount`, breaker.failureCount, 1, 10_000);
      validateRange(
        this,
        `${at}.circuitBreaker.failureIntervalSeconds`,
        breaker.failureIntervalSeconds,
        1,
        3600,
        { unit: 'seconds' },
      );
      validateRange(
        this,
        `${at}.circuitBreaker.tripDurationSeconds`,
        breaker.tripDurationSeconds,
        1,
        3600,
        { unit: 'seconds' },
      );
      (breaker.statusCodeRanges ?? []).forEach((r, i) => {
        const p = `${at}.circuitBreaker.statusCodeRanges[${i}]`;
        validateRange(this, `${p}.min`, r.min, 200, 599);
        validateRange(this, `${p}.max`, r.max, r.min, 599, { unit: '(at least min)' });
      });
    }
    return new ApiManagementBackend(this, `Backend-${options.name}`, {
      name: options.name,
      apiManagementName: this.resource.name,
      resourceGroupName: this.resourceGroupName,
      protocol: options.protocol ?? 'http',
      url: options.url,
      description: options.description,
      tls: {
        validateCertificateChain: options.validateCertificateChain ?? true,
        validateCertificateName: options.validateCertificateName ?? true,
      },
      circuitBreakerRule: breaker
        ? {
            name: `${options.name}-breaker`,
            tripDuration: `PT${breaker.tripDurationSeconds ?? 30}S`,
            acceptRetryAfterEnabled: breaker.acceptRetryAfter ?? true,
            failureCondition: {
              count: breaker.failureCount ?? 5,
              intervalDuration: `PT${breaker.failureIntervalSeconds ?? 60}S`,
              statusCodeRange: breaker.statusCodeRanges ?? [{ min: 500, max: 599 }],
            },
          }
        : undefined,
    });
  }

  /** Grants `API Management Service Reader Role`: read the service configuration. */
  public grantServiceRead(principal: IPrincipal): RoleAssignment {
    return grantRole(this, grantId('ApimReader', this, principal), {
      scope: this.id,
      roleDefinitionName: 'API Management Service Reader Role',
      principal,
      description: `read configuration of ${this.node.path}`,
    });
  }

  /** Grants `API Management Service Contributor`: manage APIs, products and the service. */
  public grantServiceManage(principal: IPrincipal): RoleAssignment {
    return grantRole(this, grantId('ApimContributor', this, principal), {
      scope: this.id,
      roleDefinitionName: 'API Management Service Contributor',
      principal,
      description: `manage ${this.node.path}`,
    });
  }

  private validateProps(props: ApiManagementProps, sku: ApiManagementSku, capacity: number): void {
    validateName(this, 'name', props.name, NamingRules.apiManagement);
    validateName(this, 'publisherName', props.publisherName, {
      resource: 'publisher',
      minLength: 1,
      maxLength: 100,
      pattern: /\S/,
      patternDescription: 'any characters, not only blanks',
    });
    if (
      !isUnresolved(props.publisherEmail) &&
      (props.publisherEmail.length > 100 ||
        !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(props.publisherEmail))
    ) {
      throw new ValidationError(
        this,
        'publisherEmail',
        props.publisherEmail,
        'an email address of at most 100 characters',
      );
    }
    validateOneOf(this, 'sku', sku, Object.keys(ApiManagementSkus) as ApiManagementSku[]);
    validateRange(this, 'capacity', capacity, 1, ApiManagementSkus[sku].maxCapacity, {
      unit: `units for sku ${sku}`,
    });
    if (
      props.minApiVersion !== undefined &&
      !/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(props.minApiVersion)
    ) {
      throw new ValidationError(
        this,
        'minApiVersion',
        props.minApiVersion,
        `an api version such as "${DEFAULT_MIN_API_VERSION}"`,
      );
    }
    (props.legacyCiphers ?? []).forEach((c, i) =>
      validateOneOf(this, `legacyCiphers[${i}]`, c, Object.keys(CIPHER_FIELDS) as LegacyCipher[]),
    );
    const zones = props.zones ?? [];
    if (zones.length > 0) {
      if (sku !== 'Premium') {
        throw new ValidationError(this, 'zones', zones, `zones need sku "Premium" (got "${sku}")`);
      }
      zones.forEach((z, i) => validateOneOf(this, `zones[${i}]`, z, ['1', '2', '3']));
      if (new Set(zones).size !== zones.length) {
        throw new ValidationError(this, 'zones', zones, 'each zone at most once');
      }
      if (capacity < zones.length) {
        throw new ValidationError(
          this,
          'capacity',
          capacity,
          `at least one unit per zone: ${zones.length} or more for zones ${zones.join(', ')}`,
        );
      }
    }
    const vnet = props.virtualNetwork;
    if (vnet) {
      validateOneOf(this, 'virtualNetwork.type', vnet.type, ['External', 'Internal']);
      if (!VNET_SKUS.includes(sku)) {
        throw new ValidationError(
          this,
          'virtualNetwork',
          vnet.type,
          `vnet injection needs sku "Developer" or "Premium" (got "${sku}")`,
        );
      }
    }
    const endpoints = entryCount(props.privateEndpoints);
    if (endpoints > 0) {
      if (vnet?.type === 'Internal') {
        throw new ValidationError(
          this,
          'privateEndpoints',
          `${endpoints} endpoint(s)`,
          'a private endpoint cannot be combined with virtualNetwork type "Internal"',
        );
      }
      if (sku === 'BasicV2') {
        throw new ValidationError(
          this,
          'privateEndpoints',
          `${endpoints} endpoint(s)`,
          `sku "${sku}" takes no private endpoint`,
        );
      }
    }
    if (props.publicNetworkAccess === false && endpoints === 0) {
      throw new ValidationError(
        this,
        'publicNetworkAccess',
        false,
        'turning public access off needs a private endpoint (privateEndpoints)',
      );
    }
    const roots = props.trustedRootCertificates ?? [];
    if (roots.length > 0 && !CLASSIC_SKUS.includes(sku)) {
      throw new ValidationError(
        this,
        'trustedRootCertificates',
        `${roots.length} certificate(s)`,
        `custom ca certificates need a classic tier (Developer, Basic, Standard, Premium), not "${sku}"`,
      );
    }
    roots.forEach((c, i) => {
      if (!isUnresolved(c) && !/^[A-Za-z0-9+/]+={0,2}$/.test(c)) {
        throw new ValidationError(
          this,
          `trustedRootCertificates[${i}]`,
          `${c.slice(0, 20)}...`,
          'a base64-encoded der certificate (no pem armour)',
        );
      }
    });
    if (props.publicIpAddressId !== undefined && !vnet) {
      throw new ValidationError(
        this,
        'publicIpAddressId',
        props.publicIpAddressId,
        'a public ip applies only with virtualNetwork',
      );
    }
  }

  private detectFormat(at: string, doc: string): NonNullable<ApiOptions['format']> {
    if (isUnresolved(doc)) {
      throw new ValidationError(
        this,
        `${at}.format`,
        undefined,
        'the document is a token, so its format cannot be detected: set format',
      );
    }
    const text = doc.trim();
    if (/^https:\/\//.test(text)) {
      return /\.json(\?.*)?$/i.test(text) ? 'openapi+json-link' : 'openapi-link';
    }
    if (/^http:\/\//.test(text)) {
      throw new ValidationError(
        this,
        `${at}.openApiDocument`,
        text,
        'a link must use https, so the document cannot be tampered with in transit',
      );
    }
    if (text.startsWith('{')) {
      try {
        const parsed = JSON.parse(text) as Record<string, unknown>;
        return 'swagger' in parsed ? 'swagger-json' : 'openapi+json';
      } catch (e) {
        throw new ValidationError(
          this,
          `${at}.openApiDocument`,
          `${text.slice(0, 40)}...`,
          `valid json (${(e as Error).message})`,
        );
      }
    }
    if (!/^(openapi|swagger)\s*:/m.test(text)) {
      throw new ValidationError(
        this,
        `${at}.openApiDocument`,
        `${text.slice(0, 40)}...`,
        'an openapi document (json or yaml with an "openapi:" key) or an https link to one',
      );
    }
    return 'openapi';
  }
}
