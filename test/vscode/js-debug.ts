/**
 * VS Code's JavaScript debugger (microsoft/vscode-js-debug) as a test client: its standalone DAP
 * server, built by scripts/js-debug.mjs (js-debug is not on npm), and the two-connection attach
 * VS Code performs with it: the top-level session boots the target, then asks the client
 * (`startDebugging`) to open a second DAP connection for the target's own session, identified by
 * `__pendingTargetId`. Pausing, stacks, variables and evaluation all happen on that child session.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { within } from '../e2e/harness.js';
import { DapClient } from './dap.js';

/** Where scripts/js-debug.mjs puts the server; TRAPDOOR_JS_DEBUG_DAP=<dapDebugServer.js> overrides. */
export const jsDebugServerPath = process.env.TRAPDOOR_JS_DEBUG_DAP ?? join(homedir(), '.cache', 'trapdoor', 'js-debug', 'src', 'dapDebugServer.js');
export const jsDebugBuilt = existsSync(jsDebugServerPath);
export const jsDebugMissing = `js-debug's DAP server is not built at ${jsDebugServerPath}: run \`node scripts/js-debug.mjs <vscode-js-debug checkout>\` (or set TRAPDOOR_JS_DEBUG_DAP)`;

export interface DapServer {
  port: number;
  process: ChildProcess;
  output(): string;
  stop(): void;
}

/** `node dapDebugServer.js 0 127.0.0.1`: resolves with the port it prints. */
export async function startDapServer(): Promise<DapServer> {
  const proc = spawn(process.execPath, [jsDebugServerPath, '0', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const port = await within(
    new Promise<number>((resolve, reject) => {
      const onData = (chunk: string): void => {
        output += chunk;
        const match = /Debug server listening at 127\.0\.0\.1:(\d+)/.exec(output);
        if (match !== null) resolve(Number(match[1]));
      };
      proc.stdout!.setEncoding('utf8').on('data', onData);
      proc.stderr!.setEncoding('utf8').on('data', onData);
      proc.on('exit', (code) => reject(new Error(`js-debug's DAP server exited (${code}) before listening:\n${output}`)));
    }),
    "js-debug's DAP server to listen",
    () => output,
  );
  return { port, process: proc, output: () => output, stop: () => proc.kill('SIGKILL') };
}

/** What VS Code sends as `initialize` (its DebugSession's arguments, for adapter `pwa-node`). */
export const VSCODE_INITIALIZE = {
  clientID: 'vscode',
  clientName: 'Visual Studio Code',
  adapterID: 'pwa-node',
  pathFormat: 'path',
  linesStartAt1: true,
  columnsStartAt1: true,
  supportsVariableType: true,
  supportsVariablePaging: true,
  supportsRunInTerminalRequest: true,
  locale: 'en',
  supportsProgressReporting: true,
  supportsInvalidatedEvent: true,
  supportsMemoryReferences: true,
  supportsArgsCanBeInterpretedByShell: true,
  supportsMemoryEvent: true,
  supportsStartDebuggingRequest: true,
  supportsANSIStyling: true,
};

export interface Attached {
  /** The top-level session (the one VS Code shows as "Attach"). */
  parent: DapClient;
  /** The target's session: pause, threads, stack, variables, evaluate. */
  child: DapClient;
  /** The parent's `startDebugging` configuration (name, `__pendingTargetId`). */
  childConfiguration: any;
  /** VS Code's Disconnect: the target's session first (js-debug's root waits for its children), then the top-level one. */
  disconnect(): Promise<void>;
  close(): void;
}

/** `initialize`, wait for `initialized`, send `request` (not awaited: it may wait for configurationDone), `configurationDone`. */
async function boot(client: DapClient, configuration: object): Promise<{ attached: Promise<any> }> {
  const initialized = client.next('initialized');
  await client.request('initialize', VSCODE_INITIALIZE);
  await initialized;
  const attached = client.request('attach', configuration);
  attached.catch(() => {}); // awaited by the caller; a failure is reported there
  await client.request('configurationDone');
  return { attached }; // wrapped: an async function would wait for it
}

/**
 * Attaches the way VS Code does with `{ "type": "node", "request": "attach", "port": N }`:
 * js-debug's server reads `/json/list` on `127.0.0.1:port`, then the child session is opened on
 * its `startDebugging` request. Resolves once both `attach` requests succeeded.
 */
export async function attachVsCode(serverPort: number, inspectorPort: number, extra: object = {}): Promise<Attached> {
  const parent = await DapClient.connect(serverPort, 'parent');
  let child: DapClient | undefined;
  let childConfiguration: any;
  const childAttached = new Promise<DapClient>((resolve, reject) => {
    parent.onRequest('startDebugging', async (args: { request: string; configuration: any }) => {
      childConfiguration = args.configuration;
      try {
        child = await DapClient.connect(serverPort, 'child');
        // VS Code answers startDebugging once the new session started, not once it is attached.
        const { attached } = await boot(child, { ...args.configuration, request: args.request });
        attached.then(() => resolve(child!), reject);
      } catch (error) {
        reject(error);
      }
      return {};
    });
  });
  const { attached } = await boot(parent, {
    type: 'pwa-node',
    request: 'attach',
    name: 'Attach to trapdoor',
    address: '127.0.0.1',
    port: inspectorPort,
    ...extra,
  });
  const [, session] = await Promise.all([attached, within(childAttached, 'the child session (startDebugging) to attach', () => parent.describe())]);
  return {
    parent,
    child: session,
    childConfiguration,
    disconnect: async () => {
      await session.request('disconnect', { restart: false });
      await parent.request('disconnect', { restart: false });
    },
    close: () => {
      child?.close();
      parent.close();
    },
  };
}
