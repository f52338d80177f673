/** project.pbxproj, read with the xcode package's grammar and summarised per native target. */
import { pbxproj } from '../deps.js';
import type { PbxSummary, PbxTarget } from '../types.js';
import { Malformed } from './malformed.js';

type PbxValue = string | number | PbxValue[] | { value: string; comment?: string } | { [k: string]: PbxValue };

/** pbxproj strings keep their quotes in the parse tree: `"a b"` -> a b, with escapes undone. */
export function unquote(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string') return '';
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) {
    return v.slice(1, -1).replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
  }
  return v;
}

function ref(v: unknown): string {
  return typeof v === 'object' && v !== null && 'value' in v ? String((v as { value: unknown }).value) : unquote(v);
}

/** Parses project.pbxproj with the xcode package's grammar and summarises the targets. */
export function parsePbxproj(text: string): PbxSummary {
  let tree: { project?: { objects?: Record<string, PbxValue> } };
  try {
    tree = pbxproj().parse(text) as typeof tree;
  } catch (err) {
    const e = err as Error & { location?: { start?: { line?: number } } };
    throw new Malformed(`not a valid project.pbxproj (${e.message})`, e.location?.start?.line);
  }
  const grouped = tree.project?.objects;
  if (!grouped || typeof grouped !== 'object') throw new Malformed('project.pbxproj has no objects section');
  // The grammar groups objects by their `/* Begin X section */` comments; files without those
  // comments come out flat. Flatten both into one id -> object table.
  const objects: Record<string, PbxValue> = {};
  for (const [k, v] of Object.entries(grouped)) {
    if (v && typeof v === 'object' && !Array.isArray(v) && !('isa' in v) && !k.endsWith('_comment')) Object.assign(objects, v);
    else objects[k] = v;
  }
  const obj = (id: string): Record<string, PbxValue> | undefined => {
    const o = objects[id];
    return o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, PbxValue>) : undefined;
  };
  const targets: PbxTarget[] = [];
  for (const [id, o] of Object.entries(objects)) {
    if (id.endsWith('_comment') || !o || typeof o !== 'object' || Array.isArray(o)) continue;
    const t = o as Record<string, PbxValue>;
    if (t.isa !== 'PBXNativeTarget') continue;
    const phases: PbxTarget['phases'] = [];
    const resources: string[] = [];
    for (const p of Array.isArray(t.buildPhases) ? t.buildPhases : []) {
      const pid = ref(p);
      const phase = obj(pid);
      if (!phase) continue;
      const isa = unquote(phase.isa);
      const comment = typeof objects[`${pid}_comment`] === 'string' ? (objects[`${pid}_comment`] as string) : '';
      const name = unquote(phase.name) || comment || isa;
      phases.push({ isa, name, ...(isa === 'PBXShellScriptBuildPhase' ? { script: unquote(phase.shellScript) } : {}) });
      if (isa === 'PBXResourcesBuildPhase') {
        for (const f of Array.isArray(phase.files) ? phase.files : []) {
          const build = obj(ref(f));
          const fileRef = build ? obj(ref(build.fileRef)) : undefined;
          const path = fileRef ? unquote(fileRef.path) || unquote(fileRef.name) : '';
          if (path) resources.push(path.split('/').pop()!);
        }
      }
    }
    const settings: PbxTarget['settings'] = {};
    const list = obj(ref(t.buildConfigurationList));
    for (const c of list && Array.isArray(list.buildConfigurations) ? list.buildConfigurations : []) {
      const conf = obj(ref(c));
      if (!conf) continue;
      const bs = conf.buildSettings;
      const flat: Record<string, string> = {};
      if (bs && typeof bs === 'object' && !Array.isArray(bs)) {
        for (const [k, v] of Object.entries(bs)) if (typeof v === 'string' || typeof v === 'number') flat[k] = unquote(v);
      }
      settings[unquote(conf.name) || ref(c)] = flat;
    }
    targets.push({ name: unquote(t.name) || unquote(objects[`${id}_comment`]), productType: unquote(t.productType), phases, resources, settings });
  }
  targets.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { targets };
}
