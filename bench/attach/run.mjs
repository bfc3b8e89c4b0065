// npm run bench:attach — how fast a debugger gets into a busy process, trapdoor next to Node's
// own SIGUSR1 inspector, in one run. For each target: LAUNCHES fresh processes; in each, the time
// from the signal to the "Debugger listening" banner, then PAUSES Debugger.pause → Debugger.paused
// round trips (the first one apart), each followed by a resume. Prints p50/p99 and success counts.
// BENCH_LAUNCHES, BENCH_PAUSES, BENCH_TIMEOUT_MS, BENCH_TARGETS (names' parts, comma-separated);
// BENCH_OUT writes the table to that file instead of bench/results/attach.md.
import { execFileSync, spawn } from 'node:child_process';
import os from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import WebSocket from 'ws';
import { writeResults } from '../results-file.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..', '..');
const program = path.join(here, 'busy.js');
const trapdoor = path.join(root, 'packages', 'trapdoor', 'bin', 'trapdoor.js');
const LAUNCHES = Number(process.env.BENCH_LAUNCHES ?? 20);
const PAUSES = Number(process.env.BENCH_PAUSES ?? 50);
const TIMEOUT = Number(process.env.BENCH_TIMEOUT_MS ?? 10_000);
const only = process.env.BENCH_TARGETS?.split(',');

const targets = [
  { name: "node's own inspector (SIGUSR1)", cmd: process.execPath, args: ['--inspect-port=0', program], signal: 'SIGUSR1' },
  { name: 'trapdoor on node (SIGUSR2)', cmd: process.execPath, args: [trapdoor, 'run', '--port', '0', program], signal: 'SIGUSR2', trapdoor: true },
  { name: 'trapdoor on bun (SIGUSR1)', cmd: process.execPath, args: [trapdoor, 'run', '--runtime', 'bun', '--port', '0', program], signal: 'SIGUSR1', trapdoor: true },
  { name: 'trapdoor on deno (SIGUSR2)', cmd: process.execPath, args: [trapdoor, 'run', '--runtime', 'deno', '--port', '0', program], signal: 'SIGUSR2', trapdoor: true },
].filter((t) => !only || only.some((o) => t.name.includes(o)));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The pid that runs the program: `trapdoor run` starts the runtime as a child (and the npm
 * `deno` launcher starts the real binary as its own child), so follow /proc to the leaf.
 */
async function programPid(child) {
  const deadline = Date.now() + TIMEOUT;
  let pid = child.pid;
  for (;;) {
    let children = [];
    try {
      children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {}
    if (children.length > 0) {
      pid = children[0];
      continue;
    }
    // A leaf that is still the launcher is not the program yet (it has not spawned), unless it runs
    // the program itself (its state file says so).
    if (pid !== child.pid || !isLauncher(pid) || existsSync(stateFile(pid))) return pid;
    if (Date.now() > deadline) throw new Error('the program process did not start');
    await sleep(20);
  }
}

function isLauncher(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('trapdoor.js');
  } catch {
    return false;
  }
}

const stateFile = (pid) => path.join(process.env.TRAPDOOR_STATE_DIR ?? path.join(process.env.TMPDIR || '/tmp', `trapdoor-${process.getuid()}`), `${pid}.json`);

async function waitForStateFile(pid) {
  const file = stateFile(pid);
  const deadline = Date.now() + TIMEOUT;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`no state file ${file}: the runtime did not load`);
    await sleep(10);
  }
  await sleep(200); // and let the loop get hot
}

function waitForLine(child, regex, stream = 'stderr') {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => { cleanup(); reject(new Error(`timed out waiting for ${regex}`)); }, TIMEOUT);
    const onData = (chunk) => {
      buffer += chunk;
      const m = regex.exec(buffer);
      if (m) { cleanup(); resolve(m); }
    };
    const cleanup = () => { clearTimeout(timer); child[stream].off('data', onData); };
    child[stream].on('data', onData);
  });
}

/**
 * A small CDP client. Every call and every awaited event has a deadline (TIMEOUT): a reply or an
 * event that never comes is a failure the caller counts, never a hang. It also tracks whether the
 * program is paused, from the events, so a pause that arrives after its deadline can be undone.
 */
