/* Pure helpers of the console: how times and waits read, and when an admin JWT expires. */

/** "45 seconds", "1 minute", "15 minutes", "2 hours": a wait, rounded up. */
export function duration(seconds: number): string {
  const unit = (n: number, name: string) => `${n} ${name}${n === 1 ? '' : 's'}`;
  if (seconds < 60) return unit(Math.max(0, Math.ceil(seconds)), 'second');
  if (seconds < 3600) return unit(Math.ceil(seconds / 60), 'minute');
  if (seconds < 86400) return unit(Math.ceil(seconds / 3600), 'hour');
  return unit(Math.ceil(seconds / 86400), 'day');
}

/** An API time (ISO 8601) as `2026-11-30 14:05 UTC`; `fallback` for null. */
export function when(iso: string | null | undefined, fallback: string): string {
  if (!iso) return fallback;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The `exp` of a JWT (seconds since the epoch), read without verifying it: only to know when to sign out. */
export function jwtExpiry(jwt: string): number | undefined {
  const payload = jwt.split('.')[1];
  if (!payload) return undefined;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '='));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp : undefined;
  } catch {
    return undefined;
  }
}

/** Grace periods the forms offer, in seconds (the API takes 0 … 604800). */
export const GRACE_PERIODS: readonly { seconds: number; label: string }[] = [
  { seconds: 0, label: 'None: the old one stops now' },
  { seconds: 300, label: '5 minutes' },
  { seconds: 3600, label: '1 hour' },
  { seconds: 86400, label: '24 hours' },
  { seconds: 604800, label: '7 days' },
];
