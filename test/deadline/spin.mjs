// Programs stuck in synchronous code, for test/e2e-deadline.test.ts: `trapdoor run spin.mjs <scenario>`.
// Each prints `RESULT <json>` lines for what it caught, then `done`, and ends by itself.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { armDeadline, disarmDeadline } from '@trapdoor-js/runtime/deadline';

function report(what, error) {
  const line = error === undefined ? { what } : { what, code: error.code, message: error.message, stack: error.stack, location: error.location, locals: error.locals };
  if (isMainThread) console.log(`RESULT ${JSON.stringify(line)}`);
  else parentPort.postMessage(line);
}

function attempt(what, run) {
  try {
    run();
    report(`${what}: returned`);
  } catch (error) {
    report(what, error);
  }
}

function work(n) {
  let sum = 0;
  for (let k = 0; k < n; k++) sum += k % 7;
  return sum;
}

function spinForever(limit) {
  let count = 0;
  while (true) {
    count++;
  }
}

function busyWait(ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {}
}

function someForever(items) {
  return items.some((item) => {
    let turns = item;
    while (turns > 0) turns++;
    return false;
  });
}

const scenarios = {
  while() {
    for (let n = 0; n < 2000; n++) work(100); // warm-up: the loop is optimised before it spins
    armDeadline(300, { message: 'Test timed out in 300ms.' });
    attempt('while', () => spinForever(10));
    disarmDeadline();
  },
  date() {
    armDeadline(300, { message: 'Test timed out in 300ms.' });
    attempt('date', () => busyWait(1e9));
    disarmDeadline();
  },
  some() {
    armDeadline(300, { message: 'Test timed out in 300ms.' });
    attempt('some', () => someForever([1, 2, 3]));
    disarmDeadline();
  },
  'catch-and-spin'() {
    armDeadline(200, { graceMs: 100 });
    let stopped = 0;
    for (let round = 0; round < 3; round++) {
      try {
        spinForever(round);
      } catch (error) {
        if (error.code === 'ERR_TRAPDOOR_STUCK') stopped++;
      }
    }
    report(`stopped ${stopped} times`);
    disarmDeadline();
    attempt('after disarm', () => busyWait(600));
  },
  disarm() {
    armDeadline(300);
    attempt('before the deadline', () => work(1000));
    disarmDeadline();
    attempt('after disarm', () => busyWait(800));
  },
  cycles() {
    let thrown = 0;
    for (let n = 0; n < 20000; n++) {
      armDeadline(60_000, { message: 'Test timed out in 60000ms.' });
      try {
        work(10);
      } catch {
        thrown++;
      }
      disarmDeadline();
    }
    report(`cycles threw ${thrown}`);
    armDeadline(200);
    attempt('last', () => spinForever(20000));
    disarmDeadline();
  },
  worker() {
    // A worker thread with its own deadline, while this thread spins into its own.
    const worker = new Worker(new URL(import.meta.url), { workerData: 'in-worker' });
    const fromWorker = new Promise((resolve) => worker.once('message', resolve));
    armDeadline(600, { message: 'main thread timed out' });
    attempt('main', () => spinForever(1));
    disarmDeadline();
    return fromWorker.then((line) => {
      console.log(`RESULT ${JSON.stringify({ ...line, what: `worker: ${line.what}` })}`);
    });
  },
  async attached() {
    // The test attaches a debugger while this waits for its word on stdin; a deadline that passes
    // then is postponed. Once the test has detached, the next one fires.
    const word = () => new Promise((resolve) => process.stdin.once('data', resolve));
    console.log('waiting');
    await word();
    armDeadline(200, { message: 'attached timed out' });
    console.log('spinning');
    attempt('while attached', () => busyWait(1500));
    disarmDeadline();
    console.log('detach now');
    await word();
    process.stdin.pause();
    armDeadline(200, { message: 'detached timed out' });
    attempt('after detach', () => spinForever(2));
    disarmDeadline();
  },
  uncaught() {
    armDeadline(300, { message: 'Test timed out in 300ms.' });
    spinForever(3);
  },
};

if (!isMainThread && workerData === 'in-worker') {
  armDeadline(300, { message: 'worker timed out' });
  attempt('spin', () => busyWait(1e9));
  disarmDeadline();
} else {
  const scenario = process.argv[2];
  if (!(scenario in scenarios)) throw new Error(`no scenario ${scenario}`);
  await scenarios[scenario]();
  console.log('done');
}
