const FORMS = 'redis://host:6379, redis://user:password@host:6379/2 or rediss://host:6380 (TLS)';

/**
 * Splits errand's own `prefix` query parameter off a Redis URL, so that ERRAND_URL alone can name
 * the key prefix: `redis://host:6379/0?prefix=shop`. The rest of the URL goes to ioredis as it is.
 */
export function splitUrl(url: string): { url: string; prefix: string | undefined } {
  if (typeof url !== 'string' || !/^rediss?:\/\//i.test(url)) {
    throw new TypeError(`fromUrl: ${JSON.stringify(url)} is not a Redis URL; write ${FORMS}`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new TypeError(`fromUrl: ${JSON.stringify(url)} is not a valid URL; write ${FORMS}`, {
      cause: error,
    });
  }
  const prefixes = parsed.searchParams.getAll('prefix');
  if (prefixes.length > 1) {
    throw new TypeError(
      `fromUrl: ${JSON.stringify(url)} gives prefix ${prefixes.length} times; give it once`,
    );
  }
  if (prefixes.length === 0) return { url, prefix: undefined };
  parsed.searchParams.delete('prefix');
  return { url: parsed.toString(), prefix: prefixes[0] };
}
