import { ConfigError } from '../errors';

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]', '::1']);

/** Whether a host name is this machine: the only place plain `http://` is allowed. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

/**
 * Checks Alation's base URL once, at start-up. The token travels in a header, so it must
 * only ever go over TLS: `https://` always, `http://` only to a loopback host (the simulator).
 * The URL comes from configuration only, never from a message.
 *
 * @param field - the setting's name, so the error says which one is wrong.
 * @returns the URL without a trailing slash, ready to have API paths appended.
 */
export function parseAlationBaseUrl(raw: string, field = 'ALATION_BASE_URL'): string {
  const fail = (problem: string): never => {
    throw new ConfigError([{ field, problem }]);
  };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail('is not a URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    fail(`must use https:// (http:// is allowed only for loopback hosts), got ${url.protocol}//${url.host}`);
  }
  if (url.username || url.password) fail('must not contain credentials');
  if (url.search || url.hash) fail('must not contain a query or a fragment');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
