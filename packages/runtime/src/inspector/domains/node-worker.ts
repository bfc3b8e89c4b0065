/**
 * The NodeWorker domain (Node's, not V8's): VS Code enables it to attach to worker threads.
 * trapdoor debugs the main thread only, so there are never workers to report.
 */
import type { NodeDomainHandlers } from '../session.js';

export const nodeWorkerDomain: NodeDomainHandlers = {
  'NodeWorker.enable': () => ({}),
  'NodeWorker.disable': () => ({}),
};
