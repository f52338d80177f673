/** When a batch is worth worker threads (shared by the batch run and the early start of workers). */

/** Below this many lines, starting workers costs more than it saves. */
export const AUTO_WORKERS_AFTER = 2000;
/**
 * A file this big holds about AUTO_WORKERS_AFTER pay_info lines or more (~600 bytes each): its
 * workers start at once. (A file of a few huge lines starts them for nothing; they cost ~50 ms.)
 */
export const AUTO_WORKERS_BYTES = AUTO_WORKERS_AFTER * 512;
