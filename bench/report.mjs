// Writes bench/results.md: the machine, the runtime versions, and every table the benches wrote
// to bench/results/*.md (overhead.md from bench/overhead/run.mjs first, the others by name).
// Run alone (`node bench/report.mjs`) it only reassembles what is there.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, release, totalmem, type } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function runtimeVersions() {
  const version = (bin, args) => {
    const r = spawnSync(join(ROOT, 'node_modules/.bin', bin), args, { encoding: 'utf8' });
    return r.status === 0 ? r.stdout.split('\n')[0].trim() : 'not available';
  };
  return { node: process.version, bun: version('bun', ['--version']), deno: version('deno', ['--version']) };
}

export function writeReport(resultsDir = join(ROOT, 'bench/results'), out = join(ROOT, 'bench/results.md')) {
  const v = runtimeVersions();
  const cpu = cpus();
  const lines = [
    '# trapdoor benchmarks',
    '',
    `Written by \`npm run bench\` on ${new Date().toISOString()}.`,
    '',
    `- Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB (${(freemem() / 2 ** 30).toFixed(0)} GiB free), ${type()} ${release()}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`,
    `- Runtimes: Node ${v.node}, Bun ${v.bun}, ${v.deno}`,
    '',
  ];
  const files = existsSync(resultsDir) ? readdirSync(resultsDir).filter((f) => f.endsWith('.md')).sort((a, b) => (a === 'overhead.md' ? -1 : b === 'overhead.md' ? 1 : a.localeCompare(b))) : [];
  if (files.length === 0) lines.push('No bench has written results yet (bench/results/*.md).', '');
  for (const f of files) lines.push(`<!-- bench/results/${f} -->`, readFileSync(join(resultsDir, f), 'utf8').trim(), '');
  writeFileSync(out, lines.join('\n'));
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) writeReport();
