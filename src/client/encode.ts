/** Building the wire request (spec §1.2, §1.4 step 6): RFC 3986 percent-encoding of every value. */

/** encodeURIComponent plus the five characters it leaves alone that RFC 3986 reserves: ! ' ( ) *. */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** `k=v&...` with every key and value RFC 3986-encoded, `sign` last (easier to read in logs). */
export function toQuery(params: Readonly<Record<string, string>>): string {
  const keys = Object.keys(params).filter((k) => k !== 'sign');
  if (params.sign !== undefined) keys.push('sign');
  return keys.map((k) => `${rfc3986(k)}=${rfc3986(params[k]!)}`).join('&');
}

/** True for loopback hosts: 127.0.0.0/8, ::1, localhost. Plain http is only allowed to these. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
