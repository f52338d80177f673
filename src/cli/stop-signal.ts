/**
 * Waiting for Ctrl-C or a service manager's SIGTERM: the one place a command touches `process`.
 * `sandbox start` and `sandbox log --follow` run until told to stop, and being told to stop is
 * their normal end (exit 0), not a cancellation.
 */

export interface StopSignal {
  /** Resolves with the first SIGINT or SIGTERM received. */
  stopped: Promise<NodeJS.Signals>;
  /** Removes the listeners (when the command ends for another reason). */
  dispose(): void;
}

/**
 * Listens once for SIGINT and SIGTERM. After the first, both listeners are gone, so a second signal
 * takes Node's default action and ends the process at once: the usual "press Ctrl-C again" escape
 * from a shutdown that hangs.
 */
export function onStopSignal(): StopSignal {
  let onSignal: (signal: NodeJS.Signals) => void = () => {};
  const dispose = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = (signal) => {
      dispose();
      resolve(signal);
    };
  });
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return { stopped, dispose };
}
