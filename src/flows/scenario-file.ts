/**
 * Finding and reading a scenario for `simulate scenario`: a built-in name or a file path. The path
 * may be anything a person (or a CI variable) typed: /dev/zero, a FIFO, /etc/shadow, a 5,000-deep
 * nesting. Only a regular file of at most 1 MB is read (the doctor's bounded reader: non-blocking
 * open, size checked on the descriptor, the read itself capped); nesting is capped at 32 levels
 * before anything is parsed; a syntax error gives the line, column and kind, never the file's bytes.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Scenario } from '../core/scenario.js';
import { fileError, TacpayError } from '../errors.js';
import { inert } from '../core/inert.js';

/** Largest scenario file read: the built-in ones are about 1 KB. */
export const MAX_SCENARIO_BYTES = 1024 * 1024;
/** Deepest nesting of objects and arrays: the built-in ones need 5 (steps → step → expect → history → entry). */
export const MAX_SCENARIO_DEPTH = 32;
/** Problems listed in the one-line refusal; the rest are counted. */
const SHOWN_PROBLEMS = 5;

/** The built-in scenarios: fixtures/scenarios of the package, found from this file (src/ in development, dist/ when installed). */
export function builtinDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'fixtures', 'scenarios');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

export interface ScenarioEntry {
  name: string;
  description: string;
  steps: number;
  file: string;
}

/** The package's own scenarios (trusted files, shipped with tacpay). */
export function listBuiltins(): ScenarioEntry[] {
  const dir = builtinDir();
  if (!dir) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const file = join(dir, f);
      const v = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; description?: string; steps?: unknown[] };
      return { name: v.name ?? f.replace(/\.json$/, ''), description: v.description ?? '', steps: v.steps?.length ?? 0, file };
    });
}

const HINT = `a scenario is a JSON file of at most ${MAX_SCENARIO_BYTES / 1024 / 1024} MB; tacpay simulate scenario --list shows the built-in ones`;

/** The file's text: a regular file within the size cap, UTF-8, a leading byte order mark dropped. */
async function readScenarioText(file: string): Promise<string> {
  const { readBounded, Refused } = await import('../doctor/fsread.js');
  const shown = inert(file, { singleLine: true });
  let buf: Buffer;
  try {
    // A directory opens fine read-only on Linux: name it as one rather than as "not a regular file".
    if (statSync(file).isDirectory()) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
    // No confinement: the user named this path on the command line.
    buf = await readBounded(file, MAX_SCENARIO_BYTES);
  } catch (err) {
    if (err instanceof Refused) throw new TacpayError(`scenario file ${shown}: ${err.reason}`, HINT, 'scenario');
    throw fileError(err as NodeJS.ErrnoException, shown, 'scenario file');
  }
  const text = buf.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Parses the text after a scan that bounds its depth and locates a mistake without quoting it. */
async function parseScenarioJson(text: string, file: string): Promise<unknown> {
  const { jsonSyntaxError } = await import('../core/json-syntax.js');
  const shown = inert(file, { singleLine: true });
  const bad = jsonSyntaxError(text, MAX_SCENARIO_DEPTH);
  if (bad) {
    const deep = bad.kind.startsWith('nesting deeper');
    throw new TacpayError(
      `scenario ${shown} is not valid JSON: line ${bad.line}, column ${bad.column}: ${bad.kind}`,
      deep ? `scenario files need only a few levels (the built-in ones use 5); nesting is capped at ${MAX_SCENARIO_DEPTH}` : 'check the file at that position with a JSON linter or your editor',
      'scenario',
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // The scan accepts only what JSON.parse accepts; this is a safety net with no bytes in it either.
    throw new TacpayError(`scenario ${shown} is not valid JSON`, 'check the file with a JSON linter', 'scenario');
  }
}

/** The file a scenario reference names: an existing path (relative to `cwd`), else a built-in name; undefined for neither. */
export function findScenario(ref: string, cwd: string): string | undefined {
  const asFile = resolve(cwd, ref);
  if (existsSync(asFile)) return asFile;
  const builtin = builtinDir();
  if (builtin && /^[A-Za-z0-9_-]+$/.test(ref) && existsSync(join(builtin, `${ref}.json`))) return join(builtin, `${ref}.json`);
  return undefined;
}

/** What to say about a reference findScenario does not know: the names it would have taken. */
export function unknownScenarioHint(): string {
  const names = listBuiltins().map((s) => s.name);
  return `built-in: ${names.join(', ') || '(none found)'}; or give the path of a JSON file`;
}

/** A scenario file read (bounded) and validated before anything runs. */
export async function readScenario(file: string): Promise<{ scenario: Scenario; source: string }> {
  const json = await parseScenarioJson(await readScenarioText(file), file);
  return { scenario: await checkScenario(json, basename(file).replace(/\.json$/, ''), `scenario ${inert(file, { singleLine: true })}`), source: file };
}

/** A parsed scenario (from a file or a caller's object) validated; `what` names it in the refusal, `name` is used when it has none. */
export async function checkScenario(json: unknown, name: string, what: string): Promise<Scenario> {
  const { validateScenario } = await import('../core/scenario.js');
  const r = validateScenario(json, name);
  if (r.value) return r.value;
  const errors = r.issues.filter((i) => i.severity === 'error');
  const shown = errors.slice(0, SHOWN_PROBLEMS).map((i) => inert(i.message, { singleLine: true }));
  const more = errors.length > SHOWN_PROBLEMS ? `; and ${errors.length - SHOWN_PROBLEMS} more` : '';
  throw new TacpayError(
    `${what} has ${errors.length} problem${errors.length === 1 ? '' : 's'}: ${shown.join('; ')}${more}`,
    errors.find((i) => i.hint)?.hint ?? 'the built-in scenarios (tacpay simulate scenario --list) show the format',
    'scenario',
  );
}
