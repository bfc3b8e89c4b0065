/** Which JavaScript runtime this is, for the state file and the agent's `/json/version`. */

/** The runtime's name and version as Node's /json/version reports them ('node.js', 'Bun', 'Deno'). */
export function detectRuntime(): { name: string; version: string } {
  const g = globalThis as { Bun?: { version?: string }; Deno?: { version?: { deno?: string } } };
  if (typeof g.Bun?.version === 'string') return { name: 'Bun', version: g.Bun.version };
  if (typeof g.Deno?.version?.deno === 'string') return { name: 'Deno', version: g.Deno.version.deno };
  return { name: 'node.js', version: process.version };
}
