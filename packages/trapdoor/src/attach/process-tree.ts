/**
 * What Linux's /proc says about a process and the processes below it, for `trapdoor attach
 * <pid>` given the pid of a parent (`trapdoor run`, `npm start`) rather than of the program.
 *
 * Which parent may stand for a process below it: a descendant in the parent's own process group,
 * that is, in the same job as a shell sees it (`trapdoor run app.js`, `npm start` and what they
 * start without detaching). Never pid 1 or the init of a pid namespace: every process descends
 * from it. A shell with job control puts each job in a group of its own, and a terminal
 * multiplexer, a service manager or a subreaper (whose adopted orphans keep their own group)
 * start theirs in other groups, so none of them stands for an unrelated process tree below it.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Process group id. */
  pgrp: number;
  /** Session id. */
  session: number;
}

/** Fields of /proc/<pid>/stat; undefined when gone or not Linux. */
export function processInfo(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) is in parentheses and may hold spaces: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(fields[1]), pgrp: Number(fields[2]), session: Number(fields[3]) };
  } catch {
    return undefined;
  }
}

/** Whether `pid` is pid 1 here or in its own pid namespace (a container's init). */
export function isInit(pid: number): boolean {
  if (pid === 1) return true;
  try {
    const nspid = /^NSpid:\s*(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]?.trim().split(/\s+/);
    return nspid !== undefined && nspid[nspid.length - 1] === '1';
  } catch {
    return false;
  }
}

/** Every descendant of `pid`, nearest first (at most 1000). */
export function descendants(pid: number): number[] {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0 && out.length < 1000) {
    const parent = queue.shift()!;
    const children = childrenOf(parent);
    out.push(...children);
    queue.push(...children);
  }
  return out;
}

/**
 * The children of every thread of `pid`: a child belongs to the thread that forked it (a test
 * runner's worker thread, say), and /proc lists it under that thread only.
 */
function childrenOf(pid: number): number[] {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return []; // not Linux, or gone
  }
  return threads.flatMap((thread) => {
    try {
      return readFileSync(`/proc/${pid}/task/${thread}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
}

/**
 * Why `parent` may not stand for `child` (a descendant), as a phrase; undefined when it may.
 * See the file comment for the rule.
 */
export function whyNotStandFor(parent: number, child: number): string | undefined {
  if (isInit(parent)) return 'it is the init process, which every process descends from';
  const p = processInfo(parent);
  const c = processInfo(child);
  // Unknown (not Linux, or one just ended): no reason to refuse.
  if (p === undefined || c === undefined) return undefined;
  if (p.pgrp !== c.pgrp) return `it is not in the same job (process group ${p.pgrp}; the program's is ${c.pgrp})`;
  return undefined;
}
