import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ownStateDir, removeStaleFiles, stateDirFor, stateFiles, STATE_DIR_ENV, sweepStaleFiles, SWEEP_PERIOD_MS, writeStateFile, type StateFile } from './discovery.js';

let root: string;
const saved = process.env[STATE_DIR_ENV];
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'trapdoor-discovery-'));
});
afterEach(() => {
  if (saved === undefined) delete process.env[STATE_DIR_ENV];
  else process.env[STATE_DIR_ENV] = saved;
  rmSync(root, { recursive: true, force: true });
});

const state = (pid: number, extra: Partial<StateFile> = {}): StateFile => ({
  v: 1,
  pid,
  runtime: 'node.js',
  runtimeVersion: process.version,
  script: '/app.js',
  trigger: { signal: 'SIGUSR2' },
  active: null,
  ...extra,
});

/** A pid no process has now: one of a child that has ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  return Number(child.stdout.trim());
}

describe('stateDirFor', () => {
  it('is TRAPDOOR_STATE_DIR, else <TMPDIR or /tmp>/trapdoor-<uid>, else nothing without a uid', () => {
    expect(stateDirFor({ TRAPDOOR_STATE_DIR: '/run/x' }, 1000)).toBe('/run/x');
    expect(stateDirFor({ TMPDIR: '/var/tmp/' }, 1000)).toBe('/var/tmp/trapdoor-1000');
    expect(stateDirFor({ TMPDIR: '' }, 0)).toBe('/tmp/trapdoor-0');
    expect(stateDirFor({}, 501, '/private/tmp')).toBe('/private/tmp/trapdoor-501');
    expect(stateDirFor({}, undefined)).toBeUndefined();
  });
});

describe('ownStateDir', () => {
  it('creates the directory with mode 0700', () => {
    const dir = join(root, 'state');
    process.env[STATE_DIR_ENV] = dir;
    expect(ownStateDir()).toBe(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('refuses a directory others may write into, a symlink, or a file', () => {
    const open = join(root, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    process.env[STATE_DIR_ENV] = open;
    expect(ownStateDir()).toBeUndefined();

    const real = join(root, 'real');
    mkdirSync(real, { mode: 0o700 });
    const link = join(root, 'link');
    symlinkSync(real, link);
    process.env[STATE_DIR_ENV] = link;
    expect(ownStateDir()).toBeUndefined();

    const file = join(root, 'file');
    writeFileSync(file, '');
    process.env[STATE_DIR_ENV] = file;
    expect(ownStateDir()).toBeUndefined();
  });
});

describe('writeStateFile', () => {
  it('writes the whole file, mode 0600, and replaces an older one', () => {
    const path = join(root, '42.json');
    expect(writeStateFile(path, state(42))).toBe(true);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(state(42));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const active = { wsUrl: 'ws://127.0.0.1:9229/x', host: '127.0.0.1', port: 9229, targetId: 'x' };
    expect(writeStateFile(path, state(42, { active }))).toBe(true);
    expect(JSON.parse(readFileSync(path, 'utf8')).active).toEqual(active);
  });

  it('says false, and leaves nothing behind, where it cannot write', () => {
    expect(writeStateFile(join(root, 'missing', '42.json'), state(42))).toBe(false);
  });
});

describe('removeStaleFiles', () => {
  it("removes the files of processes that are gone, with their sockets, and keeps the living's", () => {
    const dead = deadPid();
    const files = stateFiles(root, dead);
    const runSocket = join(root, 'run-1-abcd.sock');
    writeStateFile(files.state, state(dead, { trigger: { socket: runSocket } }));
    writeFileSync(runSocket, '');
    writeFileSync(files.socket, '');
    const alive = stateFiles(root, process.ppid);
    writeStateFile(alive.state, state(process.ppid));
    writeFileSync(join(root, 'unrelated.txt'), '');

    removeStaleFiles(root);
    expect([files.state, files.socket, runSocket].filter((f) => existsSync(f))).toEqual([]);
    expect(existsSync(alive.state)).toBe(true);
    expect(existsSync(join(root, 'unrelated.txt'))).toBe(true);
  });
});

describe('sweepStaleFiles', () => {
  it('sweeps once per period over all processes, and the next period again', () => {
    const now = 1_764_580_000_000;
    const staleAt = () => {
      const dead = deadPid();
      writeStateFile(stateFiles(root, dead).state, state(dead));
      return stateFiles(root, dead).state;
    };
    const first = staleAt();
    expect(sweepStaleFiles(root, now)).toBe(true);
    expect(existsSync(first)).toBe(false);
    // Another process in the same period: leaves the files to the next period's sweep (or attach's).
    const second = staleAt();
    expect(sweepStaleFiles(root, now + 1000)).toBe(false);
    expect(existsSync(second)).toBe(true);
    expect(sweepStaleFiles(root, now + SWEEP_PERIOD_MS)).toBe(true);
    expect(existsSync(second)).toBe(false);
    // Only the current period's marker is left.
    expect(readdirSync(root)).toEqual([`.swept-${Math.floor((now + SWEEP_PERIOD_MS) / SWEEP_PERIOD_MS)}`]);
  });
});
