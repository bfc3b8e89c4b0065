// Test wrapper (not instrumented): sets up how activation is triggered, then runs the program.
// argv: <program> <mode: signal|signal-storm|busy|storm|idle> <trigger file>
//  signal, signal-storm: nothing to set up; the test sends real signals to this process and the
//        runtime's native watcher takes them (started when the runtime loaded).
//  busy: a worker calls requestActivation(flags) once the trigger file exists; the program's next
//        check activates (the main thread never yields). storm: the same, 500 times.
//  idle: a main-thread timer calls activate() once the trigger file exists.
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { flags, activate, setActivationDefaults } from '@trapdoor-js/runtime';

const [program, mode, trigger] = process.argv.slice(2);
setActivationDefaults({ port: 0 });
if (mode === 'busy' || mode === 'storm') {
  const worker = new Worker(new URL('./trigger-worker.mjs', import.meta.url), { workerData: { flags, trigger, storm: mode === 'storm' } });
  worker.unref();
} else if (mode === 'idle') {
  const timer = setInterval(() => {
    if (!existsSync(trigger)) return;
    clearInterval(timer);
    activate({ port: 0 });
  }, 10);
  timer.unref();
}
await import(program);