function connect(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: TIMEOUT });
    let id = 0;
    const pending = new Map();
    const waiters = new Set();
    const state = { paused: false, closed: false };
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data));
      if (msg.id !== undefined) {
        pending.get(msg.id)?.(msg);
        pending.delete(msg.id);
        return;
      }
      if (msg.method === 'Debugger.paused') state.paused = true;
      if (msg.method === 'Debugger.resumed') state.paused = false;
      for (const w of waiters) w(msg);
    });
    ws.on('close', () => {
      state.closed = true;
      for (const settle of pending.values()) settle(null);
      pending.clear();
      for (const w of waiters) w(null);
    });
    ws.on('open', () => resolve({
      state,
      /** The reply, or an Error (timed out, connection closed, or a CDP error). */
      send: (method, params = {}) => new Promise((res, rej) => {
        if (state.closed) return rej(new Error(`${method}: the connection is closed`));
        const i = ++id;
        const timer = setTimeout(() => { pending.delete(i); rej(new Error(`${method}: no reply within ${TIMEOUT} ms`)); }, TIMEOUT);
        pending.set(i, (msg) => {
          clearTimeout(timer);
          if (msg === null) rej(new Error(`${method}: the connection closed`));
          else if (msg.error) rej(new Error(`${method}: ${msg.error.message}`));
          else res(msg);
        });
        ws.send(JSON.stringify({ id: i, method, params }));
      }),
      /** Call before the request that causes it; resolves with the event, or null on timeout / close. */
      event: (method) => new Promise((res) => {
        const timer = setTimeout(() => done(null), TIMEOUT);
        const on = (msg) => (msg === null || msg.method === method ? done(msg) : undefined);
        const done = (msg) => { clearTimeout(timer); waiters.delete(on); res(msg); };
        if (state.closed) return done(null);
        waiters.add(on);
      }),
      close: () => ws.close(),
    }));
    ws.on('error', reject);
  });
}

function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function measure(target) {
  const activation = [];
  const firstPause = [];
  const laterPause = [];
  const toFirstPause = [];
  const failures = [];
  let pausesOk = 0;
  let activationsOk = 0;
  const fail = (run, what) => {
    failures.push(`launch ${run + 1}: ${what}`);
    console.error(`  ${target.name}, launch ${run + 1}: ${what}`);
  };
  for (let run = 0; run < LAUNCHES; run++) {
    const child = spawn(target.cmd, target.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    let pid;
    let client;
    let p = 0; // pauses attempted in this launch; the rest of PAUSES count as failures if it ends early
    try {
      await sleep(300); // let it start, get busy and warm
      pid = await programPid(child);
      // trapdoor's watcher is installed when the runtime loads: its state file says so. A signal
      // sent before that would kill the program (SIGUSR2's default action).
      if (target.trapdoor) await waitForStateFile(pid);
      const banner = waitForLine(child, /Debugger listening on (ws:\/\/\S+)/);
      const t0 = performance.now();
      process.kill(pid, target.signal);
      const url = (await banner)[1];
      activation.push(performance.now() - t0);
      activationsOk++;
      client = await connect(url);
      await client.send('Runtime.enable');
      await client.send('Debugger.enable');
      let timeoutsInARow = 0;
      for (; p < PAUSES; p++) {
        const paused = client.event('Debugger.paused');
        const t1 = performance.now();
        await client.send('Debugger.pause');
        const got = await paused;
        if (!got) {
          if (client.state.closed) throw new Error(`pause ${p + 1}: the connection closed (did the program die?)`);
          fail(run, `pause ${p + 1}: no Debugger.paused within ${TIMEOUT} ms`);
          // A pause that arrives late leaves the program paused: resume it, or every later pause would miss too.
          if (client.state.paused) await client.send('Debugger.resume').catch(() => {});
          if (++timeoutsInARow === 3) {
            p++;
            throw new Error('3 pauses in a row timed out: giving up on this launch');
          }
          continue;
        }
        timeoutsInARow = 0;
        (p === 0 ? firstPause : laterPause).push(performance.now() - t1);
        // What a user waits for: from the signal to a paused program, connecting and enabling included.
        if (p === 0) toFirstPause.push(performance.now() - t0);
        pausesOk++;
        const resumed = client.event('Debugger.resumed');
        await client.send('Debugger.resume');
        if (!(await resumed)) fail(run, `pause ${p + 1}: no Debugger.resumed within ${TIMEOUT} ms after Debugger.resume`);
      }
    } catch (error) {
      fail(run, error.message);
    } finally {
      if (p < PAUSES) fail(run, `${PAUSES - p} pause(s) not attempted, counted as not delivered`);
      client?.close();
      // The program first: killing `trapdoor run` with SIGKILL would leave it running, orphaned.
      if (pid !== undefined && pid !== child.pid) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {}
      }
      child.kill('SIGKILL');
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', r)));
    }
  }
  return { activation, firstPause, laterPause, toFirstPause, pausesOk, pausesTried: LAUNCHES * PAUSES, activationsOk, failures };
}

