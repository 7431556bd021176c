// This process's memory after a full garbage collection, so that what a scenario holds is measured,
// not what the collector has yet to free. The bench runs without --expose-gc: V8 is told at run time.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** `process.memoryUsage()` right after a full collection. */
export function settledMemory(): NodeJS.MemoryUsage {
  collect();
  return process.memoryUsage();
}
