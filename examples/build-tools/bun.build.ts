import trapdoor from 'trapdoor-js/bun';

// `bun bun.build.ts`
const result = await Bun.build({
  entrypoints: ['src/main.ts'],
  outdir: 'dist/bun',
  target: 'bun',
  sourcemap: 'external',
  plugins: [trapdoor()],
});
if (!result.success) {
  for (const log of result.logs) console.error(log);
  process.exit(1);
}
