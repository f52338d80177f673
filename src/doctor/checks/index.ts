/** Every check, in report order: by category, then as listed in each family. The order is part of the output contract. */
import type { Check } from '../types.js';
import { ANDROID_CHECKS } from './android.js';
import { CONFIG_CHECKS } from './config.js';
import { IOS_CHECKS } from './ios.js';
import { LOG_CHECKS } from './log.js';
import { MANUAL_CHECKS } from './manual.js';
import { PAYINFO_CHECKS } from './payinfo.js';

export const CHECKS: readonly Check[] = [...CONFIG_CHECKS, ...IOS_CHECKS, ...ANDROID_CHECKS, ...PAYINFO_CHECKS, ...LOG_CHECKS, ...MANUAL_CHECKS];
