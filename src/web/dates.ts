// The one way pages show a date: a day in words, in UTC ("2 December 2026"), so a person
// reads the same date whatever the server's locale. One formatter for the process:
// Date#toLocaleDateString with options builds a new one on every call (#13.7: a fifth
// of the consent page's render).
const DAY = new Intl.DateTimeFormat('en-NZ', { dateStyle: 'long', timeZone: 'UTC' });

/** The day of `date` in words, in UTC. */
export function dayOf(date: Date): string {
  return DAY.format(date);
}
