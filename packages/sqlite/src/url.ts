const FORMS = 'sqlite:./relative/path.db, sqlite:/absolute/path.db or sqlite::memory:';

/**
 * The file path in a SQLite URL: `sqlite:./path.db`, `sqlite:/abs/path.db`, `sqlite:///abs/path.db`
 * (an empty host, as in file:// URLs) or `sqlite::memory:`. The path is taken as written, with no
 * percent-decoding. Other options go to sqliteBackend() directly.
 */
export function pathFromUrl(url: string): string {
  if (typeof url !== 'string' || !url.startsWith('sqlite:')) {
    throw new TypeError(`fromUrl: ${JSON.stringify(url)} is not a SQLite URL; write ${FORMS}`);
  }
  let path = url.slice('sqlite:'.length);
  if (path.startsWith('///')) {
    path = path.slice(2);
  } else if (path.startsWith('//')) {
    throw new TypeError(
      `fromUrl: ${JSON.stringify(url)} names a host, but SQLite opens local files; write ${FORMS}`,
    );
  }
  if (path === '') throw new TypeError(`fromUrl: ${JSON.stringify(url)} has no file path; write ${FORMS}`);
  if (path.includes('?')) {
    throw new TypeError(
      `fromUrl: ${JSON.stringify(url)} has query options, which are not supported; ` +
        `pass options to sqliteBackend({ path, … }) instead`,
    );
  }
  return path;
}
