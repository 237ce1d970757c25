/** How times read on the demo's pages: the server's local time of day, 24-hour. */
export function formatTime(date: Date): string {
  return date.toLocaleTimeString('en-GB');
}

/** A time, with its day when it is not today: `14:40:00`, `25 Nov 03:00:00`. */
export function formatDateTime(date: Date, now: Date = new Date()): string {
  if (date.toDateString() === now.toDateString()) return formatTime(date);
  return `${date.toLocaleDateString('en-GB', { day: 'numeric', month: 'short' })} ${formatTime(date)}`;
}
