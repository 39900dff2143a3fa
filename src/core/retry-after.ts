/**
 * How long a response asks the client to wait before asking again, in milliseconds.
 *
 * Azure sends `retry-after-ms` or `x-ms-retry-after-ms` (milliseconds) on some services and the
 * standard `Retry-After` on all of them, either delta-seconds or an HTTP date. Anything else
 * ("soon", "-1", an ISO timestamp) is not an instruction and gives undefined, so the caller's own
 * back-off applies. `lookup` returns a header's value by its lower-case name.
 */
export function retryAfterFrom(lookup: (name: string) => string | undefined, now: number): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const value = lookup(name)?.trim();
    if (value && /^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value));
  }
  const value = lookup('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  // An HTTP date always starts with the day's name: "Sun, 06 Nov 1994 08:49:37 GMT".
  if (!/^[A-Za-z]{3}, /.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
