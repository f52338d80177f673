import { spawn } from 'node:child_process';
import { openSync, closeSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cleanEnv, tempDir } from '../helpers/cli.js';

/**
 * Peak RSS of `decode --file --workers 0` must not grow with the number of lines. Measured as the
 * growth between a short and a ten times longer run of the same lines, so the base (Node, the
 * bundle, V8's start-up heap) cancels out. The lines are ones the byte path declines (each judged
 * by the general path, allocating as a real batch of bad lines does): with V8's default sizing the
 * main thread's young generation grew with them, 112 MB peak for 100,000 such lines and 290 MB for
 * 1,000,000 on Node 24; bounded (src/batch/young-generation.ts) 88 and 97 MB.
 */
const SHORT = 30_000;
const LONG = 300_000;
/** Growth allowed from SHORT to LONG lines. The unbounded young generation grew 60-100 MB here. */
const MAX_GROWTH_MB = 24;

function writeLines(file: string, count: number): void {
  const fd = openSync(file, 'w');
  try {
    for (let from = 0; from < count; from += 10_000) {
      let chunk = '';
      // Part names, data keys and values differ per line, as in a file of real, differently broken pay_info.
      for (let i = from; i < Math.min(count, from + 10_000); i++) {
        chunk += i % 2 ? `line ${i} is not a pay_info\n` : `data=%7B%22k${i}%22%3A%22v${i}%22%7D&sign=s${i}&x${i}=1\n`;
      }
      writeSync(fd, chunk);
    }
  } finally {
    closeSync(fd);
  }
}

/** Runs the built CLI with a preload that reports its own peak RSS (kB, from getrusage) on stderr at exit. */
function peakRss(dir: string, file: string): Promise<{ code: number; peakKb: number; summary: string }> {
  const preload = join(dir, 'report-rss.cjs');
  writeFileSync(preload, "process.on('exit', () => process.stderr.write('\\nPEAK_RSS_KB ' + process.resourceUsage().maxRSS + '\\n'));\n");
  return new Promise((resolve, reject) => {
    // stdout to /dev/null: the records (tens of MB) are not the point, and a pipe read here would pace the run.
    const child = spawn(process.execPath, ['--require', preload, BIN, 'decode', '--file', file, '--workers', '0'], { cwd: dir, env: { NO_COLOR: '1', ...cleanEnv() } as NodeJS.ProcessEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`decode of ${file} did not finish in 30 s\n${stderr}`));
    }, 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const peak = /PEAK_RSS_KB (\d+)/.exec(stderr);
      if (!peak) return reject(new Error(`no peak RSS reported\n${stderr}`));
      resolve({ code: code ?? -1, peakKb: Number(peak[1]), summary: stderr.split('\n').find((l) => l.startsWith('decoded ')) ?? stderr });
    });
  });
}

describe('decode --file --workers 0 in constant memory', () => {
  it(`peak RSS for ${LONG.toLocaleString('en-US')} lines is within ${MAX_GROWTH_MB} MB of that for ${SHORT.toLocaleString('en-US')}`, async () => {
    const dir = tempDir();
    const short = join(dir, 'short.txt');
    const long = join(dir, 'long.txt');
    writeLines(short, SHORT);
    writeLines(long, LONG);
    const a = await peakRss(dir, short);
    const b = await peakRss(dir, long);
    expect(a.summary).toMatch(/^decoded 30,000 lines: 0 valid, 30,000 invalid/);
    expect(b.summary).toMatch(/^decoded 300,000 lines: 0 valid, 300,000 invalid/);
    expect([a.code, b.code]).toEqual([1, 1]);
    const growthMb = (b.peakKb - a.peakKb) / 1024;
    expect(growthMb, `peak RSS ${(a.peakKb / 1024).toFixed(1)} MB for ${SHORT} lines, ${(b.peakKb / 1024).toFixed(1)} MB for ${LONG}`).toBeLessThan(MAX_GROWTH_MB);
  }, 60_000);
});
