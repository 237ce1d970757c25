/**
 * The rows of the demo's export: made-up orders, computed from the row number alone, so an export
 * of any size streams with constant memory and a test knows what row N must hold.
 */

export const ORDER_COLUMNS = ['order_id', 'placed_at', 'customer', 'email', 'items', 'total_eur'] as const;

const FIRST_NAMES = [
  'Ada',
  'Alan',
  'Grace',
  'Edsger',
  'Barbara',
  'Donald',
  'Margaret',
  'Ken',
  'Frances',
  'Niklaus',
];
const LAST_NAMES = [
  'Lovelace',
  'Turing',
  'Hopper',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Hamilton',
  "O'Neil",
  'Allen',
];
const COMPANIES = ['', '', '', 'Acme, Inc.', 'Initech', 'Globex "Intl"'];

const FIRST_ORDER_AT = Date.UTC(2026, 0, 1);

/** Order `n` (1-based) as CSV fields. */
export function orderRow(n: number): string[] {
  const first = FIRST_NAMES[n % FIRST_NAMES.length]!;
  const last = LAST_NAMES[(n * 7) % LAST_NAMES.length]!;
  const company = COMPANIES[(n * 5) % COMPANIES.length]!;
  const items = 1 + ((n * 13) % 5);
  const cents = 500 + ((n * 7919) % 49_500) + items * 250;
  return [
    String(n),
    new Date(FIRST_ORDER_AT + n * 37_000).toISOString(),
    company ? `${first} ${last} (${company})` : `${first} ${last}`,
    `${first}.${last}.${n}@example.com`.toLowerCase().replace("'", ''),
    String(items),
    (cents / 100).toFixed(2),
  ];
}

/** One CSV line (RFC 4180): a field with a comma, quote or line break is quoted, quotes doubled. */
export function csvLine(fields: readonly string[]): string {
  return (
    fields.map((field) => (/[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field)).join(',') +
    '\r\n'
  );
}
