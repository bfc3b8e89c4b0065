// A TypeScript program stuck in a loop, for test/e2e-deadline.test.ts: enums and a parameter
// property compile to other lines and columns, so the positions must come through the source maps.
import { armDeadline, disarmDeadline } from '@trapdoor-js/runtime/deadline';
import { Spinner, type Counter } from './spinner.ts';

enum Mode {
  Count,
  Wait,
}

function run(mode: Mode): number {
  const spinner = new Spinner(mode === Mode.Count ? 5 : 6);
  const counter: Counter = { total: 0 };
  return spinner.spin(counter);
}

armDeadline(300, { message: 'Test timed out in 300ms.' });
try {
  run(Mode.Count);
} catch (error) {
  const { code, message, stack, location, locals } = error as { code: string; message: string; stack: string; location: unknown; locals: Record<string, unknown> };
  console.log(`RESULT ${JSON.stringify({ what: 'ts', code, message, stack, location, locals })}`);
}
disarmDeadline();
console.log('done');
