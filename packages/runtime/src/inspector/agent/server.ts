/**
 * The inspector's socket server: HTTP discovery (`/json*`) and WebSocket sessions, as Node's
 * src/inspector_socket_server.cc and src/inspector_socket.cc do it. It runs inside the agent
 * worker, so it keeps answering while the main JS thread is busy or paused; it knows nothing
 * about CDP itself: each WebSocket text message goes to the delegate as a string, and whatever
 * the delegate gets back is written to the session as one text frame.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import type { RawData, WebSocket, WebSocketServer } from 'ws';
import { join } from 'node:path';
import { agentDir, resolveFromAgent } from '../../package-files.js';

/** What `/json/list` says about the one target (the main JS thread). */
export interface TargetInfo {
  /** UUID v4, fixed for the process; the WebSocket path is `/<id>`. */
  id: string;
  title: string;
  /** `file://` URL of the entry script ('' when unknown). */
  url: string;
  description: string;
  faviconUrl: string;
}

export interface ServerOptions {
  /** Address to listen on (default in the agent: 127.0.0.1). */
  host: string;
  /** Port to listen on; 0 for any free port. */
  port: number;
  /** When the port is taken: fail (true) or move on to the next free one (false, the default). */
  strictPort?: boolean;
  /** How many consecutive ports to try before falling back to any free port (default 20). */
  portTries?: number;
  target: TargetInfo;
  /** `Browser` in `/json/version`, e.g. `node.js/v20.20.2`. */
  browser: string;
}

/** Receives session events; runs on the server's (the agent worker's) thread. */
export interface ServerDelegate {
  onConnect(session: number): void;
  onMessage(session: number, message: string): void;
  onDisconnect(session: number): void;
}

export interface ListenResult {
  /**
   * The host a client on this machine connects to and that passes the Host check (what banners
   * and the ws URL show): the host as given when it is an IP address or localhost; for a wildcard
   * address (0.0.0.0, ::) the loopback address of its family; for another name the address it
   * resolved to. (Node prints ws://0.0.0.0:9229/… and then rejects `Host: 0.0.0.0`.)
   */
  host: string;
  /** The port actually listened on. */
  port: number;
  /** Set when the requested port was in use and another one was taken instead. */
  portWasTaken?: number;
}

/** The status line and body Node sends for anything that is not discovery or a valid upgrade. */
const BAD_REQUEST_BODY = 'WebSockets request was expected\r\n';
const BAD_REQUEST_RAW =
  'HTTP/1.0 400 Bad Request\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n' + BAD_REQUEST_BODY;

const JSON_HEADERS = { 'Content-Type': 'application/json; charset=UTF-8', 'Cache-Control': 'no-cache' } as const;

/**
 * Host-header check against DNS rebinding (CVE-2018-7160), as Node's inspector does it: strip the
 * port (for IPv6 only after the `]`), then allow a missing or empty host, `localhost`,
 * `localhost6` (any case), a dotted-decimal IPv4 address outside 0.0.0.0/8, or a bracketed IPv6
 * literal that is not `[::]` and has no zone. Everything else (names) is rejected.
 */
export function isAllowedHost(hostHeader: string | undefined): boolean {
  if (hostHeader === undefined) return true;
  const host = trimPort(hostHeader);
  if (host === '') return true;
  const lower = host.toLowerCase();
  if (lower === 'localhost' || lower === 'localhost6') return true;
  return isIPAddress(host);
}

function trimPort(host: string): string {
  const colon = host.lastIndexOf(':');
  if (colon === -1) return host;
  const bracket = host.lastIndexOf(']');
  if (bracket === -1 || colon > bracket) return host.slice(0, colon);
  return host;
}

function isIPAddress(host: string): boolean {
  if (host.includes('\0')) return false;
  if (host.length >= 4 && host.startsWith('[') && host.endsWith(']')) {
    const inner = host.slice(1, -1);
    if (inner.length >= 46 || inner.includes('%') || !isIPv6(inner)) return false;
    // `[::]` (and spellings of it) is not routable: every group is zero.
    return !/^[0:.]*$/.test(inner);
  }
  // Strict dotted decimal only (no hex, octal or short forms); 0.0.0.0/8 is rejected.
  return isIPv4(host) && !host.startsWith('0.');
}

/**
 * The address to tell clients for a server listening on `host` (bound to `bound`): see
 * ListenResult.host.
 */
export function connectableHost(host: string, bound: string | undefined): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIPv4(bare) && bare.startsWith('0.')) return '127.0.0.1';
  if (isIPv6(bare) && /^[0:.]*$/.test(bare)) return '::1';
  if (isAllowedHost(formatHostPort(bare, 0))) return bare;
  return bound ?? bare;
}

