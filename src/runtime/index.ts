// Public API of the package `parallel-profiler`: a Rayon-style worker pool that the profiler
// records when it is attached, and workload() entry points.
export { ThreadPool } from './pool';
export {
  range, Range, defaultThreads, defaultSchedule,
  type Schedule, type PoolOptions, type OperationOptions, type ReduceOptions, type TaskContext, type TypedArray, type PoolInput,
} from './pool-types';
export { workload, WORKLOAD_ENV } from './pool-workload';
export { chunkSizeFor } from './schedule';
