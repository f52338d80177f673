/** Times as the order API prints them: `YYYY-MM-DD hh:mm:ss`, Beijing time (UTC+8), the service's home zone. */

const BEIJING_MS = 8 * 3600 * 1000;

/** Formats an instant as `YYYY-MM-DD hh:mm:ss` in UTC+8. */
export function apiTime(d: Date): string {
  return new Date(d.getTime() + BEIJING_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** The instant of an apiTime string (for the by_user time range, given in unix seconds). */
export function apiTimeFromUnix(seconds: number): string {
  return apiTime(new Date(seconds * 1000));
}
