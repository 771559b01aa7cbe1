// The message shapes of the worker pools the preload knows by name, read from their code
// (piscina 5 dist/worker.js, tinypool 2 dist/entry/worker.js, workerpool 10 src/worker.js,
// poolifier 5 lib/index.cjs ThreadWorker). A worker of one of them gets one span per task
// message, from its receipt to the reply that carries the same task id; the pool's own
// handshake, ready, statistics, cleanup, abort and kill messages get none.
import { NO_SUBMIT_KEY } from './contract';

/** Pools recognised by name: by their path in node_modules on the creating and the worker side. */
export const KNOWN_POOLS = ['piscina', 'tinypool', 'workerpool', 'poolifier'] as const;
export type KnownPool = typeof KNOWN_POOLS[number];

/** The known pool whose code is on `stack` (a worker's listener registration or receive), or null. */
export function poolOnStack(stack: string): KnownPool | null {
  for (const lib of KNOWN_POOLS) if (stack.includes(`/node_modules/${lib}/`)) return lib;
  return null;
}

/** A task message: `id` pairs it with its reply; `submitKey` pairs it with its submit on the creating side. */
export interface TaskMessage {
  id: number | string;
  /** Key of the creating thread's submit record (interop-submits.ts), or NO_SUBMIT_KEY. */
  submitKey: number;
  /** When the task was submitted, in the creating thread's performance.now() ms, when the message says (poolifier); else NaN. */
  submittedPerfMs: number;
}

/** workerpool numbers its requests per worker: the submit key is threadId · WORKERPOOL_KEY_STRIDE + request id. */
export const WORKERPOOL_KEY_STRIDE = 2 ** 32;
/**
 * A raw worker's messages from its creator (worker.postMessage → parentPort) arrive in the order
 * they were posted: the k-th (0-based) has submit key threadId · RAW_MESSAGE_KEY_STRIDE + k on both sides.
 */
export const RAW_MESSAGE_KEY_STRIDE = 2 ** 32;

const WORKERPOOL_CLEANUP = '__workerpool-cleanup__';

type Obj = Record<string, unknown>;
const isObject = (m: unknown): m is Obj => typeof m === 'object' && m !== null;

/** The task in `message` for a worker of `lib` running as thread `threadId`; null for the pool's own messages. */
export function taskOf(lib: KnownPool, message: unknown, threadId: number): TaskMessage | null {
  if (!isObject(message)) return null;
  switch (lib) {
    case 'piscina':
    case 'tinypool':
      // { task, taskId, filename, name }; the handshake carries { filename, port, sharedBuffer } and no taskId.
      return typeof message.taskId === 'number' && 'task' in message
        ? { id: message.taskId, submitKey: message.taskId, submittedPerfMs: NaN } : null;
    case 'workerpool':
      // JSON-RPC { id, method, params }; '__workerpool-terminate__' is a bare string, cleanup has its method.
      return typeof message.id === 'number' && typeof message.method === 'string' && message.method !== WORKERPOOL_CLEANUP
        ? { id: message.id, submitKey: threadId * WORKERPOOL_KEY_STRIDE + message.id, submittedPerfMs: NaN } : null;
    case 'poolifier':
      // { taskId, data, name, timestamp }; statistics, checkActive, kill, taskFunctionOperation and
      // { taskId, taskOperation: 'abort' } are the pool's own.
      return typeof message.taskId === 'string' && message.data != null && message.taskOperation === undefined
        ? { id: message.taskId, submitKey: NO_SUBMIT_KEY, submittedPerfMs: typeof message.timestamp === 'number' ? message.timestamp : NaN } : null;
  }
}

/** A reply posted by a worker: the task it answers, and whether that task failed. */
export interface Reply { id: number | string; failed: boolean }

/** The task a reply posted by a worker of `lib` answers, or undefined when it answers none. */
export function replyOf(lib: KnownPool, message: unknown): Reply | undefined {
  if (!isObject(message)) return undefined;
  switch (lib) {
    case 'piscina':
    case 'tinypool':
      return typeof message.taskId === 'number' ? { id: message.taskId, failed: message.error != null } : undefined;
    case 'workerpool':
      // Results and errors; { id, isEvent } are progress events of a running task.
      return typeof message.id === 'number' && message.isEvent !== true && message.method === undefined
        ? { id: message.id, failed: message.error != null } : undefined;
    case 'poolifier':
      return typeof message.taskId === 'string' && ('data' in message || 'workerError' in message)
        ? { id: message.taskId, failed: message.workerError != null } : undefined;
  }
}
