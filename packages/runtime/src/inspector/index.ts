/**
 * The inspector's entry: what activation.ts loads, synchronously, when the process is first
 * activated (never before: a process that is not debugged does not pay for it).
 */
export { Inspector } from './inspector.js';
export { currentAgent, spawnAgent, startAgentSync, type Agent } from './agent/handoff.js';
