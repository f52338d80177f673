/** Reading the app target of a parsed project.pbxproj: used by the gather step and by the checks. */
import type { PbxSummary, PbxTarget } from './types.js';

/** The app target: the first application target by name (pbxproj targets are sorted). */
export function appTarget(pbx: PbxSummary | undefined): PbxTarget | undefined {
  return pbx?.targets.find((t) => t.productType === 'com.apple.product-type.application') ?? pbx?.targets[0];
}

/** A build setting of the target: Release first, then any configuration. */
export function setting(t: PbxTarget | undefined, key: string): string | undefined {
  if (!t) return undefined;
  const confs = Object.keys(t.settings).sort((a, b) => (a === 'Release' ? -1 : b === 'Release' ? 1 : a < b ? -1 : 1));
  for (const c of confs) {
    const v = t.settings[c]?.[key];
    if (v) return v;
  }
  return undefined;
}
