/**
 * A small Debug Adapter Protocol client over TCP, as VS Code speaks it to js-debug: messages are
 * JSON with a `Content-Length: N\r\n\r\n` header (N in bytes). It records every event, answers
 * the adapter's reverse requests (`startDebugging`, `runInTerminal`) with handlers the test
 * gives, and fails a request whose response says `success: false` with the adapter's message.
 */
import { connect as tcpConnect, type Socket } from 'node:net';
import { within } from '../e2e/harness.js';

export interface DapEvent {
  event: string;
  body: any;
}

type ReverseHandler = (args: any) => Promise<object | undefined> | object | undefined;

export class DapClient {
  readonly events: DapEvent[] = [];
  /** Every message both ways, for failure reports. */
  readonly log: string[] = [];
  readonly #socket: Socket;
  readonly #pending = new Map<number, { command: string; resolve(body: any): void; reject(error: Error): void }>();
  readonly #handlers = new Map<string, ReverseHandler>();
  readonly #waiters = new Set<() => void>();
  readonly #name: string;
  #seq = 0;
  #buffer = Buffer.alloc(0);
  #closed = false;
  readonly closed: Promise<void>;

  private constructor(socket: Socket, name: string) {
    this.#socket = socket;
    this.#name = name;
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.#closed = true;
        for (const { command, reject } of this.#pending.values()) reject(new Error(`${this.#name}: the adapter closed the connection before answering ${command}\n${this.describe()}`));
        this.#pending.clear();
        this.#notify();
        resolve();
      }),
    );
    socket.on('error', () => {}); // 'close' follows
  }

  static connect(port: number, name: string, host = '127.0.0.1'): Promise<DapClient> {
    return within(
      new Promise<DapClient>((resolve, reject) => {
        const socket = tcpConnect({ port, host }, () => {
          socket.off('error', reject);
          resolve(new DapClient(socket, name));
        });
        socket.once('error', reject);
      }),
      `a DAP connection to ${host}:${port}`,
    );
  }

  /** Answers the adapter's reverse request `command` (its result is the response body). */
  onRequest(command: string, handler: ReverseHandler): void {
    this.#handlers.set(command, handler);
  }

  request(command: string, args?: object): Promise<any> {
    const seq = ++this.#seq;
    const reply = new Promise<any>((resolve, reject) => {
      if (this.#closed) return reject(new Error(`${this.#name}: connection closed, cannot send ${command}`));
      this.#pending.set(seq, { command, resolve, reject });
    });
    this.#send({ seq, type: 'request', command, arguments: args });
    return within(reply, `${this.#name}: the response to ${command}`, () => this.describe());
  }

  /** Position in the event log, to wait for events after it. */
  mark(): number {
    return this.events.length;
  }

  /** The first event `name` at or after `since` that passes `test` (already received or to come). */
  next(name: string, since = 0, test: (body: any) => boolean = () => true): Promise<any> {
    return within(
      new Promise<any>((resolve, reject) => {
        const check = (): void => {
          for (let i = since; i < this.events.length; i++) {
            const event = this.events[i];
            if (event.event === name && test(event.body)) {
              this.#waiters.delete(check);
              return resolve(event.body);
            }
          }
          if (this.#closed) {
            this.#waiters.delete(check);
            reject(new Error(`${this.#name}: the connection closed before event ${name}\n${this.describe()}`));
          }
        };
        this.#waiters.add(check);
        check();
      }),
      `${this.#name}: event ${name}`,
      () => this.describe(),
    );
  }

  /** The `output` events' text so far (what the Debug Console shows; not js-debug's telemetry). */
  output(): string {
    return this.events
      .filter((e) => e.event === 'output' && e.body.category !== 'telemetry')
      .map((e) => e.body.output)
      .join('');
  }

  describe(): string {
    return `--- DAP ${this.#name} (last 60 messages)\n${this.log.slice(-60).join('\n')}`;
  }

  close(): void {
    this.#socket.destroy();
  }

  #send(message: object): void {
    const json = JSON.stringify(message);
    this.log.push(`→ ${json.length > 2000 ? `${json.slice(0, 2000)}…` : json}`);
    if (!this.#closed) this.#socket.write(`Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`);
  }

  #receive(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      const end = this.#buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const header = this.#buffer.subarray(0, end).toString('latin1');
      const length = /Content-Length: *(\d+)/i.exec(header);
      if (length === null) throw new Error(`${this.#name}: a DAP header without Content-Length: ${JSON.stringify(header)}`);
      const start = end + 4;
      if (this.#buffer.length < start + Number(length[1])) return;
      const json = this.#buffer.subarray(start, start + Number(length[1])).toString('utf8');
      this.#buffer = this.#buffer.subarray(start + Number(length[1]));
      this.log.push(`← ${json.length > 2000 ? `${json.slice(0, 2000)}…` : json}`);
      this.#dispatch(JSON.parse(json));
    }
  }

  #dispatch(message: any): void {
    if (message.type === 'response') {
      const pending = this.#pending.get(message.request_seq);
      if (pending === undefined) return;
      this.#pending.delete(message.request_seq);
      if (message.success) pending.resolve(message.body ?? {});
      else pending.reject(new Error(`${this.#name}: ${pending.command} failed: ${message.body?.error?.format ?? message.message}\n${this.describe()}`));
    } else if (message.type === 'event') {
      this.events.push({ event: message.event, body: message.body ?? {} });
      this.#notify();
    } else if (message.type === 'request') {
      void this.#answer(message);
    }
  }

  async #answer(message: any): Promise<void> {
    const handler = this.#handlers.get(message.command);
    const response = { seq: ++this.#seq, type: 'response', request_seq: message.seq, command: message.command };
    if (handler === undefined) return this.#send({ ...response, success: false, message: `not supported: ${message.command}` });
    try {
      this.#send({ ...response, success: true, body: (await handler(message.arguments)) ?? {} });
    } catch (error) {
      this.#send({ ...response, success: false, message: String(error) });
    }
  }

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}
