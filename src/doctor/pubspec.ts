/** pubspec.yaml, read only as far as the doctor needs: dependency names, and the `path:` ones' paths. */

export function pubspecDependencies(text: string): { names: string[]; paths: Map<string, string> } {
  const names: string[] = [];
  const paths = new Map<string, string>();
  let inDeps = false;
  let current: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (/^\S/.test(line)) {
      inDeps = /^dependencies\s*:/.test(line);
      current = undefined;
      continue;
    }
    if (!inDeps) continue;
    const dep = /^ {2}([\w-]+)\s*:\s*(.*)$/.exec(line);
    if (dep) {
      current = dep[1]!;
      if (current !== 'flutter' && current !== 'cupertino_icons') names.push(current);
      continue;
    }
    const p = /^ {4}path\s*:\s*["']?([^"'\s]+)["']?/.exec(line);
    if (p && current) paths.set(current, p[1]!);
  }
  return { names, paths };
}
