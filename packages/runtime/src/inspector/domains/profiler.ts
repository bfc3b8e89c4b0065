/**
 * The Profiler domain: only what the start-up sequences of `node inspect` and VS Code send.
 * There is no sampling profiler in trap mode; starting one is an unknown method (-32601).
 */
import type { DomainHandlers } from '../session.js';

export const profilerDomain: DomainHandlers = {
  'Profiler.enable': () => ({}),
  'Profiler.disable': () => ({}),
  'Profiler.setSamplingInterval': () => ({}),
};
