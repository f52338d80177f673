/**
 * The shape of src/ held by a test: no import circles (static, type-only and dynamic imports all
 * count), and the layers import only downwards: core <- client, sandbox, doctor, config, batch <- flows <- cli.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');

type Graph = Map<string, string[]>;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Each src file (relative to the repo) -> the src files it imports, relative specifiers only. */
function importGraph(): Graph {
  const files = tsFiles(SRC);
  const known = new Set(files);
  const graph: Graph = new Map();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const deps = new Set<string>();
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = resolve(dirname(file), fileName.replace(/\.js$/, '.ts'));
      if (known.has(target)) deps.add(relative(ROOT, target));
    }
    graph.set(relative(ROOT, file), [...deps].sort());
  }
  return graph;
}

/** The strongly connected components of more than one file, or a file importing itself (Tarjan). */
export function findCycles(graph: Graph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return cycles;
}

/** A layer is the first folder under src/ (a file directly in src/, like errors.ts, is in none). */
function layer(file: string): string | undefined {
  const parts = file.split(/[\\/]/);
  return parts.length > 2 ? parts[1] : undefined;
}

/** What each layer must not import. */
const FORBIDDEN: Record<string, (to: string | undefined) => boolean> = {
  core: (to) => to !== 'core',
  sandbox: (to) => to === 'cli' || to === 'flows',
  client: (to) => to === 'cli' || to === 'flows',
  doctor: (to) => to === 'cli' || to === 'flows',
  batch: (to) => to === 'cli' || to === 'flows',
  config: (to) => to === 'cli' || to === 'flows',
  flows: (to) => to === 'cli',
};

/** "a -> b" for every import that crosses a layer the wrong way. */
export function layerViolations(graph: Graph): string[] {
  const out: string[] = [];
  for (const [from, deps] of graph) {
    const rule = FORBIDDEN[layer(from) ?? ''];
    if (rule) for (const to of deps) if (rule(layer(to))) out.push(`${from} -> ${to}`);
  }
  return out.sort();
}

describe('the cycle finder', () => {
  it('finds a circle of three and a self-import, and names their files', () => {
    const g: Graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['e']],
    ]);
    expect(findCycles(g)).toEqual([['a', 'b', 'c'], ['e']]);
  });
  it('finds a circle through a dynamic or type-only edge the same way, and none in a tree', () => {
    expect(findCycles(new Map([['x', ['y']], ['y', ['x']]]))).toEqual([['x', 'y']]);
    expect(findCycles(new Map([['x', ['y', 'z']], ['y', ['z']], ['z', []]]))).toEqual([]);
  });
});

describe('the layer rule', () => {
  it('names each wrong-way import and lets the right way through', () => {
    const g: Graph = new Map([
      ['src/core/a.ts', ['src/errors.ts', 'src/core/b.ts']],
      ['src/sandbox/s.ts', ['src/core/a.ts', 'src/flows/f.ts', 'src/errors.ts']],
      ['src/flows/f.ts', ['src/cli/c.ts', 'src/sandbox/s.ts']],
      ['src/cli/c.ts', ['src/flows/f.ts']],
    ]);
    expect(layerViolations(g)).toEqual(['src/core/a.ts -> src/errors.ts', 'src/flows/f.ts -> src/cli/c.ts', 'src/sandbox/s.ts -> src/flows/f.ts']);
  });
});

describe('src/', () => {
  const graph = importGraph();

  it('is read: the scanner sees static, type-only and dynamic imports', () => {
    expect(graph.size).toBeGreaterThan(100);
    // A lazy command import and a type-only import, both known to exist today.
    expect(graph.get('src/cli/commands/decode/index.ts')).toEqual(expect.arrayContaining(['src/cli/commands/decode/run.ts']));
    expect(graph.get('src/cli/commands/decode/render.ts')).toEqual(expect.arrayContaining(['src/core/payinfo-report.ts']));
  });

  it('has no import circles', () => {
    expect(findCycles(graph).map((c) => c.join(' <-> '))).toEqual([]);
  });

  it('imports only downwards between layers', () => {
    expect(layerViolations(graph)).toEqual([]);
  });

  // The CLI bundle reaches src/sandbox and src/doctor through dist/sandbox.cjs and dist/doctor.cjs,
  // which export only what their index.ts re-exports (scripts/build.mjs): a CLI file that imports a
  // module the index leaves out gets undefined at run time ("s is not a function"), not a build error.
  // Flows are bundled into the CLI too, so the same holds for them.
  it('re-exports from sandbox/index.ts and doctor/index.ts every module the CLI and the flows import at run time', () => {
    const missing: string[] = [];
    for (const file of [...tsFiles(join(SRC, 'cli')), ...tsFiles(join(SRC, 'flows'))]) {
      const text = readFileSync(file, 'utf8');
      // Value imports only: `import type` and `import { type X }`-only lines are erased by the build.
      const specs = [...text.matchAll(/^\s*import\s+(?!type\b)([^;]*?)\s+from\s+'([^']+)'/gms)]
        .filter((m) => !/^\{\s*(type\s+\w+\s*,?\s*)+\}$/.test(m[1]!.trim()))
        .map((m) => m[2]!)
        .concat([...text.matchAll(/import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]!));
      for (const spec of specs) {
        if (!spec.startsWith('.')) continue;
        const target = relative(SRC, resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
        const unit = /^(sandbox|doctor)\/(.+)\.ts$/.exec(target);
        if (!unit || unit[2] === 'index') continue;
        const index = readFileSync(join(SRC, unit[1]!, 'index.ts'), 'utf8');
        if (!index.includes(`from './${unit[2]}.js'`)) missing.push(`${relative(ROOT, file)} imports src/${target}, which src/${unit[1]}/index.ts does not re-export`);
      }
    }
    expect(missing).toEqual([]);
  });

  // A usage error (exit 2) is about how a command was typed: only the CLI knows its flags. Below it,
  // a bad value is a TacpayError (exit 1) with a hint, or a typed result.
  it('constructs UsageError only in src/cli', () => {
    const outside = tsFiles(SRC)
      .filter((f) => !relative(SRC, f).startsWith('cli') && relative(SRC, f) !== 'errors.ts')
      .filter((f) => /new UsageError\b/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f));
    expect(outside).toEqual([]);
  });
});
