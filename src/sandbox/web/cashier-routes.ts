import type { WebHandler } from './context.js';

/** The Web SDK's script and cashier (spec §4.6). */
export const serveCashier: WebHandler = () => false;
