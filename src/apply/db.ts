/** apply/rollback/status connect through the dialect's one connect (dialects/postgres/driver.ts). */
import { connectPostgres, type Db } from '../dialects/postgres/driver.js';

export type { Db };

export function connect(url: string, where = '--db', applicationName = 'lockstep', o: { readOnly?: boolean } = {}): Promise<Db> {
  return connectPostgres(url, { where, applicationName, ...o });
}
