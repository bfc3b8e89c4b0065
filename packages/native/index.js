// ESM entry: re-exports the CommonJS implementation, so ESM and CJS importers share one state.
// A static import (not createRequire) so that Deno loads index.cjs as part of the module graph:
// then even without --allow-read the import succeeds and isAvailable() answers false.
import native from './index.cjs';

export const startWatcher = native.startWatcher;
export const startDeadlineWatcher = native.startDeadlineWatcher;
export const isAvailable = native.isAvailable;
export const loadError = native.loadError;
export const signalDisposition = native.signalDisposition;
export const codes = native.codes;
export const _stats = native._stats;
export const _files = native._files;
export default native;
