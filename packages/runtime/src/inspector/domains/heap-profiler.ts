/**
 * The HeapProfiler domain: only `enable`/`disable`, which clients send at start-up. Heap
 * snapshots are not available (unknown method, -32601).
 */
import type { DomainHandlers } from '../session.js';

export const heapProfilerDomain: DomainHandlers = {
  'HeapProfiler.enable': () => ({}),
  'HeapProfiler.disable': () => ({}),
};
