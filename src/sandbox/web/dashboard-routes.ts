import type { WebHandler } from './context.js';

/** The dashboard. */
export const serveDashboard: WebHandler = () => false;
