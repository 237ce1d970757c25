const FORMS = 'postgres://user:password@host:5432/database (or postgresql://…), optionally ?schema=name';

/**
 * A PostgreSQL URL split into what pg takes (the connection string, untouched but for `schema`)
 * and errand's own `schema` query parameter: `postgres://localhost/app?schema=jobs`.
 */
export function parseUrl(url: string): { connectionString: string; schema: string | undefined } {
  if (typeof url !== 'string' || !/^postgres(ql)?:\/\//i.test(url)) {
    throw new TypeError(`fromUrl: ${JSON.stringify(redact(url))} is not a PostgreSQL URL; write ${FORMS}`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(
      `fromUrl: ${JSON.stringify(redact(url))} is not a valid URL; write ${FORMS} (percent-encode special ` +
        'characters in the password)',
    );
  }
  const schemas = parsed.searchParams.getAll('schema');
  if (schemas.length === 0) return { connectionString: url, schema: undefined };
  if (schemas.length > 1) throw new TypeError(`fromUrl: ${JSON.stringify(redact(url))} gives schema twice`);
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.href, schema: schemas[0] };
}

/** The URL with its password hidden, for error messages. */
export function redact(url: unknown): unknown {
  if (typeof url !== 'string') return url;
  return url.replace(/^([a-z]+:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}
