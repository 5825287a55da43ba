import type { TestProject } from 'vitest/node';
import { startServers, type ServerInfo } from './servers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    servers: ServerInfo[];
  }
}

export default async function setup(project: TestProject) {
  const started = await startServers();
  for (const n of started.notices) console.warn(`\n*** ${n} ***\n`);
  console.log(`test servers: ${started.servers.map((s) => `${s.name}${s.embedded ? ' (embedded)' : ''}`).join(', ')}`);
  project.provide('servers', started.servers);
  return () => started.stop();
}
