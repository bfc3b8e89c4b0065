/**
 * How much CPU a process and each of its threads used over a span of time, from Linux's /proc
 * (utime + stime of /proc/<pid>/stat and /proc/<pid>/task/<tid>/stat). `trapdoor stack` uses it
 * to tell "idle" from "its main thread is idle but something else in it is busy" (a worker
 * thread spinning), which a CDP pause of the main thread alone cannot tell.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of those counters: USER_HZ, 100 on every Linux architecture Node runs on. */
const TICKS_PER_SECOND = 100;

export interface CpuSample {
  pid: number;
  /** When it was taken, ms (monotonic). */
  at: number;
  /** Ticks used by the whole process (every thread, living or ended). */
  process: number;
  /** Ticks used by each living thread, by thread id, with its name (comm). */
  threads: Map<number, { name: string; ticks: number }>;
}

export interface CpuUsage {
  /** Percent of one core the process used (every thread). */
  process: number;
  /** Percent of one core its main thread used. */
  mainThread: number;
  /** The busiest other thread, when one used any CPU. */
  busiest?: { tid: number; name: string; percent: number };
}

function statOf(path: string): { name: string; ticks: number } | undefined {
  try {
    const stat = readFileSync(path, 'utf8');
    // Field 2 (comm) is in parentheses and may hold spaces: count fields after the last ')'.
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 overall.
    return { name, ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

/** A sample now; undefined when /proc cannot tell (not Linux, or the process is gone). */
export function sampleCpu(pid: number): CpuSample | undefined {
  const own = statOf(`/proc/${pid}/stat`);
  if (own === undefined || !Number.isFinite(own.ticks)) return undefined;
  const threads = new Map<number, { name: string; ticks: number }>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    // gone meanwhile: the process total is all there is
  }
  for (const tid of tids) {
    const thread = statOf(`/proc/${pid}/task/${tid}/stat`);
    if (thread !== undefined) threads.set(Number(tid), thread);
  }
  return { pid, at: performance.now(), process: own.ticks, threads };
}

/** What the process used between two samples. */
export function cpuUsage(before: CpuSample, after: CpuSample): CpuUsage {
  const seconds = Math.max((after.at - before.at) / 1000, 1 / TICKS_PER_SECOND);
  const percent = (ticks: number): number => Math.round((Math.max(ticks, 0) / TICKS_PER_SECOND / seconds) * 100);
  const delta = (tid: number): number => (after.threads.get(tid)?.ticks ?? 0) - (before.threads.get(tid)?.ticks ?? 0);
  let busiest: CpuUsage['busiest'];
  for (const [tid, thread] of after.threads) {
    if (tid === after.pid) continue;
    const used = percent(delta(tid));
    if (used > 0 && (busiest === undefined || used > busiest.percent)) busiest = { tid, name: thread.name, percent: used };
  }
  // The whole is at least its parts (the counters are read one after another).
  let threads = 0;
  for (const tid of after.threads.keys()) threads += Math.max(delta(tid), 0);
  const whole = percent(Math.max(after.process - before.process, threads));
  return { process: whole, mainThread: percent(delta(after.pid)), ...(busiest ? { busiest } : {}) };
}
