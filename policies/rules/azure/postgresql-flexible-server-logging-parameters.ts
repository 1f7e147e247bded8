import { fail, pass, unknown } from '../../engine/check';
import { isExpression } from '../../engine/resource';
import type { Resource, RuleContext } from '../../engine/resource';
import type { Rule, Verdict } from '../../engine/types';

/** Server parameters CIS asks to be ON, and their Azure defaults. */
const REQUIRED: Readonly<Record<string, string>> = {
  log_checkpoints: 'on',
  log_connections: 'on',
  log_disconnections: 'on',
  connection_throttle_enable: 'on',
};
/** Parameters whose Azure default is already compliant: absent means compliant. */
const DEFAULT_ON = new Set(['log_checkpoints', 'connection_throttle_enable']);

/**
 * The server's configuration resources (found through `server_id` references) turn on
 * connection logging and throttling.
 */
export const postgresqlFlexibleServerLoggingParameters: Rule = {
  id: 'postgresql-flexible-server-logging-parameters',
  appliesTo: ['azurerm_postgresql_flexible_server'],
  evaluate: (r: Resource, ctx: RuleContext) => {
    const configs = ctx
      .referrers(r, {
        types: ['azurerm_postgresql_flexible_server_configuration'],
        attribute: 'server_id',
      })
      .map((e) => e.from);
    const verdicts: Verdict[] = [];
    for (const [name, wanted] of Object.entries(REQUIRED)) {
      const c = configs.find((x) => x.attrs.name === name);
      if (!c) {
        verdicts.push(
          DEFAULT_ON.has(name)
            ? pass(`${name} not set; Azure default is on`)
            : fail(`${name} is not set (Azure default off)`),
        );
        continue;
      }
      const value = c.attrs.value;
      if (isExpression(value)) verdicts.push(unknown(`${name} is an expression`));
      else if (String(value).toLowerCase() === wanted)
        verdicts.push(pass(`${name} = ${String(value)} (${c.address})`));
      else verdicts.push(fail(`${name} = ${String(value)} (${c.address})`));
    }
    return verdicts;
  },
};
