/**
 * The agent's socket server as a client sees it: HTTP discovery, the Host check, 400s, the
 * WebSocket upgrade and port selection. Real child processes (agent/fixtures), real sockets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connectableHost, isAllowedHost } from './server.js';
import { connect, httpRequest, killChildren, rawExchange, runFixture, runtimes, upgradeRequest } from './fixtures/harness.mjs';

const node = runtimes.find((r) => r.name === 'node')!;
const BAD = 'WebSockets request was expected';
const held: Server[] = [];

afterEach(async () => {
  killChildren();
  await Promise.all(held.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

describe('isAllowedHost (DNS-rebinding defence, as Node)', () => {
  it.each([
    undefined,
    '',
    'localhost',
    'LOCALHOST',
    'localhost:9229',
    'Localhost6',
    'localhost6:1',
    '127.0.0.1',
    '127.0.0.1:9229',
    '10.1.2.3:80',
    '192.168.0.1',
    '[::1]',
    '[::1]:9229',
    '[fe80::1]:1',
    '[::ffff:127.0.0.1]:9229',
  ])('allows %j', (host) => {
    expect(isAllowedHost(host)).toBe(true);
  });

  it.each([
    'evil.example.com',
    'evil.example.com:9229',
    'localhost.',
    'localhost.evil.com',
    'mylocalhost',
    '0.0.0.0',
    '0.1.2.3:9229',
    '127.1',
    '0x7f.0.0.1',
    '0177.0.0.1',
    '127.0.0.1.nip.io',
    '256.1.1.1',
    '[::]',
    '[::]:9229',
    '[0:0::0]',
    '[fe80::1%eth0]',
    '[not-an-ip]',
    '::1',
    '[::1',
    'local\0host',
  ])('rejects %j', (host) => {
    expect(isAllowedHost(host)).toBe(false);
  });
});

describe('HTTP discovery and upgrade (node child)', () => {
  async function start() {
    const fixture = runFixture(node, 'busy.mjs', [0]);
    const info = await fixture.info;
    const id = new URL(info.wsUrl).pathname.slice(1);
    return { fixture, info, id, port: info.port };
  }

  it('/json and /json/list give the same one-target array, Host reflected', async () => {
    const { id, port } = await start();
    const list = await httpRequest(port, '/json/list', { host: 'localhost:1234' });
    expect(list.status).toBe(200);
    expect(list.headers['content-type']).toBe('application/json; charset=UTF-8');
    expect(list.headers['cache-control']).toBe('no-cache');
    const targets = JSON.parse(list.body);
    expect(targets).toEqual([
      {
        description: 'node.js instance',
        devtoolsFrontendUrl: `devtools://devtools/bundled/js_app.html?experiments=true&v8only=true&ws=localhost:1234/${id}`,
        devtoolsFrontendUrlCompat: `devtools://devtools/bundled/inspector.html?experiments=true&v8only=true&ws=localhost:1234/${id}`,
        faviconUrl: 'https://nodejs.org/static/images/favicons/favicon.ico',
        id,
        title: expect.stringMatching(/busy\.mjs$/),
        type: 'node',
        url: expect.stringMatching(/^file:\/\/\/.*\/agent\/fixtures\/busy\.mjs$/),
        webSocketDebuggerUrl: `ws://localhost:1234/${id}`,
      },
    ]);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    for (const path of ['/json', '/json/', '/JSON/LIST', '/json?for=chrome']) {
      const again = await httpRequest(port, path, { host: 'localhost:1234' });
      expect(again.status, path).toBe(200);
      expect(JSON.parse(again.body), path).toEqual(targets);
    }

    // Host as the client sent it, IPv6 literal included.
    const v6 = JSON.parse((await httpRequest(port, '/json', { host: '[::1]:9229' })).body);
    expect(v6[0].webSocketDebuggerUrl).toBe(`ws://[::1]:9229/${id}`);
    const plain = JSON.parse((await httpRequest(port, '/json')).body);
    expect(plain[0].webSocketDebuggerUrl).toBe(`ws://127.0.0.1:${port}/${id}`);
  });

  it('without a Host header, reports the socket address and port', async () => {
    const { id, port } = await start();
    const raw = (await rawExchange(port, 'GET /json HTTP/1.0\r\n\r\n')).toString('utf8');
    expect(raw).toMatch(/^HTTP\/1\.[01] 200 /);
    const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));
    expect(body[0].webSocketDebuggerUrl).toBe(`ws://127.0.0.1:${port}/${id}`);
  });

  it('/json/version and /json/protocol', async () => {
    const { port } = await start();
    const version = await httpRequest(port, '/json/version');
    expect(version.status).toBe(200);
    expect(version.headers['content-type']).toBe('application/json; charset=UTF-8');
    expect(JSON.parse(version.body)).toEqual({ Browser: `node.js/${process.version}`, 'Protocol-Version': '1.1' });

    const protocol = await httpRequest(port, '/json/protocol');
    expect(protocol.status).toBe(200);
    expect(protocol.headers['cache-control']).toBe('no-cache');
    const description = JSON.parse(protocol.body);
    const require = createRequire(import.meta.url);
    const expected = JSON.parse(readFileSync(require.resolve('devtools-protocol/json/js_protocol.json'), 'utf8'));
    expect(description).toEqual(expected);
    expect(description.domains.map((d: { domain: string }) => d.domain)).toEqual(expect.arrayContaining(['Runtime', 'Debugger', 'Profiler']));
  });

  it('answers 400 "WebSockets request was expected" to everything else', async () => {
    const { id, port } = await start();
    const cases: Array<[string, string]> = [
      ['GET', '/'],
      ['GET', '/favicon.ico'],
      ['GET', '/json/unknown'],
      ['GET', '/jsonx'],
      ['GET', `/${id}`],
      ['POST', '/json'],
      ['PUT', '/json/list'],
      ['DELETE', `/${id}`],
    ];
    for (const [method, path] of cases) {
      const res = await httpRequest(port, path, { method });
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(res.body.trim(), `${method} ${path}`).toBe(BAD);
    }
    // Upgrades to anything but /<id> are refused the same way.
    for (const path of ['/', '/json', '/00000000-0000-4000-8000-000000000000', `/${id}/x`, `/${id}?x`]) {
      const raw = (await rawExchange(port, upgradeRequest(path))).toString('utf8');
      expect(raw, path).toMatch(/^HTTP\/1\.[01] 400 /);
      expect(raw, path).toContain(BAD);
    }
  });

  it('rejects a non-local Host for plain GETs and upgrades alike', async () => {
    const { info, id, port } = await start();
    for (const host of ['evil.example.com', 'evil.example.com:9229', '0.0.0.0:9229', 'localhost.evil.com']) {
      const res = await httpRequest(port, '/json', { host });
      expect(res.status, host).toBe(400);
      expect(res.body.trim(), host).toBe(BAD);
      expect((await httpRequest(port, '/json/version', { host })).status, host).toBe(400);
      const raw = (await rawExchange(port, upgradeRequest(`/${id}`, host))).toString('utf8');
      expect(raw, host).toMatch(/^HTTP\/1\.[01] 400 /);
      expect(raw, host).toContain(BAD);
    }
    await expect(connect(info.wsUrl, { headers: { Host: 'evil.example.com' } })).rejects.toThrow(/400/);
    // Allowed spellings connect.
    for (const host of ['localhost', `LOCALHOST:${port}`, 'localhost6', `[::1]:${port}`, `127.0.0.1:${port}`]) {
      const client = await connect(info.wsUrl, { headers: { Host: host } });
      expect((await client.call('ok')).result.echo, host).toBe('ok');
      await client.close();
    }
  });

  it('listens on an IPv6 address and brackets it in URLs', async () => {
    const fixture = runFixture(node, 'busy.mjs', [0, '::1']);
    const info = await fixture.info;
    const id = new URL(info.wsUrl).pathname.slice(1);
    expect(info.wsUrl).toBe(`ws://[::1]:${info.port}/${id}`);
    const raw = (await rawExchange(info.port, 'GET /json HTTP/1.0\r\n\r\n', () => false, '::1')).toString('utf8');
    const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));
    expect(body[0].webSocketDebuggerUrl).toBe(`ws://[::1]:${info.port}/${id}`);
    const client = await connect(info.wsUrl);
    expect((await client.call('v6')).result.echo).toBe('v6');
  });

  it.each([
    ['0.0.0.0', '127.0.0.1'],
    ['::', '[::1]'],
  ])('listening on the wildcard %s, the ws URL names %s, which connects and passes the Host check', async (host, shown) => {
    const fixture = runFixture(node, 'busy.mjs', [0, host]);
    const info = await fixture.info;
    const id = new URL(info.wsUrl).pathname.slice(1);
    expect(info.wsUrl).toBe(`ws://${shown}:${info.port}/${id}`);
    const client = await connect(info.wsUrl);
    expect((await client.call('wild')).result.echo).toBe('wild');
    await client.close();
    // Still reachable on another address of the machine: it does listen on all of them.
    if (host === '0.0.0.0') expect((await fetch(`http://127.0.0.2:${info.port}/json/version`)).status).toBe(200);
  });

  it('connectableHost: what the URLs show for each kind of listening address', () => {
    expect(connectableHost('0.0.0.0', '0.0.0.0')).toBe('127.0.0.1');
    expect(connectableHost('::', '::')).toBe('::1');
    expect(connectableHost('[::]', '::')).toBe('::1');
    expect(connectableHost('127.0.0.2', '127.0.0.2')).toBe('127.0.0.2');
    expect(connectableHost('::1', '::1')).toBe('::1');
    expect(connectableHost('localhost', '127.0.0.1')).toBe('localhost');
    // A name other than localhost fails the Host check: the address it resolved to instead.
    expect(connectableHost('my-machine', '10.0.0.7')).toBe('10.0.0.7');
  });

  it("an explicit port that is taken (strictPort) fails in Node's words", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    held.push(blocker);
    const port = (blocker.address() as { port: number }).port;
    const fixture = runFixture(node, 'strict.mjs', [port]);
    const result = JSON.parse(await fixture.line((l) => l.startsWith('{')));
    expect(result).toEqual({ code: 'EADDRINUSE', message: `Starting inspector on 127.0.0.1:${port} failed: address already in use` });
  });

  it('port 0 means any free port', async () => {
    const { port } = await start();
    expect(port).toBeGreaterThan(0);
    expect(port).not.toBe(9229);
  });

  it('when the default port 9229 is taken, moves to the next free one and says so', async () => {
    // Hold 9229 ourselves; if something else already holds it, it is taken all the same.
    const blocker = createServer();
    await new Promise<void>((resolve) => {
      blocker.once('error', () => resolve());
      blocker.listen({ host: '127.0.0.1', port: 9229, exclusive: true }, () => {
        held.push(blocker);
        resolve();
      });
    });
    const fixture = runFixture(node, 'busy.mjs', ['default']);
    const info = await fixture.info;
    expect(info.port).not.toBe(9229);
    expect(info.notice).toContain('9229');
    expect(info.notice).toContain(String(info.port));
    expect(info.wsUrl).toContain(`:${info.port}/`);
    const version = await httpRequest(info.port, '/json/version');
    expect(version.status).toBe(200);
    const client = await connect(info.wsUrl);
    expect((await client.call('moved')).result.echo).toBe('moved');
  });
});

describe.each(runtimes.filter((r) => r.name !== 'node'))('HTTP discovery on $name', (runtime) => {
  it('serves /json, /json/version, /json/protocol, 400s and the Host check', async () => {
    const fixture = runFixture(runtime, 'busy.mjs', [0]);
    const info = await fixture.info;
    const id = new URL(info.wsUrl).pathname.slice(1);
    const list = await httpRequest(info.port, '/json', { host: 'localhost:1234' });
    expect(list.status).toBe(200);
    expect(list.headers['content-type']).toBe('application/json; charset=UTF-8');
    const [target] = JSON.parse(list.body);
    expect(target).toMatchObject({ id, type: 'node', webSocketDebuggerUrl: `ws://localhost:1234/${id}` });
    expect(target.url).toMatch(/^file:\/\/\/.*busy\.mjs$/);
    const version = JSON.parse((await httpRequest(info.port, '/json/version')).body);
    expect(version).toEqual({ Browser: expect.stringMatching(runtime.name === 'bun' ? /^Bun\/\d/ : /^Deno\/\d/), 'Protocol-Version': '1.1' });
    const protocol = JSON.parse((await httpRequest(info.port, '/json/protocol')).body);
    expect(protocol.domains.length).toBeGreaterThan(3);
    const bad = await httpRequest(info.port, '/nope');
    expect([bad.status, bad.body.trim()]).toEqual([400, BAD]);
    const evil = await httpRequest(info.port, '/json', { host: 'evil.example.com' });
    expect([evil.status, evil.body.trim()]).toEqual([400, BAD]);
    const raw = (await rawExchange(info.port, upgradeRequest(`/${id}`, 'evil.example.com'))).toString('utf8');
    expect(raw).toMatch(/^HTTP\/1\.[01] 400 /);
    const wrong = (await rawExchange(info.port, upgradeRequest('/00000000-0000-4000-8000-000000000000'))).toString('utf8');
    expect(wrong).toMatch(/^HTTP\/1\.[01] 400 /);
  });
});
