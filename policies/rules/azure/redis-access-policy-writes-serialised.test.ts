import { testRule } from '../../testing';
import { redisAccessPolicyWritesSerialised } from './redis-access-policy-writes-serialised';

const MANAGED = 'azurerm_managed_redis.r';
const TEMPLATE = JSON.stringify({
  resources: [
    {
      type: 'Microsoft.Cache/redisEnterprise/databases/accessPolicyAssignments',
      name: "[format('{0}/default/{1}', parameters('clusterName'), parameters('objectId'))]",
    },
  ],
});

/** A Managed Redis access-policy deployment as the RedisCache construct writes it. */
function deployment(objectId: string, dependsOn: string[]): Record<string, unknown> {
  return {
    template_content: TEMPLATE,
    parameters_content: `\${jsonencode({"clusterName" = {"value" = azurerm_managed_redis.r.name}, "objectId" = {"value" = "${objectId}"}})}`,
    depends_on: dependsOn,
  };
}

function classic(objectId: string, dependsOn?: string[]): Record<string, unknown> {
  return {
    redis_cache_id: '${azurerm_redis_cache.c.id}',
    access_policy_name: 'Data Contributor',
    object_id: objectId,
    ...(dependsOn ? { depends_on: dependsOn } : {}),
  };
}

testRule(redisAccessPolicyWritesSerialised, {
  compliant: [
    // 1. no grant at all
    { [MANAGED]: {} },
    // 2. one grant
    { [MANAGED]: {}, 'azurerm_resource_group_template_deployment.a': deployment('a', [MANAGED]) },
    // 3. three grants in a chain (the third is ordered after the first through the second)
    {
      [MANAGED]: {},
      'azurerm_resource_group_template_deployment.a': deployment('a', [MANAGED]),
      'azurerm_resource_group_template_deployment.b': deployment('b', [
        'azurerm_resource_group_template_deployment.a',
      ]),
      'azurerm_resource_group_template_deployment.c': deployment('c', [
        'azurerm_resource_group_template_deployment.b',
      ]),
    },
    // 4. a deployment that writes something else to the same cluster is not an access-policy write
    {
      [MANAGED]: {},
      'azurerm_resource_group_template_deployment.a': deployment('a', [MANAGED]),
      'azurerm_resource_group_template_deployment.other': {
        template_content: JSON.stringify({ resources: [{ type: 'Microsoft.Insights/x' }] }),
        parameters_content: '${jsonencode({"n" = azurerm_managed_redis.r.name})}',
      },
    },
    // 5. classic assignments in a chain
    {
      'azurerm_redis_cache.c': {},
      'azurerm_redis_cache_access_policy_assignment.a': classic('a'),
      'azurerm_redis_cache_access_policy_assignment.b': classic('b', [
        'azurerm_redis_cache_access_policy_assignment.a',
      ]),
    },
  ],
  nonCompliant: [
    // 1. two deployments that only wait for the cache: Terraform starts both at once
    {
      [MANAGED]: {},
      'azurerm_resource_group_template_deployment.a': deployment('a', [MANAGED]),
      'azurerm_resource_group_template_deployment.b': deployment('b', [MANAGED]),
    },
    // 2. a chain of two plus a third in parallel with both
    {
      [MANAGED]: {},
      'azurerm_resource_group_template_deployment.a': deployment('a', [MANAGED]),
      'azurerm_resource_group_template_deployment.b': deployment('b', [
        'azurerm_resource_group_template_deployment.a',
      ]),
      'azurerm_resource_group_template_deployment.c': deployment('c', [MANAGED]),
    },
    // 3. classic assignments without order
    {
      'azurerm_redis_cache.c': {},
      'azurerm_redis_cache_access_policy_assignment.a': classic('a'),
      'azurerm_redis_cache_access_policy_assignment.b': classic('b'),
    },
  ],
});
