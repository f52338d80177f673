/** AndroidManifest.xml: the permissions, activities and <queries> the checks need. */
import type { Element, Node as XmlNode } from '@xmldom/xmldom';
import type { ManifestActivity, ManifestSummary } from '../types.js';
import { Malformed } from './malformed.js';
import { parseXml } from './xml.js';

const ANDROID_NS = 'http://schemas.android.com/apk/res/android';
const TOOLS_NS = 'http://schemas.android.com/tools';

function androidAttr(el: Element, name: string): string | undefined {
  const v = el.getAttributeNS(ANDROID_NS, name);
  if (v !== null && v !== '') return v;
  const prefixed = el.getAttribute(`android:${name}`);
  return prefixed === null || prefixed === '' ? undefined : prefixed;
}

function children(el: XmlNode, name: string): Element[] {
  const out: Element[] = [];
  for (let c = el.firstChild; c; c = c.nextSibling) if (c.nodeType === 1 && c.nodeName === name) out.push(c as Element);
  return out;
}

/** Resolves `.Foo` and `Foo` class names against the manifest package. */
function className(name: string, pkg: string | undefined): string {
  if (name.startsWith('.') && pkg) return pkg + name;
  if (!name.includes('.') && pkg) return `${pkg}.${name}`;
  return name;
}

/** Reads what the checks need from an AndroidManifest.xml. */
export function parseManifest(text: string): ManifestSummary {
  const doc = parseXml(text);
  const root = doc.documentElement!;
  if (root.nodeName !== 'manifest') throw new Malformed(`the root element is <${root.nodeName}>, not <manifest>`);
  const pkg = root.getAttribute('package') || undefined;
  // tools:node="remove" takes a permission out of the merged manifest (a library's, usually).
  const permElements = [...children(root, 'uses-permission'), ...children(root, 'uses-permission-sdk-23')];
  const removedBy = (el: Element) => /remove/.test(el.getAttributeNS(TOOLS_NS, 'node') || el.getAttribute('tools:node') || '');
  const permissions = permElements.filter((p) => !removedBy(p)).map((p) => androidAttr(p, 'name') ?? '').filter(Boolean);
  const removedPermissions = permElements.filter(removedBy).map((p) => androidAttr(p, 'name') ?? '').filter(Boolean);
  const activities: ManifestActivity[] = [];
  for (const app of children(root, 'application')) {
    for (const a of [...children(app, 'activity'), ...children(app, 'activity-alias')]) {
      const name = androidAttr(a, 'name');
      if (!name) continue;
      const exported = androidAttr(a, 'exported');
      const process = androidAttr(a, 'process');
      activities.push({
        name: className(name, pkg),
        ...(exported !== undefined ? { exported } : {}),
        ...(process !== undefined ? { process } : {}),
        filters: children(a, 'intent-filter').map((f) => ({
          actions: children(f, 'action').map((x) => androidAttr(x, 'name') ?? ''),
          categories: children(f, 'category').map((x) => androidAttr(x, 'name') ?? ''),
          schemes: children(f, 'data').map((x) => androidAttr(x, 'scheme') ?? '').filter(Boolean),
        })),
      });
    }
  }
  const q = children(root, 'queries');
  const packages = q.flatMap((x) => children(x, 'package')).map((p) => androidAttr(p, 'name') ?? '').filter(Boolean);
  return { ...(pkg ? { package: pkg } : {}), permissions, ...(removedPermissions.length ? { removedPermissions } : {}), activities, queries: { present: q.length > 0, packages } };
}
