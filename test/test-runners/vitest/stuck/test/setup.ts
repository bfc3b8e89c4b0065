(globalThis as { fromSetup?: string }).fromSetup = 'from the setup file';
