/**
 * What `simulate notify` says before and between attempts, on stderr: at scale 1 a handler that is
 * down keeps the command in the foreground for three hours (the production schedule, §3.1), which
 * nobody should discover by waiting. Before the first attempt: the intervals, the total, how to stop
 * and how to shorten it; before each retry: how long, until when, which attempt.
 */
import { MAX_ATTEMPTS, RETRY_SCHEDULE_S, retryDelayMs } from '../../../core/notification.js';

/** A duration as people read it: 15 ms, 1.8 s, 3 min, 1 h, 3 h 4 min. */
export function durationText(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return [h ? `${h} h` : '', m ? `${m} min` : '', s && !h ? `${s} s` : ''].filter(Boolean).join(' ');
}

/** The waits between attempts at this scale. */
export function scheduleMs(scale: number): number[] {
  return RETRY_SCHEDULE_S.map((_, i) => retryDelayMs(i + 1, scale)!);
}

/** The line said before the first attempt. */
export function scheduleNotice(o: { retry: boolean; retryScale: number; timeoutMs: number }): string {
  if (!o.retry) return 'one attempt only (--no-retry)';
  const waits = scheduleMs(o.retryScale);
  const total = waits.reduce((a, b) => a + b, 0);
  const which = o.retryScale === 1 ? 'the production schedule' : `the schedule scaled by ${o.retryScale}`;
  const shorten = o.retryScale === 1 ? '; --retry-scale 0.001 shortens it (15 s becomes 15 ms), --no-retry sends once' : '';
  return (
    `until the handler accepts, up to ${MAX_ATTEMPTS} attempts on ${which}: waits of ${waits.map(durationText).join(', ')} ` +
    `(${durationText(total)} in all, plus up to ${durationText(o.timeoutMs)} per attempt); Ctrl-C stops${shorten}`
  );
}

/** The line said when a retry is scheduled. */
export function waitNotice(nextAttempt: number, waitMs: number, now: Date): string {
  const at = new Date(now.getTime() + waitMs).toISOString().replace(/\.\d+Z$/, 'Z');
  return `waiting ${durationText(waitMs)} before attempt ${nextAttempt} of ${MAX_ATTEMPTS}${waitMs >= 60_000 ? ` (at ${at})` : ''}; Ctrl-C stops`;
}
