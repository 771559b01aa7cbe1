// worker.terminate() stops a thread without running any more of its JavaScript: no 'exit'
// listener, so its CPU profile would be lost. piscina and tinypool end idle workers that way.
// Before a recorded worker is terminated, its creator asks it (over a BroadcastChannel, which
// reaches every thread of the process without touching the user's ports) to write its profile
// and flush its spans, waits for the answer or a short timeout, then terminates it.

/** How long terminate() waits for the worker to save; a worker busy in a long synchronous task cannot answer. */
const SAVE_TIMEOUT_MS = 250;
const CHANNEL = 'parallel-profiler:save-before-terminate';

interface SaveMessage { save?: number; saved?: number }

/** Worker side: calls `save` when this thread is about to be terminated. */
export function listenForSaveRequests(threadId: number, save: () => void): void {
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (event: unknown) => {
    const data = (event as MessageEvent<SaveMessage>).data;
    if (data?.save !== threadId) return;
    save();
    channel.postMessage({ saved: threadId } satisfies SaveMessage);
  };
  // Listening must not keep the worker alive.
  (channel as unknown as { unref(): void }).unref();
}

/** Creator side: resolves once worker `threadId` has saved, or after the timeout. */
export function askToSave(threadId: number): Promise<boolean> {
  return new Promise((resolve) => {
    const channel = new BroadcastChannel(CHANNEL);
    const done = (saved: boolean): void => {
      clearTimeout(timer);
      channel.close();
      resolve(saved);
    };
    const timer = setTimeout(() => done(false), SAVE_TIMEOUT_MS);
    channel.onmessage = (event: unknown) => {
      if ((event as MessageEvent<SaveMessage>).data?.saved === threadId) done(true);
    };
    channel.postMessage({ save: threadId } satisfies SaveMessage);
  });
}
