/**
 * The NodeRuntime domain (Node's): enabled by clients at start-up; it has nothing to report here.
 */
import type { NodeDomainHandlers } from '../session.js';

export const nodeRuntimeDomain: NodeDomainHandlers = {
  'NodeRuntime.enable': () => ({}),
  'NodeRuntime.disable': () => ({}),
};
