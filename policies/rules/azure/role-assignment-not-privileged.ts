import { fail, pass, unknown } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Built-in roles that can change anything or grant access to anything, by name and by id. */
const PRIVILEGED: Readonly<Record<string, string>> = {
  Owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  'User Access Administrator': '18d7d88d-d35e-4fb5-a5c3-7773c4a72b9d',
  'Role Based Access Control Administrator': 'f58310d9-a9f6-439a-9e8d-f62e7b41a168',
};
const PRIVILEGED_IDS = new Set(Object.values(PRIVILEGED));

/** Workload identities get data-plane or narrow roles, never Owner, Contributor or access administration. */
export const roleAssignmentNotPrivileged: Rule = {
  id: 'role-assignment-not-privileged',
  appliesTo: ['azurerm_role_assignment'],
  evaluate: (r) => {
    const name = r.str('role_definition_name');
    if (name.state === 'known') {
      return name.value in PRIVILEGED
        ? fail(
            `role ${name.value} can change or grant anything in its scope`,
            'role_definition_name',
          )
        : pass(`role ${name.value}`, 'role_definition_name');
    }
    const id = r.str('role_definition_id');
    if (id.state === 'known') {
      const guid = id.value.split('/').pop()!.toLowerCase();
      return PRIVILEGED_IDS.has(guid)
        ? fail(`role definition ${guid} is a privileged built-in role`, 'role_definition_id')
        : pass(`role definition ${guid}`, 'role_definition_id');
    }
    return unknown('the role is an expression', 'role_definition_name');
  },
};
