/** Detecting private key material in output: tests grep every stream for it. */
import type { JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { parseKey } from '../../src/core/keys.js';
import type { RunResult } from './cli.js';

/**
 * 24-character runs of the private part of a key's Base64 (PKCS#8 and PKCS#1), none of which may
 * ever be printed. Runs start past the public modulus and exponent, which the public half legitimately shows.
 */
export function secretRuns(privateFile: string): string[] {
  const key = parseKey(readFileSync(privateFile), 'private').value!.privateKey!;
  const d = Buffer.from((key.export({ format: 'jwk' }) as JsonWebKey).d!, 'base64url');
  const runs: string[] = [];
  for (const type of ['pkcs8', 'pkcs1'] as const) {
    const der = key.export({ type, format: 'der' });
    const from = Math.ceil(der.indexOf(d) / 3) * 4; // first Base64 quantum wholly inside the private part
    expect(from).toBeGreaterThan(0);
    const b64 = der.toString('base64');
    for (let i = from; i + 24 <= b64.length; i += 12) runs.push(b64.slice(i, i + 24));
  }
  return runs;
}

/** Fails if any run of private key material appears in stdout or stderr (whitespace ignored). */
export function expectNoSecrets(r: RunResult, runs: readonly string[]): void {
  const all = (r.stdout + r.stderr).replace(/\s/g, '');
  for (const run of runs) expect(all.includes(run), `private key material printed: ${run}`).toBe(false);
}
