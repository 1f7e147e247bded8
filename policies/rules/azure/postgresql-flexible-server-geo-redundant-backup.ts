import { expectBool } from '../../engine/check';
import type { Rule } from '../../engine/types';

/** Backups are copied to the paired region. */
export const postgresqlFlexibleServerGeoRedundantBackup: Rule = {
  id: 'postgresql-flexible-server-geo-redundant-backup',
  appliesTo: ['azurerm_postgresql_flexible_server'],
  evaluate: (r) => expectBool(r, 'geo_redundant_backup_enabled', true, false),
};
