// node bench/check-forms/this-entry.mjs — what a check's `this` costs at a function's entry on
// Bun, per JavaScriptCore tier (the transform's universal form passes `this` only where the
// function reads it: sites.ts, `thisOnlyWhereRead`). JavaScriptCore emits `op_to_this` at the
// entry of every function that mentions `this` (strict ones too); in the LLInt and the Baseline
// JIT it calls into the runtime whenever `this` is not an ordinary object (a plain call's
// `undefined`). A large program such as TypeScript's compiler runs much of its code in those
// tiers. One child per tier (BUN_JSC_useJIT=0: LLInt only; BUN_JSC_useDFGJIT=0: up to Baseline;
// all tiers); per function, the median of BENCH_ROUNDS (7) timings of 3e6 plain calls.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const slow = (site, args) => `{const w=T(M,${site},${args});if(w)if(w.length)node=w[0],x=w[1];else throw w;}`;
const program = `'use strict';
var F = new Int32Array(new SharedArrayBuffer(8)); var T = function () {}; var M = function () {};
function plain(node, x) { return node.kind === x ? node.pos : 0; }
function checkedThis(node, x) {if((F[1]=1,F[0])!==0)${slow(1, 'node,x,this')} return node.kind === x ? node.pos : 0; }
function checked(node, x) {if((F[1]=2,F[0])!==0)${slow(2, 'node,x')} return node.kind === x ? node.pos : 0; }
const o = { kind: 1, pos: 3 };
const fns = { plain, 'check passing this': checkedThis, 'check without this': checked };
const times = {};
for (let r = 0; r < ${ROUNDS}; r++) for (const [name, f] of Object.entries(fns)) {
  const t = performance.now(); let s = 0;
  for (let i = 0; i < 3e6; i++) s += f(o, 1);
  (times[name] ??= []).push(performance.now() - t);
}
const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
console.log(JSON.stringify(Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]))));
`;
const dir = mkdtempSync(join(tmpdir(), 'trapdoor-this-entry-'));
const file = join(dir, 'this-entry.cjs');
writeFileSync(file, program);
const tiers = { 'LLInt only': { BUN_JSC_useJIT: '0' }, 'LLInt + Baseline': { BUN_JSC_useDFGJIT: '0' }, 'all tiers': {} };
console.log('| tier | plain (ms) | check passing this | check without this |\n|---|---:|---:|---:|');
try {
  for (const [tier, env] of Object.entries(tiers)) {
    const r = spawnSync(join(ROOT, 'node_modules/.bin/bun'), [file], { encoding: 'utf8', env: { ...process.env, ...env } });
    if (r.status !== 0) throw new Error(`bun (${tier}) exited ${r.status}: ${r.stderr}`);
    const t = JSON.parse(r.stdout);
    const cell = (k) => `${t[k].toFixed(1)} (${(t[k] / t.plain).toFixed(2)}×)`;
    console.log(`| ${tier} | ${t.plain.toFixed(1)} | ${cell('check passing this')} | ${cell('check without this')} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
