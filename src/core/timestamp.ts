/**
 * The `ts` parameter (spec §1.4.4, §7 D4). Documented as "unix timestamp (GMT), seconds", but every
 * official example sends epoch - 28800 (the official demos subtract the GMT+8 offset on purpose), so
 * clients default to that reading; `epoch` sends the true epoch. The sandbox accepts either within a
 * window and records which reading matched.
 */

export type TsMode = 'beijing-naive' | 'epoch';

/** Seconds between the two readings: the GMT+8 offset the official demos subtract. */
export const BEIJING_OFFSET_S = 28800;
/** The sandbox's tolerance either side of now. */
export const TS_WINDOW_S = 300;

/** The `ts` value a client sends at `now` in the given mode. */
export function makeTs(now: Date, mode: TsMode): string {
  const epoch = Math.floor(now.getTime() / 1000);
  return String(mode === 'epoch' ? epoch : epoch - BEIJING_OFFSET_S);
}

export interface TsReading {
  /** Which reading put ts inside the window, if any. */
  matched?: TsMode;
  /** Seconds from now under each reading (positive: ts is in the future). */
  skew: Record<TsMode, number>;
}

/** Reads a received ts both ways; `matched` is the reading within ±window, the closer one if both. */
export function readTs(ts: string, now: Date, windowS = TS_WINDOW_S): TsReading | undefined {
  if (!/^\d{1,12}$/.test(ts)) return undefined;
  const epoch = Math.floor(now.getTime() / 1000);
  const value = Number(ts);
  const skew = { epoch: value - epoch, 'beijing-naive': value + BEIJING_OFFSET_S - epoch };
  const within = (['beijing-naive', 'epoch'] as const).filter((m) => Math.abs(skew[m]) <= windowS);
  within.sort((a, b) => Math.abs(skew[a]) - Math.abs(skew[b]));
  return within[0] ? { matched: within[0], skew } : { skew };
}
