/**
 * The hand-off between the agent worker and the main thread, end to end: real child processes
 * on Node, Bun and Deno (fixtures in agent/fixtures, using the built dist), real WebSocket
 * clients. The main thread of each child is busy (spinning, draining on REQUEST), idle (event
 * loop) or paused (blocked in waitForMessage), and must answer in every case.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type AddressInfo } from 'node:net';
import { connect, httpRequest, killChildren, rawExchange, runFixture, runtimes, upgradeRequest, clientTextFrame, parseFrames } from './fixtures/harness.mjs';

afterEach(() => killChildren());

const latencies: string[] = [];

describe.each(runtimes)('hand-off on $name', (runtime) => {
  it('a busy main thread (spinning, never yielding) answers through drain()', async () => {
    const fixture = runFixture(runtime, 'busy.mjs', [0]);
    const info = await fixture.info;
    expect(info.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]{36}$/);
    expect(info.port).toBeGreaterThan(0);

    const client = await connect(info.wsUrl);
    const hello = await client.next((m) => m.method === 'Test.connected');
    expect(typeof hello.params.session).toBe('number');

    const t0 = performance.now();
    const reply = await client.call('Runtime.enable');
    const rtt = performance.now() - t0;
    expect(reply).toEqual({ id: 1, result: { echo: 'Runtime.enable', session: hello.params.session, path: 'busy' } });
    for (let i = 0; i < 20; i++) {
      const r = await client.call(`Test.n${i}`);
      expect(r.result.echo).toBe(`Test.n${i}`);
    }
    expect(client.frames.every((f) => !f.isBinary)).toBe(true);
    latencies.push(`${runtime.name} busy: start ${info.startMs?.toFixed(1)} ms, first round trip ${rtt.toFixed(1)} ms`);

    client.notify('exit');
    await fixture.line((l) => l === 'done');
    expect(await fixture.exited).toEqual({ code: 0, signal: null });
  });

  it('an idle main thread answers from its event loop', async () => {
    const fixture = runFixture(runtime, 'idle.mjs', [0]);
    const info = await fixture.info;
    const client = await connect(info.wsUrl);
    const reply = await client.call('Debugger.enable', { maxScriptsCacheSize: 1 });
    expect(reply.result).toMatchObject({ echo: 'Debugger.enable', path: 'idle', params: { maxScriptsCacheSize: 1 } });
    // `exit` lets the program end while the client is still attached: the agent must not keep
    // the process alive.
    client.notify('exit');
    expect(await fixture.exited).toEqual({ code: 0, signal: null });
  });

  it('a paused main thread (blocked in waitForMessage) answers', async () => {
    const fixture = runFixture(runtime, 'paused.mjs', [0]);
    const info = await fixture.info;
    latencies.push(`${runtime.name} paused: start ${info.startMs?.toFixed(1)} ms`);
    const client = await connect(info.wsUrl);
    await client.next((m) => m.method === 'Test.connected');
    const replies = await Promise.all([client.call('a'), client.call('b'), client.call('c')]);
    expect(replies.map((r) => r.result.echo)).toEqual(['a', 'b', 'c']);
    const utf8 = 'Ünïcødé ✓ 😀 ' + 'x'.repeat(70_000);
    const big = await client.call(utf8);
    expect(big.result.echo).toBe(utf8);
    client.notify('exit');
    await fixture.line((l) => l === 'done');
    expect(await fixture.exited).toEqual({ code: 0, signal: null });
  });

  it('serves two sessions at once; a broadcast reaches both; disconnects reach the main thread', async () => {
    const fixture = runFixture(runtime, 'busy.mjs', [0]);
    const info = await fixture.info;
    const a = await connect(info.wsUrl);
    const b = await connect(info.wsUrl);
    const sa = (await a.next((m) => m.method === 'Test.connected')).params.session;
    const sb = (await b.next((m) => m.method === 'Test.connected')).params.session;
    expect(sa).not.toBe(sb);
    expect((await a.call('one')).result.session).toBe(sa);
    expect((await b.call('two')).result.session).toBe(sb);

    a.notify('broadcast');
    expect(await a.next((m) => m.method === 'Test.broadcast')).toEqual({ method: 'Test.broadcast', params: { from: sa } });
    expect(await b.next((m) => m.method === 'Test.broadcast')).toEqual({ method: 'Test.broadcast', params: { from: sa } });

    await a.close();
    // The server sees the socket close a little after the client does; ask until it has.
    let sessions = await b.call('sessions');
    for (let i = 0; i < 200 && sessions.result.disconnects === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      sessions = await b.call('sessions');
    }
    expect(sessions.result).toEqual({ sessions: [sb], connects: 2, disconnects: 1 });
    // A third client after one left gets a fresh session id.
    const c = await connect(info.wsUrl);
    const sc = (await c.next((m) => m.method === 'Test.connected')).params.session;
    expect([sa, sb]).not.toContain(sc);
    c.notify('exit');
    expect(await fixture.exited).toEqual({ code: 0, signal: null });
  });

  it('a handler may pause (nested waitForMessage) and keep answering; the last session leaving resumes', async () => {
    const fixture = runFixture(runtime, 'busy.mjs', [0]);
    const info = await fixture.info;
    const a = await connect(info.wsUrl);
    await a.call('pause');
    await a.next((m) => m.method === 'Test.paused');
    // Served by the pause loop running inside the 'pause' handler, inside drain().
    expect((await a.call('while.paused')).result.echo).toBe('while.paused');
    expect((await a.call('state')).result).toEqual({ paused: true, resumedByDisconnect: 0 });
    await a.call('resume');
    await a.next((m) => m.method === 'Test.resumed');
    expect((await a.call('state')).result).toEqual({ paused: false, resumedByDisconnect: 0 });

    // Pause again, then leave: the disconnect reaches the pause loop, which resumes.
    await a.call('pause');
    await a.next((m) => m.method === 'Test.paused');
    await a.close();
    // (Wait for it before connecting again: a session that joins first means a left was not the last.)
    await fixture.line((l) => l === 'resumed: last session left');
    const b = await connect(info.wsUrl);
    expect((await b.call('state')).result).toEqual({ paused: false, resumedByDisconnect: 1 });
    b.notify('exit');
    expect(await fixture.exited).toEqual({ code: 0, signal: null });
  });

  it('writes unfragmented, unmasked, uncompressed text frames and tolerates pings', async () => {
    const fixture = runFixture(runtime, 'busy.mjs', [0]);
    const info = await fixture.info;
    const url = new URL(info.wsUrl);

    // Raw socket: the 101 must not accept permessage-deflate even though we offered it.
    const request = Buffer.concat([
      Buffer.from(upgradeRequest(url.pathname)),
      clientTextFrame(JSON.stringify({ id: 7, method: 'Raw.check' })),
    ]);
    const received = await rawExchange(Number(url.port), request, (bytes) => {
      const head = bytes.indexOf('\r\n\r\n');
      return head !== -1 && parseFrames(bytes.subarray(head + 4)).some((f) => f.payload.includes('"id":7'));
    });
    const headEnd = received.indexOf('\r\n\r\n');
    const head = received.subarray(0, headEnd).toString('latin1');
    expect(head).toMatch(/^HTTP\/1\.1 101 /);
    expect(head.toLowerCase()).not.toContain('sec-websocket-extensions');
    const frames = parseFrames(received.subarray(headEnd + 4));
    expect(frames.length).toBeGreaterThanOrEqual(2);
    for (const frame of frames) {
      expect(frame).toMatchObject({ fin: true, opcode: 1, masked: false, compressed: false });
      expect(frame.payload.startsWith('{')).toBe(true);
      expect(frame.payload.endsWith('\n')).toBe(false);
    }
    expect(JSON.parse(frames.find((f) => f.payload.includes('"id":7'))!.payload)).toMatchObject({ id: 7, result: { echo: 'Raw.check' } });

    // ws client: a ping gets its pong and the session keeps working.
    const client = await connect(info.wsUrl);
    expect(client.upgradeHeaders?.['sec-websocket-extensions']).toBeUndefined();
    const pong = new Promise<Buffer>((resolve) => client.ws.once('pong', resolve));
    client.ws.ping(Buffer.from('hi'));
    expect((await pong).toString()).toBe('hi');
    expect((await client.call('after.ping')).result.echo).toBe('after.ping');
    client.notify('exit');
    expect(await fixture.exited).toEqual({ code: 0, signal: null });
  });

  it('works from the CommonJS build too', async () => {
    const fixture = runFixture(runtime, 'busy.cjs', [0]);
    const info = await fixture.info;
    const client = await connect(info.wsUrl);
    expect((await client.call('from.cjs')).result).toMatchObject({ echo: 'from.cjs', path: 'busy-cjs' });
    client.notify('exit');
    expect(await fixture.exited).toEqual({ code: 0, signal: null });
  });

  it('close() ends the sessions and frees the port; a new start keeps the target id', async () => {
    const fixture = runFixture(runtime, 'restart.mjs', [0]);
    const first = await fixture.info;
    const client = await connect(first.wsUrl);
    expect((await client.call('hello')).result).toEqual({ echo: 'hello', port: first.port });
    const closed = new Promise((resolve) => client.ws.once('close', resolve));
    await client.call('restart');
    await closed;
    await fixture.line((l) => l === `closed ${first.port} true true`);
    const second = JSON.parse(await fixture.line((l) => l.startsWith('{') && !l.includes(`:${first.port}/`)));
    expect(new URL(second.wsUrl).pathname).toBe(new URL(first.wsUrl).pathname);
    await expect(httpRequest(first.port, '/json')).rejects.toThrow();
    const again = await connect(second.wsUrl);
    expect((await again.call('again')).result).toEqual({ echo: 'again', port: second.port });
    again.notify('exit');
    expect(await fixture.exited).toEqual({ code: 0, signal: null });
  });

  it('with strictPort, a taken port is an error', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const port = (blocker.address() as AddressInfo).port;
      const fixture = runFixture(runtime, 'strict.mjs', [port]);
      const result = JSON.parse(await fixture.line((l) => l.startsWith('{')));
      expect(result.code).toBe('EADDRINUSE');
      expect(result.message).toContain(`127.0.0.1:${port}`);
      expect(await fixture.exited).toEqual({ code: 0, signal: null });
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('lets a program that finishes its work exit normally', async () => {
    const fixture = runFixture(runtime, 'finite.mjs', [0]);
    await fixture.info;
    await fixture.line((l) => l.startsWith('work done'));
    expect(await fixture.exited).toEqual({ code: 0, signal: null });
  });
});

describe('latencies (informational)', () => {
  it('prints what was measured', () => {
    if (latencies.length > 0) console.log(latencies.join('\n'));
  });
});