const fmt = (v) => (Number.isNaN(v) ? '—' : v.toFixed(1));
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const version = (bin, args) => {
  try {
    return execFileSync(path.join(root, 'node_modules', '.bin', bin), args, { encoding: 'utf8', timeout: TIMEOUT }).split('\n')[0].trim();
  } catch {
    return '?';
  }
};
// Everything printed from here on is also the report's table (bench/results/attach.md).
const out = [];
const log = (line) => {
  out.push(line);
  console.log(line);
};
log(`attach benchmark: ${LAUNCHES} launches x ${PAUSES} pauses per target (the first pause of each launch apart), one target at a time`);
log(`node ${process.version}, bun ${version('bun', ['--version'])}, ${version('deno', ['--version'])}; ${os.cpus().length} CPUs; load average at start ${load()}`);
const rows = [];
for (const target of targets) {
  process.stderr.write(`measuring ${target.name}…\n`);
  rows.push({ target, ...(await measure(target)) });
}
const base = rows.find((r) => r.target.name.startsWith("node's own"));
const cell = (r, key) => {
  const values = r[key];
  const text = `${fmt(percentile(values, 50))} / ${fmt(percentile(values, 99))}`;
  if (!base || r === base) return text;
  const x = percentile(values, 50) / percentile(base[key], 50);
  return Number.isFinite(x) ? `${text} (${x.toFixed(2)}x)` : text;
};
log(`load average at end ${load()}`);
log('| target | signal → banner p50 / p99 ms | first pause p50 / p99 ms | later pauses p50 / p99 ms | signal → first paused p50 / p99 ms | activations | pauses delivered |');
log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  log(`| ${r.target.name} | ${cell(r, 'activation')} | ${cell(r, 'firstPause')} | ${cell(r, 'laterPause')} | ${cell(r, 'toFirstPause')} | ${r.activationsOk}/${LAUNCHES} | ${r.pausesOk}/${r.pausesTried} |`);
}
log(`(x) = p50 relative to node's own inspector; lower is faster. Samples per target: ${LAUNCHES} for signal → banner, first pause and signal → first paused, ${LAUNCHES * (PAUSES - 1)} for later pauses (when all arrive); p99 of n < 100 samples is the maximum.`);
log(`pauses delivered = Debugger.paused received within ${TIMEOUT} ms of Debugger.pause, out of launches x pauses (a launch that fails counts all its pauses as not delivered).`);
if (base) {
  log("note: Node's own inspector does not set TCP_NODELAY on its WebSocket, so an event written right after a reply (Debugger.paused after the Debugger.pause reply) waits for the client's delayed ACK, about 40 ms on Linux; a client that acknowledges at once (TCP_QUICKACK) sees its pauses in well under 1 ms. trapdoor's agent uses ws, which sets TCP_NODELAY.");
}
for (const r of rows) {
  if (r.failures.length === 0) continue;
  log(`failures, ${r.target.name} (${r.failures.length}):`);
  for (const f of r.failures.slice(0, 20)) log(`  ${f}`);
  if (r.failures.length > 20) log(`  … and ${r.failures.length - 20} more`);
}
const table = [
  'A busy loop (bench/attach/busy.js) in fresh processes: signal → "Debugger listening" banner, then `Debugger.pause` → `Debugger.paused` round trips, trapdoor next to Node\'s own SIGUSR1 inspector in one run.',
  '',
  ...out.map((l) => (l.startsWith('|') ? l : `${l}  `)),
];
// BENCH_OUT: the table goes to that file instead of bench/results/attach.md (a trial run, e.g.
// with fewer launches or on a loaded machine, leaves the published one alone).
if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, ['## Activation and pause latency (`npm run bench:attach`)', '', ...table, ''].join('\n'));
else writeResults('attach.md', 'Activation and pause latency (`npm run bench:attach`)', table);
