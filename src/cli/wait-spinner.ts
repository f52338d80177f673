/**
 * A spinner on stderr while a network call is slow: nothing for the first 300 ms (most answers come
 * sooner, and a flash of spinner is noise), then "waiting for <host> … 1.4 s" until it settles.
 * Only on a terminal, never in CI or with --json (a terminal's stderr is still a person reading,
 * but a --json run is a script's, whose stderr is often captured into logs).
 */
import type { Ctx } from './context.js';
import { atInterrupt } from './interrupt.js';
import { writableOf } from './output.js';

export interface Waiter {
  /** Changes the text (a retry). */
  say(text: string): void;
  /** Removes the spinner line; safe to call more than once. */
  stop(): void;
}

const QUIET: Waiter = { say: () => {}, stop: () => {} };

export function startWaiting(ctx: Ctx, text: string, delayMs = 300): Waiter {
  if (!ctx.tty.stderr || ctx.json || ctx.env.CI || ctx.env.TERM === 'dumb') return QUIET;
  let current = text;
  let stopped = false;
  let spinner: { text: string; stop(): unknown } | undefined;
  let ticker: NodeJS.Timeout | undefined;
  const started = Date.now();
  const label = (): string => `${current} ${((Date.now() - started) / 1000).toFixed(1)} s`;
  let forget = (): void => {};
  const timer = setTimeout(() => {
    void ctx.importModule('yocto-spinner').then((mod) => {
      if (stopped) return;
      const yoctoSpinner = (mod as typeof import('yocto-spinner')).default;
      // Its own signal handlers would exit 130 before main.ts says "cancelled" (and would tell
      // main.ts that the command handles Ctrl-C): interrupt.ts stops it instead.
      spinner = yoctoSpinner({ text: label(), stream: writableOf(ctx.stderr) as NodeJS.WriteStream, handleSignals: false }).start();
      // The elapsed time is part of the text; the spinner only redraws what it is given.
      ticker = setInterval(() => spinner && (spinner.text = label()), 100);
      ticker.unref();
      forget = atInterrupt(() => spinner?.stop());
    });
  }, delayMs);
  timer.unref();
  return {
    say(t) {
      current = t;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      if (ticker) clearInterval(ticker);
      spinner?.stop();
      forget();
    },
  };
}
