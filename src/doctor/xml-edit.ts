/**
 * Formatting-preserving XML edits. xmldom records where every node starts (line and column, text
 * nodes included); an element ends where its next sibling starts, or just before its parent's
 * closing tag. Edits insert text at offsets computed from those positions, copying the indentation
 * and line endings of the lines around them, so the rest of the file stays byte-for-byte as it was.
 * Callers re-parse the result to prove it is still well-formed.
 */
import type { Document, Element, Node as XmlNode } from '@xmldom/xmldom';
import { parseXml } from './parsers/xml.js';

export class EditRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EditRefused';
  }
}

interface Located {
  lineNumber?: number;
  columnNumber?: number;
}

/** A parsed document plus the means to turn node positions into offsets of the original text. */
export class XmlText {
  readonly doc: Document;
  private readonly lineStarts: number[];
  readonly eol: string;

  constructor(readonly text: string) {
    this.doc = parseXml(text);
    this.lineStarts = [0];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 13 && text.charCodeAt(i + 1) === 10) continue;
      if (c === 10 || c === 13) this.lineStarts.push(i + 1);
    }
    this.eol = text.includes('\r\n') ? '\r\n' : '\n';
  }

  /** Offset where a node starts (`<` of an element, first character of a text node). */
  start(node: XmlNode): number {
    const l = node as unknown as Located;
    if (!l.lineNumber || !l.columnNumber) throw new EditRefused('the parser gave no position for a node');
    const at = this.lineStarts[l.lineNumber - 1];
    if (at === undefined) throw new EditRefused('a node position lies outside the file');
    return at + l.columnNumber - 1;
  }

  /** Offset just after a node ends (after `</x>` or `/>` for an element). */
  end(node: XmlNode): number {
    if (node.nextSibling) return this.start(node.nextSibling);
    const parent = node.parentNode;
    if (!parent || parent.nodeType === 9) return this.text.length;
    const parentEnd = this.end(parent);
    const close = this.text.lastIndexOf(`</${parent.nodeName}`, parentEnd);
    if (close === -1) throw new EditRefused(`no closing tag for <${parent.nodeName}>`);
    return close;
  }

  /** Leading whitespace of the line holding `offset`. */
  indentAt(offset: number): string {
    let i = offset;
    while (i > 0 && this.text[i - 1] !== '\n' && this.text[i - 1] !== '\r') i--;
    return /^[ \t]*/.exec(this.text.slice(i))![0];
  }
}

/** Element children of a node. */
export function elements(node: XmlNode): Element[] {
  const out: Element[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.nodeType === 1) out.push(c as Element);
  return out;
}

/** One indentation step: the child's indentation beyond the parent's, else `fallback`. */
export function indentUnit(x: XmlText, parent: Element, child: Element | undefined, fallback: string): string {
  if (!child) return fallback;
  const p = x.indentAt(x.start(parent));
  const c = x.indentAt(x.start(child));
  return c.startsWith(p) && c.length > p.length ? c.slice(p.length) : fallback;
}

/** Re-indents a snippet (lines joined by \n, first line unindented) at `indent`, with the file's line ending. */
export function block(lines: readonly string[], indent: string, eol: string): string {
  return lines.map((l, i) => (i === 0 ? l : indent + l)).join(eol);
}

export interface Insertion {
  at: number;
  text: string;
  /** Characters replaced at `at` (0: a pure insertion). */
  remove?: number;
}

/** Applies non-overlapping insertions (any order) to the text. */
export function applyInsertions(text: string, ins: readonly Insertion[]): string {
  let out = text;
  for (const i of [...ins].sort((a, b) => b.at - a.at)) out = out.slice(0, i.at) + i.text + out.slice(i.at + (i.remove ?? 0));
  return out;
}

/**
 * Adds `items` (each a snippet of lines) as the last children of `container`, one per line at the
 * children's indentation. An empty or self-closing container is rewritten with the children inside.
 */
export function appendChildren(x: XmlText, container: Element, items: ReadonlyArray<readonly string[]>, unit: string): Insertion[] {
  const kids = elements(container);
  const base = x.indentAt(x.start(container));
  if (kids.length) {
    const last = kids[kids.length - 1]!;
    const indent = x.indentAt(x.start(last));
    return [{ at: x.end(last), text: items.map((it) => x.eol + indent + block(it, indent, x.eol)).join('') }];
  }
  const from = x.start(container);
  const to = x.end(container);
  const inner = items.map((it) => x.eol + base + unit + block(it, base + unit, x.eol)).join('');
  // Replace the whole (empty) element, attributes kept.
  const original = x.text.slice(from, to);
  const name = container.nodeName;
  const attrs = /^<[^\s/>]+([^>]*?)\/?>/.exec(original)?.[1] ?? '';
  const closeAt = original.lastIndexOf(`</${name}`);
  const tail = closeAt === -1 ? '' : original.slice(closeAt).replace(/^<\/[^>]*>/, '');
  return [{ at: from, remove: to - from, text: `<${name}${attrs.replace(/\s*\/$/, '')}>${inner}${x.eol}${base}</${name}>${tail}` }];
}
