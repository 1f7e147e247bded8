import { fail, pass, unknown } from '../../engine/check';
import { parsePureReference } from '../../engine/resource';
import type { Resource } from '../../engine/resource';
import type { Rule, Verdict } from '../../engine/types';

const WEB_APPS = ['azurerm_linux_web_app', 'azurerm_linux_web_app_slot'];
const APIM_POLICIES = [
  'azurerm_api_management_policy',
  'azurerm_api_management_api_policy',
  'azurerm_api_management_product_policy',
  'azurerm_api_management_api_operation_policy',
];

function webApp(r: Resource): Verdict {
  const at = 'site_config.cors.allowed_origins';
  const origins = r.list(at);
  if (origins.state === 'unknown') return unknown(`${at} is not known before apply`, at);
  if (origins.state === 'absent' || origins.value.length === 0) {
    return pass('no CORS origins: browsers refuse cross-origin calls', at);
  }
  if (origins.value.includes('*')) return fail(`${at} includes "*": any site may call the app`, at);
  return pass(`CORS limited to ${origins.value.join(', ')}`, at);
}

function apimPolicy(r: Resource): Verdict {
  const at = 'xml_content';
  const xml = r.str(at);
  if (xml.state === 'absent') return pass('no policy XML', at);
  let text: string;
  if (xml.state === 'known') text = xml.value;
  else {
    // Policy XML with `${azurerm_x.y.name}` references in attribute values (a backend id) is
    // judged on its literal text: an attribute of another resource cannot add a <cors> element.
    // Any other expression (variables, functions) may, so it is UNKNOWN.
    const expr = xml.expression ?? '';
    const interpolations = expr.match(/\$\{[^{}]*\}/g) ?? [];
    const literal = expr.replace(/\$\{[^{}]*\}/g, 'x');
    if (
      expr === '' ||
      literal.includes('${') ||
      !interpolations.every((i) => parsePureReference(i) !== undefined)
    ) {
      return unknown(`${at} is not known before apply: ${xml.reason}`, at);
    }
    text = literal;
  }
  const cors = text.match(/<cors[\s>][\s\S]*?<\/cors>/g) ?? [];
  if (cors.length === 0) return pass('no cors policy: browsers refuse cross-origin calls', at);
  const origins = cors.flatMap((c) =>
    [...c.matchAll(/<origin>\s*([^<]*?)\s*<\/origin>/g)].map((m) => m[1]),
  );
  if (origins.includes('*')) {
    return fail('the cors policy allows <origin>*</origin>: any site may call the API', at);
  }
  return pass(`cors policy limited to ${origins.join(', ') || 'no origin'}`, at);
}

/**
 * Cross-origin calls are allowed only from named origins, never `*`: App Service
 * `site_config.cors`, and API Management `<cors>` policies at every scope.
 */
export const corsOriginsNotWildcard: Rule = {
  id: 'cors-origins-not-wildcard',
  appliesTo: [...WEB_APPS, ...APIM_POLICIES],
  evaluate: (r) => (WEB_APPS.includes(r.type) ? webApp(r) : apimPolicy(r)),
};
