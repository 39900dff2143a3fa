/**
 * ARM errors unwrapped to the innermost cause: nested `details[]`, and JSON documents escaped
 * inside message strings (the fluxconfig and extension agents report their own JSON as a
 * message, e.g. `{"statusMessage": "…"}`). The innermost, most specific cause comes first.
 */
export interface ArmErrorDetail {
  code?: string;
  message?: string;
  target?: string;
  details?: ArmErrorDetail[];
}

/** Finds a JSON object inside a string (a message may wrap it in prose). */
function embeddedJson(text: string): unknown {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) return undefined;
  try {
    return JSON.parse(text.slice(start, end + 1));
  } catch {
    return undefined;
  }
}

const MESSAGE_KEYS = ['statusMessage', 'message', 'Message', 'error', 'errorMessage', 'reason'];

/** Messages from the outermost to the innermost cause, without repeats. */
export function errorChain(err: ArmErrorDetail | undefined, depth = 0): { code?: string; message: string }[] {
  if (!err || depth > 8) return [];
  const out: { code?: string; message: string }[] = [];
  let message = err.message ?? '';
  const inner = message ? embeddedJson(message) : undefined;
  const nested: { code?: string; message: string }[] = [];
  if (inner && typeof inner === 'object') {
    const o = inner as Record<string, unknown>;
    const prefix = message.slice(0, message.indexOf('{')).trim().replace(/[:\s]+$/, '');
    message = prefix;
    if (o.error && typeof o.error === 'object') nested.push(...errorChain(o.error as ArmErrorDetail, depth + 1));
    else {
      const key = MESSAGE_KEYS.find((k) => typeof o[k] === 'string');
      if (key) nested.push(...errorChain({ code: typeof o.code === 'string' ? o.code : undefined, message: o[key] as string }, depth + 1));
    }
  }
  if (message) out.push({ ...(err.code ? { code: err.code } : {}), message });
  out.push(...nested);
  for (const d of err.details ?? []) out.push(...errorChain(d, depth + 1));
  const seen = new Set<string>();
  return out.filter((e) => (seen.has(e.message) ? false : (seen.add(e.message), true)));
}

/** One text, innermost cause first, then the outer context. */
export function describeArmError(err: ArmErrorDetail | undefined, fallback: string): string {
  const chain = errorChain(err);
  if (chain.length === 0) return fallback;
  const [innermost, ...outer] = [...chain].reverse();
  const head = `${innermost!.message}${innermost!.code ? ` (${innermost!.code})` : ''}`;
  return outer.length === 0 ? head : `${head}\n  in: ${outer.map((e) => `${e.message}${e.code ? ` (${e.code})` : ''}`).join('\n  in: ')}`;
}
