/**
 * XML with positions (xmldom), parsed strictly: any error is Malformed with its line. The plist and
 * AndroidManifest.xml readers, and the --fix XML editor, parse through this.
 */
import type { Document } from '@xmldom/xmldom';
import { xmldom } from '../deps.js';
import { lineOf } from '../lines.js';
import { Malformed } from './malformed.js';

/** Parses XML strictly (any error or fatal error is Malformed, with its line); nothing is printed. */
export function parseXml(text: string): Document {
  let first: { msg: string; line?: number } | undefined;
  const parser = new (xmldom().DOMParser)({
    onError: (level, msg, context) => {
      if (level === 'warning') return;
      const loc = (context as { locator?: { lineNumber?: number } } | undefined)?.locator;
      first ??= { msg: String(msg).trim(), ...(loc?.lineNumber !== undefined ? { line: loc.lineNumber } : {}) };
    },
  });
  let doc: Document;
  try {
    doc = parser.parseFromString(text, 'text/xml');
  } catch (err) {
    const e = err as Error & { locator?: { lineNumber?: number } };
    const msg = cleanXmlMessage(first?.msg ?? e.message);
    throw new Malformed(msg, mismatchLine(text, msg) ?? first?.line ?? e.locator?.lineNumber);
  }
  if (first) {
    const msg = cleanXmlMessage(first.msg);
    throw new Malformed(msg, mismatchLine(text, msg) ?? first.line);
  }
  return checkedRoot(doc);
}

function checkedRoot(doc: Document): Document {
  if (!doc.documentElement) throw new Malformed('no root element');
  return doc;
}

/** xmldom places a tag mismatch at the opening tag; the line of the wrong closing tag is more useful. */
function mismatchLine(text: string, msg: string): number | undefined {
  const m = /mismatch: "[^"]*" != "([^"]+)"/.exec(msg);
  if (!m) return undefined;
  const at = text.indexOf(`</${m[1]}`);
  return at === -1 ? undefined : lineOf(text, at);
}

function cleanXmlMessage(m: string): string {
  return m.replace(/\s*@#\[line:.*$/s, '').replace(/^\[xmldom [a-zA-Z]+\]\s*/, '').split('\n')[0]!.trim();
}