/** `host:port`, with IPv6 addresses in brackets. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Node's MatchPathSegment: a case-insensitive prefix followed by `/` (skipped) or the end. */
function matchSegment(path: string, expected: string): string | null {
  if (path.slice(0, expected.length).toLowerCase() !== expected) return null;
  const next = path[expected.length];
  if (next === '/') return path.slice(expected.length + 1);
  if (next === undefined) return '';
  return null;
}

let protocolJson: Buffer | undefined;
/** The protocol description, straight from the devtools-protocol package (read on first use). */
function protocolDescription(): Buffer {
  protocolJson ??= readFileSync(resolveFromAgent('devtools-protocol/json/js_protocol.json'));
  return protocolJson;
}

export class InspectorServer {
  readonly #options: ServerOptions;
  readonly #delegate: ServerDelegate;
  #wss: Promise<WebSocketServer> | undefined;
  readonly #sessions = new Map<number, WebSocket>();
  #http: Server | undefined;
  #nextSession = 1;
  #port = -1;
  #closed = false;

  constructor(options: ServerOptions, delegate: ServerDelegate) {
    this.#options = options;
    this.#delegate = delegate;
  }

  /**
   * Loads the WebSocket side (the `ws` package). Not needed to listen, and loading it is the
   * larger part of the worker's start-up on Node, so the agent calls this right after it
   * reported listening (a synchronous start blocks the main thread only until then); an upgrade
   * that comes first waits for it.
   */
  loadWebSockets(): Promise<WebSocketServer> {
    // require(), not import(): Deno resolves an import('ws') through the program's own
    // configuration (its deno.json, "nodeModulesDir": "none"), which need not know ws.
    this.#wss ??= Promise.resolve().then(() => {
      // By name from the agent's folder, not by resolved path: Bun resolves 'ws' to its built-in
      // module, whose "path" is the name itself.
      const { WebSocketServer: Server } = createRequire(join(agentDir(), 'agent-worker.js'))('ws') as typeof import('ws');
      return new Server({ noServer: true, perMessageDeflate: false, clientTracking: false });
    });
    return this.#wss;
  }

  /** The port listened on (-1 before `listen` succeeded). */
  get port(): number {
    return this.#port;
  }

  /** Ids of the sessions connected now. */
  get sessions(): number[] {
    return [...this.#sessions.keys()];
  }

  /**
   * Listens on the configured host and port. A port in use moves on to the next ones
   * (`portTries` in all), then to any free port, unless `strictPort` or port 0 was asked for.
   */
  async listen(): Promise<ListenResult> {
    const { host, port, strictPort = false, portTries = 20 } = this.#options;
    const candidates: number[] = [];
    if (port === 0 || strictPort) candidates.push(port);
    else {
      for (let p = port; p < port + portTries && p <= 65535; p++) candidates.push(p);
      candidates.push(0);
    }
    let firstError: unknown;
    for (const candidate of candidates) {
      try {
        const server = await this.#listenOn(host, candidate);
        this.#http = server;
        const address = server.address();
        const bound = typeof address === 'object' && address !== null ? address : undefined;
        this.#port = bound?.port ?? candidate;
        const shown = connectableHost(host, bound?.address);
        return candidate === port ? { host: shown, port: this.#port } : { host: shown, port: this.#port, portWasTaken: port };
      } catch (error) {
        firstError ??= error;
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      }
    }
    // Node's own words when an explicitly requested port is taken (src/inspector_socket_server.cc).
    if ((firstError as NodeJS.ErrnoException)?.code === 'EADDRINUSE' && port !== 0) {
      throw Object.assign(new Error(`Starting inspector on ${formatHostPort(host, port)} failed: address already in use`), { code: 'EADDRINUSE' });
    }
    throw firstError;
  }

  #listenOn(host: string, port: number): Promise<Server> {
    // A fresh server per attempt: re-listening a server that failed is not portable across runtimes.
    const server = createServer({ requireHostHeader: false } as object, (req, res) => this.#onRequest(req, res));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.#onUpgrade(req, socket, head));
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => {
        server.off('listening', onListening);
        try {
          server.close(() => {});
        } catch {
          // Deno 2.9.5 throws "expected i32" closing a server whose listen failed; nothing to close.
        }
        reject(error);
      };
      const onListening = () => {
        server.off('error', onError);
        server.on('error', () => {});
        resolve(server);
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen({ host, port, exclusive: true });
    });
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const hostHeader = req.headers.host;
    if (req.method !== 'GET' || !isAllowedHost(hostHeader)) return badRequest(res);
    const path = (req.url ?? '/').split('?')[0]!;
    const command = matchSegment(path, '/json');
    if (command === null) return badRequest(res);
    if (command === '' || matchSegment(command, 'list') !== null) {
      const host = hostHeader || formatHostPort(req.socket.localAddress ?? this.#options.host, req.socket.localPort ?? this.#port);
      return sendJson(res, JSON.stringify([this.#describeTarget(host)], null, 2));
    }
    if (matchSegment(command, 'version') !== null) {
      return sendJson(res, JSON.stringify({ Browser: this.#options.browser, 'Protocol-Version': '1.1' }, null, 2));
    }
    if (matchSegment(command, 'protocol') !== null) {
      let body: Buffer;
      try {
        body = protocolDescription();
      } catch (error) {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=UTF-8' });
        res.end(`The protocol description could not be read: ${(error as Error).message}\n`);
        return;
      }
      return sendJson(res, body);
    }
    return badRequest(res);
  }

  #describeTarget(host: string): Record<string, string> {
    const { id, title, url, description, faviconUrl } = this.#options.target;
    const address = `${host}/${id}`;
    return {
      description,
      devtoolsFrontendUrl: `devtools://devtools/bundled/js_app.html?experiments=true&v8only=true&ws=${address}`,
      devtoolsFrontendUrlCompat: `devtools://devtools/bundled/inspector.html?experiments=true&v8only=true&ws=${address}`,
      faviconUrl,
      id,
      title,
      type: 'node',
      url,
      webSocketDebuggerUrl: `ws://${address}`,
    };
  }

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => {});
    const valid =
      !this.#closed &&
      req.method === 'GET' &&
      isAllowedHost(req.headers.host) &&
      req.url === `/${this.#options.target.id}` &&
      typeof req.headers['sec-websocket-key'] === 'string' &&
      req.headers['sec-websocket-key'] !== '';
    if (!valid) {
      socket.end(BAD_REQUEST_RAW);
      return;
    }
    this.loadWebSockets().then(
      (wss) => wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws)),
      () => socket.destroy(),
    );
  }

  #accept(ws: WebSocket): void {
    if (this.#closed) {
      ws.terminate();
      return;
    }
    const session = this.#nextSession++;
    this.#sessions.set(session, ws);
    this.#delegate.onConnect(session);
    ws.on('message', (data: RawData) => {
      this.#delegate.onMessage(session, rawToString(data));
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      if (this.#sessions.get(session) === ws) {
        this.#sessions.delete(session);
        this.#delegate.onDisconnect(session);
      }
    });
  }

  /** Writes one text frame to a session. False when that session is gone. */
  send(session: number, message: string): boolean {
    const ws = this.#sessions.get(session);
    if (ws === undefined || ws.readyState !== ws.OPEN) return false;
    this.#write(ws, message);
    return true;
  }

  /** Writes one text frame to every session. */
  broadcast(message: string): void {
    for (const ws of this.#sessions.values()) if (ws.readyState === ws.OPEN) this.#write(ws, message);
  }

  /** Resolves once every frame sent so far has been written to its socket (or failed). */
  flush(): Promise<void> {
    if (this.#unwritten === 0) return Promise.resolve();
    return new Promise((resolve) => this.#flushed.push(resolve));
  }

  #unwritten = 0;
  readonly #flushed: Array<() => void> = [];

  #write(ws: WebSocket, message: string): void {
    this.#unwritten++;
    let done = false;
    const written = (): void => {
      if (done) return;
      done = true;
      if (--this.#unwritten === 0) for (const resolve of this.#flushed.splice(0)) resolve();
    };
    try {
      ws.send(message, written);
    } catch {
      written();
    }
  }

  /** Closes one session (the client sees a normal close). */
  closeSession(session: number, code = 1000, reason = ''): void {
    this.#sessions.get(session)?.close(code, reason);
  }

  /** Closes every session and stops listening. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    for (const ws of this.#sessions.values()) ws.terminate();
    const server = this.#http;
    if (server === undefined) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => resolve());
      (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
    });
  }
}

function sendJson(res: ServerResponse, body: string | Buffer): void {
  res.writeHead(200, { ...JSON_HEADERS, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function badRequest(res: ServerResponse): void {
  res.writeHead(400, { 'Content-Type': 'text/html; charset=UTF-8', Connection: 'close' });
  res.end(BAD_REQUEST_BODY);
}

function rawToString(data: RawData): string {
  if (typeof data === 'string') return data;
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
