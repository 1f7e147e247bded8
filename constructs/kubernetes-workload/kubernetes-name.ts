/** DNS-1123 label: Kubernetes names of namespaces, services, deployments. */
export const KUBERNETES_NAME = {
  resource: 'kubernetes object',
  minLength: 1,
  maxLength: 63,
  pattern: /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/,
  patternDescription:
    'lower-case letters, digits and hyphens, starting and ending with a letter or digit (dns-1123 label)',
};
