/**
 * The CDP client `trapdoor stack` talks through: one WebSocket, commands as promises, events to
 * listeners. Written here rather than taken from chrome-remote-interface because that library
 * fetches the protocol description and builds a domain API per connection, which a command that
 * sends five messages does not need; the types are devtools-protocol's.
 */
import WebSocket from 'ws';
import type { ProtocolMapping } from 'devtools-protocol/types/protocol-mapping.js';
import { CliError } from '../errors.js';

type Commands = ProtocolMapping.Commands;
type Events = ProtocolMapping.Events;

export class CdpClient {
  readonly #socket: WebSocket;
  readonly #pending = new Map<number, { resolve: (value: any) => void; reject: (error: Error) => void; method: string }>();
  readonly #listeners = new Map<string, Set<(params: any) => void>>();
  #nextId = 1;
  #closed = false;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on('message', (data) => this.#receive(String(data)));
    socket.on('close', () => {
      this.#closed = true;
      for (const { reject, method } of this.#pending.values()) reject(new CliError('ERR_TRAPDOOR_PROTOCOL', `the debugger closed the connection before answering ${method}`));
      this.#pending.clear();
    });
  }

  static connect(url: string, timeoutMs: number): Promise<CdpClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { handshakeTimeout: timeoutMs, perMessageDeflate: false });
      socket.once('open', () => resolve(new CdpClient(socket)));
      socket.once('error', (error) => reject(new CliError('ERR_TRAPDOOR_PROTOCOL', `cannot connect to ${url}: ${error.message}`)));
    });
  }

  send<M extends keyof Commands>(method: M, ...params: Commands[M]['paramsType']): Promise<Commands[M]['returnType']> {
    if (this.#closed) return Promise.reject(new CliError('ERR_TRAPDOOR_PROTOCOL', `the connection is closed (sending ${method})`));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, method });
      this.#socket.send(JSON.stringify({ id, method, params: params[0] ?? {} }));
    });
  }

  on<E extends keyof Events>(event: E, listener: (params: Events[E][0]) => void): () => void {
    let set = this.#listeners.get(event);
    if (set === undefined) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** The next `event`, or undefined after `timeoutMs`. */
  next<E extends keyof Events>(event: E, timeoutMs: number): Promise<Events[E][0] | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        off();
        resolve(undefined);
      }, timeoutMs);
      const off = this.on(event, (params) => {
        clearTimeout(timer);
        off();
        resolve(params);
      });
    });
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.#socket.once('close', () => resolve());
      this.#socket.close();
    });
  }

  #receive(text: string): void {
    let message: { id?: number; method?: string; params?: unknown; result?: unknown; error?: { message: string; code: number } };
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof message.id === 'number') {
      const pending = this.#pending.get(message.id);
      if (pending === undefined) return;
      this.#pending.delete(message.id);
      if (message.error) pending.reject(new CliError('ERR_TRAPDOOR_PROTOCOL', `${pending.method} failed: ${message.error.message}`));
      else pending.resolve(message.result);
    } else if (typeof message.method === 'string') {
      for (const listener of [...(this.#listeners.get(message.method) ?? [])]) listener(message.params);
    }
  }
}
