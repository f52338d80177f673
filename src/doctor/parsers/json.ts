/** JSON objects (TAC JSON configs, app.json, capacitor.config.json), with the line when malformed. */
import { lineOf } from '../lines.js';
import { Malformed } from './malformed.js';

/** JSON with a line number when malformed. */
export function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    // V8's message quotes the input ("...", "b": } is not valid JSON); keep only the reason.
    // Not even the offending character: it may be the first of a secret's.
    const reason = msg.replace(/ in JSON at position \d+.*$/s, '').replace(/, (?:\.\.\.)?".*$/s, '').replace(/^Unexpected token '.'/s, 'Unexpected character');
    throw new Malformed(`not valid JSON (${reason})`, pos ? lineOf(text, Number(pos[1])) : undefined);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Malformed('the JSON is not an object');
  return value as Record<string, unknown>;
}
