/** Merging split TAC config files (§4.4): later files override earlier keys; nested dictionaries merge. */

function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !Buffer.isBuffer(v);
}

/** Deep merge: later objects override earlier keys; nested dictionaries merge (§4.4). */
export function mergeConfigs(docs: ReadonlyArray<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const into = (dst: Record<string, unknown>, src: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(src)) {
      // A hostile JSON file's "__proto__" key must not reach Object.prototype through the merge.
      if (k === '__proto__') continue;
      const cur = Object.hasOwn(dst, k) ? dst[k] : undefined;
      if (isDict(v) && isDict(cur)) into(cur, v);
      else dst[k] = isDict(v) ? into({}, v) : v;
    }
    return dst;
  };
  for (const d of docs) into(out, d);
  return out;
}
