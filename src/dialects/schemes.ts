/** Database URL schemes and the server flavor each names: the one table, for every flag that takes a URL. */
import type { Flavor } from '../core/version.js';

const schemes: Readonly<Record<string, Flavor>> = { postgres: 'postgres', postgresql: 'postgres', mysql: 'mysql', mariadb: 'mariadb' };

/** The flavor a URL's scheme names, or undefined when the scheme is not one lockstep knows. */
export function flavorOfUrl(url: string): Flavor | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  return scheme && Object.hasOwn(schemes, scheme) ? schemes[scheme] : undefined;
}

/** `postgres://, postgresql://, mysql:// or mariadb://`, for messages. */
export function knownSchemes(): string {
  const all = Object.keys(schemes).map((s) => `${s}://`);
  return `${all.slice(0, -1).join(', ')} or ${all[all.length - 1]}`;
}
