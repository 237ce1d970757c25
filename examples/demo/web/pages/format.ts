/** How times read on the demo's pages: the server's local time of day, 24-hour. */
export function formatTime(date: Date): string {
  return date.toLocaleTimeString('en-GB');
}

/** A date and time, for the schedules' next and last runs. */
export function formatDateTime(date: Date): string {
  return `${date.toLocaleDateString('en-CA')} ${formatTime(date)}`;
}
