import { expectString } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Control-plane API versions older than 2019-12-01 (which leak secrets in responses) are refused. */
export const apiManagementMinApiVersionSet: Rule = {
  id: 'api-management-min-api-version-set',
  appliesTo: ['azurerm_api_management'],
  evaluate: (r) =>
    expectString(r, 'min_api_version', {
      test: (v) => v >= '2019-12-01',
      expected: '2019-12-01 or later',
    }),
};
