// npm run bench:attach — how fast a debugger gets into a busy process, trapdoor next to Node's
// own SIGUSR1 inspector, in one run. For each target: LAUNCHES fresh processes; in each, the time
// from the signal to the "Debugger listening" banner, then PAUSES Debugger.pause → Debugger.paused
// round trips (the first one apart), each followed by a resume. Prints p50/p99 and success counts.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import WebSocket from 'ws';

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
    // A leaf that is still the launcher (it has not spawned yet) is not the program: wait a little.
    if (pid !== child.pid || !isLauncher(pid)) return pid;
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

async function waitForStateFile(pid) {
  const file = path.join(process.env.TRAPDOOR_STATE_DIR ?? path.join(process.env.TMPDIR || '/tmp', `trapdoor-${process.getuid()}`), `${pid}.json`);
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

function connect(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let id = 0;
    const pending = new Map();
    const waiters = [];
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data));
      if (msg.id !== undefined) pending.get(msg.id)?.(msg);
      else for (const w of waiters.splice(0)) w(msg);
    });
    ws.on('open', () => resolve({
      send: (method, params = {}) => new Promise((res) => { const i = ++id; pending.set(i, res); ws.send(JSON.stringify({ id: i, method, params })); }),
      event: (method) => new Promise((res) => { const on = (m) => (m.method === method ? res(m) : waiters.push(on)); waiters.push(on); }),
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
  let pausesOk = 0;
  let pausesTried = 0;
  let activationsOk = 0;
  for (let run = 0; run < LAUNCHES; run++) {
    const child = spawn(target.cmd, target.args, { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    let pid;
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
      const client = await connect(url);
      await client.send('Runtime.enable');
      await client.send('Debugger.enable');
      for (let p = 0; p < PAUSES; p++) {
        pausesTried++;
        const paused = client.event('Debugger.paused');
        const t1 = performance.now();
        await client.send('Debugger.pause');
        const timeout = sleep(TIMEOUT).then(() => null);
        const got = await Promise.race([paused, timeout]);
        if (!got) continue;
        (p === 0 ? firstPause : laterPause).push(performance.now() - t1);
        // What a user waits for: from the signal to a paused program, connecting and enabling included.
        if (p === 0) toFirstPause.push(performance.now() - t0);
        pausesOk++;
        const resumed = client.event('Debugger.resumed');
        await client.send('Debugger.resume');
        await Promise.race([resumed, sleep(TIMEOUT)]);
      }
      client.close();
    } catch (error) {
      console.error(`  ${target.name}, launch ${run + 1}: ${error.message}`);
    } finally {
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
  return { activation, firstPause, laterPause, toFirstPause, pausesOk, pausesTried, activationsOk };
}

const fmt = (v) => (Number.isNaN(v) ? '—' : v.toFixed(1));
console.log(`attach benchmark: ${LAUNCHES} launches x ${PAUSES} pauses per target, one target at a time`);
const rows = [];
for (const target of targets) {
  process.stderr.write(`measuring ${target.name}…\n`);
  rows.push({ target, ...(await measure(target)) });
}
const base = rows.find((r) => r.target.name.startsWith("node's own"));
console.log('| target | signal → banner p50 / p99 ms | first pause p50 / p99 ms | later pauses p50 / p99 ms | signal → first paused p50 / p99 ms | activations | pauses delivered |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  const ratio = (a, b) => (base && r !== base ? ` (${(percentile(a, 50) / percentile(b, 50)).toFixed(2)}x)` : '');
  console.log(`| ${r.target.name} | ${fmt(percentile(r.activation, 50))} / ${fmt(percentile(r.activation, 99))}${base ? ratio(r.activation, base.activation) : ''} | ${fmt(percentile(r.firstPause, 50))} / ${fmt(percentile(r.firstPause, 99))}${base ? ratio(r.firstPause, base.firstPause) : ''} | ${fmt(percentile(r.laterPause, 50))} / ${fmt(percentile(r.laterPause, 99))}${base ? ratio(r.laterPause, base.laterPause) : ''} | ${fmt(percentile(r.toFirstPause, 50))} / ${fmt(percentile(r.toFirstPause, 99))}${base ? ratio(r.toFirstPause, base.toFirstPause) : ''} | ${r.activationsOk}/${LAUNCHES} | ${r.pausesOk}/${r.pausesTried} |`);
}
console.log('(x) = p50 relative to node\'s own inspector; lower is faster.');
