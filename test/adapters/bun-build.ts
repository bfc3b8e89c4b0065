// Bun.build of the fixture project, with or without trapdoor's plugin (see build.ts).
import trapdoor from 'trapdoor-js/bun';

const [entry, outdir, variant, options] = process.argv.slice(2);
const result = await Bun.build({
  entrypoints: [entry],
  outdir,
  target: 'bun',
  sourcemap: 'external',
  plugins: variant === 'trapdoor' ? [trapdoor(JSON.parse(options))] : [],
});
if (!result.success) {
  for (const log of result.logs) console.error(log);
  process.exit(1);
}
