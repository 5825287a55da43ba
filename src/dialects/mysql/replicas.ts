/**
 * The replicas a MySQL/MariaDB primary lists (`SHOW SLAVE HOSTS`: replicas that set report_host), as
 * URLs reached with the primary's credentials. The backfill and the online copy throttle on their lag.
 */
import type { MyDb } from './driver.js';

export async function listedReplicaUrls(db: MyDb, primaryUrl: string): Promise<string[]> {
  const hosts = await db.query<Record<string, unknown>>('SHOW SLAVE HOSTS').catch(() => []);
  const urls: string[] = [];
  for (const h of hosts) {
    const host = String(h.Host ?? h.host ?? '');
    if (!host) continue;
    const u = new URL(primaryUrl);
    u.hostname = host;
    u.port = String(h.Port ?? h.port ?? 3306);
    u.pathname = '/';
    urls.push(u.toString());
  }
  return urls;
}
