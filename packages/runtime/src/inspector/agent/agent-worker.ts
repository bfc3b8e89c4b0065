/**
 * Entry of the agent worker (a node:worker_threads Worker, started by handoff.ts).
 *
 * It owns the inspector's sockets (agent/server.ts) and relays between them and the main thread
 * through the hand-off (handoff.ts): client messages and session events go to the main thread,
 * which is rung awake; replies and events come back and are written to the WebSockets by this
 * thread's event loop, which stays free while the main thread is busy or paused.
 *
 * The same file works on Node, Bun and Deno through their node:worker_threads. The worker is
 * unref'd by the main thread, so it never keeps the process alive.
 */
import { workerData } from 'node:worker_threads';
import type { AgentWorkerData, ToWorker } from './handoff.js';
import { WorkerEnd } from './worker-end.js';
import type { InspectorServer } from './server.js';

async function main(data: AgentWorkerData): Promise<void> {
  const end = new WorkerEnd(data.controlBlock, data.handoff);
  let server: InspectorServer | undefined;
  let started = false;
  const fail = (error: unknown): void => {
    const code = String((error as NodeJS.ErrnoException)?.code ?? 'ERR_TRAPDOOR_AGENT');
    const message = error instanceof Error ? error.message : String(error);
    end.failed(code, message);
    // The port stays open until the main thread has read the report and closes its end: Deno
    // 2.9.5 throws from receiveMessageOnPort on a port whose other end closed, losing the report.
    void server?.close();
  };
  // Some failures surface as uncaught exceptions rather than 'error' events (Deno throws its
  // permission errors from inside listen's deferred work). While starting, report them: the main
  // thread may be blocked waiting for this worker and cannot see the worker die. Afterwards, keep
  // serving: one broken socket must not take the agent down.
  process.on('uncaughtException', (error) => {
    if (!started) {
      started = true;
      fail(error);
    } else {
      console.error('trapdoor: agent worker:', error);
    }
  });
  try {
    // Loaded dynamically so that a failure to load is reported to the main thread, which may be
    // blocked waiting for this worker, instead of leaving it to time out. (`ws` itself is loaded
    // only after the report: see loadWebSockets.)
    const { InspectorServer } = await import('./server.js');
    server = new InspectorServer(
      {
        host: data.host,
        port: data.port,
        strictPort: data.strictPort,
        browser: `${data.runtimeName}/${data.runtimeVersion}`,
        target: {
          id: data.targetId,
          title: data.title,
          url: data.url,
          description: data.description,
          faviconUrl: 'https://nodejs.org/static/images/favicons/favicon.ico',
        },
      },
      {
        onConnect: (session) => end.connect(session),
        onMessage: (session, message) => end.message(session, message),
        onDisconnect: (session) => end.disconnect(session),
      },
    );
    const listening = await server.listen();
    const live = server;
    end.onCommand((command: ToWorker) => {
      if ('broadcast' in command) live.broadcast(command.message);
      else if ('session' in command && 'message' in command) live.send(command.session, command.message);
      else if (command.type === 'disconnect') live.closeSession(command.session);
      else if (command.type === 'flush') void live.flush().then(() => end.flushed());
      else if (command.type === 'close') {
        void live.close().finally(() => end.close());
      }
    });
    if (started) return;
    started = true;
    end.listening(listening);
    // After the report, so that a synchronous start does not wait for it.
    await server.loadWebSockets().catch((error: unknown) => {
      end.error(String((error as NodeJS.ErrnoException)?.code ?? 'ERR_TRAPDOOR_AGENT'), `cannot accept WebSocket sessions: ${(error as Error)?.message ?? error}`);
    });
  } catch (error) {
    if (started) return;
    started = true;
    fail(error);
  }
}

void main(workerData as AgentWorkerData);
