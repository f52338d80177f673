/** Property lists: binary (bplist-parser) or XML, read by Apple's PropertyList-1.0 DTD. */
import type { Element, Node as XmlNode } from '@xmldom/xmldom';
import { bplist } from '../deps.js';
import type { PlistDict } from '../types.js';
import { Malformed } from './malformed.js';
import { parseXml } from './xml.js';

/** A property list from bytes: binary (`bplist00`) or XML. Returns the root value and the format. */
export function parsePlist(bytes: Buffer): { value: unknown; format: 'binary plist' | 'XML plist' } {
  if (bytes.subarray(0, 6).toString('latin1') === 'bplist') {
    try {
      const roots = bplist().parseBuffer(bytes);
      return { value: roots[0], format: 'binary plist' };
    } catch (err) {
      throw new Malformed(`not a readable binary plist (${(err as Error).message})`);
    }
  }
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  if (/^\s*\{/.test(text)) throw new Malformed('an old-style (OpenStep) plist; tacpay reads XML and binary plists only');
  const doc = parseXml(text);
  const root = doc.documentElement!;
  if (root.nodeName !== 'plist') throw new Malformed(`the root element is <${root.nodeName}>, not <plist>`);
  const top = elementChildren(root);
  if (top.length !== 1) throw new Malformed(`<plist> holds ${top.length} values; it must hold exactly one`, lineOfNode(root));
  return { value: plistValue(top[0]!), format: 'XML plist' };
}

function elementChildren(el: XmlNode): Element[] {
  const out: Element[] = [];
  for (let c = el.firstChild; c; c = c.nextSibling) if (c.nodeType === 1) out.push(c as Element);
  return out;
}

function lineOfNode(n: XmlNode): number | undefined {
  return (n as unknown as { lineNumber?: number }).lineNumber;
}

/** One value of an XML plist (Apple's PropertyList-1.0 DTD), from its element. */
function plistValue(el: Element): unknown {
  const text = () => el.textContent ?? '';
  switch (el.nodeName) {
    case 'dict': {
      const out: Record<string, unknown> = {};
      const kids = elementChildren(el);
      for (let i = 0; i < kids.length; i += 2) {
        const k = kids[i]!;
        const v = kids[i + 1];
        if (k.nodeName !== 'key') throw new Malformed(`<${k.nodeName}> where a <key> belongs in a <dict>`, lineOfNode(k));
        if (!v) throw new Malformed(`<key>${k.textContent}</key> has no value`, lineOfNode(k));
        out[k.textContent ?? ''] = plistValue(v);
      }
      return out;
    }
    case 'array':
      return elementChildren(el).map(plistValue);
    case 'string':
      return text();
    case 'integer': {
      const n = Number(text().trim());
      if (!Number.isInteger(n)) throw new Malformed(`<integer>${text()}</integer> is not an integer`, lineOfNode(el));
      return n;
    }
    case 'real': {
      const n = Number(text().trim());
      if (Number.isNaN(n)) throw new Malformed(`<real>${text()}</real> is not a number`, lineOfNode(el));
      return n;
    }
    case 'true':
      return true;
    case 'false':
      return false;
    case 'date':
      return new Date(text().trim());
    case 'data':
      return Buffer.from(text().replace(/\s+/g, ''), 'base64');
    default:
      throw new Malformed(`<${el.nodeName}> is not a plist value element`, lineOfNode(el));
  }
}

/** A plist whose root must be a dictionary. */
export function parsePlistDict(bytes: Buffer): { value: PlistDict; format: string } {
  const { value, format } = parsePlist(bytes);
  if (!value || typeof value !== 'object' || Array.isArray(value) || value instanceof Date || Buffer.isBuffer(value)) {
    throw new Malformed('the root of the plist is not a dictionary');
  }
  return { value: value as PlistDict, format };
}
