// A TypeScript program stuck in a loop, for test/e2e-deadline.test.ts: an enum and a parameter
// property compile to other lines and columns, so the positions must come through the source map.
import { armDeadline, disarmDeadline } from '@trapdoor-js/runtime/deadline';

enum Mode {
  Count,
  Wait,
}

interface Counter {
  total: number;
}

class Spinner {
  constructor(private readonly limit: number) {}

  spin(counter: Counter): number {
    let step: number = this.limit;
    while (step > 0) {
      step++;
      counter.total += step % 3;
    }
    return step;
  }
}

function run(mode: Mode): number {
  const spinner = new Spinner(mode === Mode.Count ? 5 : 6);
  return spinner.spin({ total: 0 });
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
