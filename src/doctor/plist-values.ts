/** Values read from an Info.plist, shared by the checks and the evidence of what is in use. */
import { appTarget, setting } from './targets.js';
import type { PlistDict, Snapshot } from './types.js';

/**
 * The URL schemes in Info.plist's CFBundleURLTypes, in order, with $(VAR) / ${VAR} build settings
 * of the app target substituted (React Native and Flutter projects often keep ids in build
 * settings). A variable that cannot be resolved stays as written.
 */
export function urlSchemes(plist: PlistDict, s?: Snapshot): string[] {
  const types = plist.CFBundleURLTypes;
  if (!Array.isArray(types)) return [];
  const t = appTarget(s?.ios?.pbxproj?.value);
  const expand = (v: string) => v.replace(/\$\(([A-Za-z0-9_]+)\)|\$\{([A-Za-z0-9_]+)\}/g, (m, a: string | undefined, b: string | undefined) => setting(t, (a ?? b)!) ?? m);
  return types.flatMap((x) => {
    const schemes = x && typeof x === 'object' ? (x as Record<string, unknown>).CFBundleURLSchemes : undefined;
    return Array.isArray(schemes) ? schemes.filter((y): y is string => typeof y === 'string').map(expand) : [];
  });
}

/** Schemes still holding a build variable tacpay could not resolve (from an .xcconfig, say). */
export function unresolved(schemes: readonly string[]): string[] {
  return schemes.filter((x) => /\$[({]/.test(x));
}

/** LSApplicationQueriesSchemes entries. */
export function querySchemes(plist: PlistDict): string[] {
  const v = plist.LSApplicationQueriesSchemes;
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
