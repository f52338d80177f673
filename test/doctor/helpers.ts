/** Shared by the doctor tests: the fixture project trees and their expectations. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from '../helpers/fixtures.js';

export const PROJECTS = join(FIXTURES, 'projects');

export interface Expect {
  fail: string[];
  warn: string[];
  args?: string[];
  note?: string;
  /** No app to check: a one-line error (exit 1) whose message or hint holds each of these strings. */
  noProject?: { mentions: string[] };
  /** Strings the JSON report must contain (notes, summaries). */
  mentions?: string[];
}

export interface Variant {
  /** e.g. ios-native/broken-schemes */
  name: string;
  dir: string;
  expect: Expect;
}

/** Every variant directory (one with an expect.json), sorted. */
export function variants(): Variant[] {
  const out: Variant[] = [];
  for (const platform of readdirSync(PROJECTS).sort()) {
    const pdir = join(PROJECTS, platform);
    if (!statSync(pdir).isDirectory()) continue;
    for (const v of readdirSync(pdir).sort()) {
      const dir = join(pdir, v);
      const file = join(dir, 'expect.json');
      try {
        out.push({ name: `${platform}/${v}`, dir, expect: JSON.parse(readFileSync(file, 'utf8')) as Expect });
      } catch {
        /* not a variant */
      }
    }
  }
  return out;
}
