/**
 * Reading a request's parameters in the three wire forms seen in official and third-party code
 * (spec §1.2, §7 D6): POST with the parameters in the query string and an empty body; GET with the
 * same query string (the official Android demo joins values without percent-encoding; its HTTP
 * library still escapes non-ASCII, and Node's HTTP parser answers 400 to raw non-ASCII bytes in a
 * request target anyway, so "raw" here means raw `+ / =` and the like); POST with an
 * application/x-www-form-urlencoded body.
 *
 * In a query string `+` is kept as a literal plus (RFC 3986), because the demo's raw Base64 `sign`
 * is full of them; only a form body turns `+` into a space, as HTML forms define.
 */

export type WireForm = 'post-query' | 'get-query' | 'post-form';

export interface WireParams {
  wire: WireForm;
  params: Record<string, string>;
}

export class WireError extends Error {}

/** Splits `a=1&b=2` and percent-decodes each part. `plusIsSpace` only for form bodies. */
export function parsePairs(text: string, plusIsSpace: boolean): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  if (text === '') return out;
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = eq === -1 ? part : part.slice(0, eq);
    const rawValue = eq === -1 ? '' : part.slice(eq + 1);
    const key = decodePart(rawKey, plusIsSpace, rawKey);
    if (Object.hasOwn(out, key)) throw new WireError(`parameter ${key} appears more than once`);
    out[key] = decodePart(rawValue, plusIsSpace, key);
  }
  return out;
}

function decodePart(raw: string, plusIsSpace: boolean, name: string): string {
  const s = plusIsSpace ? raw.replace(/\+/g, ' ') : raw;
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    throw new WireError(`parameter ${name} has a malformed percent-escape`);
  }
}

/** Combines the query string and (for POST) the body into one parameter set. */
export function readWire(method: string, query: string, contentType: string | undefined, body: string): WireParams {
  const fromQuery = parsePairs(query, false);
  if (method === 'GET') return { wire: 'get-query', params: fromQuery };
  if (body.trim() === '') return { wire: 'post-query', params: fromQuery };
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new WireError(
      `a POST body of type ${JSON.stringify(type || 'none')} is not accepted; send the parameters in the query string or as application/x-www-form-urlencoded`,
    );
  }
  const fromBody = parsePairs(body.trim(), true);
  for (const k of Object.keys(fromBody)) if (Object.hasOwn(fromQuery, k)) throw new WireError(`parameter ${k} is in both the query string and the body`);
  return { wire: 'post-form', params: Object.assign(fromQuery, fromBody) };
}
