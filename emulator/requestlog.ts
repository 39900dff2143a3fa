/** Every request the emulator received (ARM; a log of its own for the Kubernetes APIs), for tests to assert on what a client sent. */
import type { IncomingHttpHeaders } from 'node:http';

export interface LoggedRequest {
  seq: number;
  time: string;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Selected headers; the Authorization value is never kept. */
  headers: Record<string, string>;
  /** The JSON body parsed, the raw text when it is not JSON, null when empty. */
  body: unknown;
  status?: number;
  /** Set when an injected fault answered (or, for a hang, held) the request. */
  fault?: 'throttle' | 'serverError' | 'hang' | 'respond';
  durationMs?: number;
}

const KEPT_HEADERS = [
  'accept',
  'accept-language',
  'content-type',
  'user-agent',
  'x-ms-client-request-id',
  'x-ms-correlation-request-id',
  'x-ms-return-client-request-id',
  'if-match',
  'if-none-match',
];

export function selectHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = headers[name];
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const auth = headers.authorization;
  if (auth !== undefined) out.authorization = `${auth.split(/\s+/)[0] ?? ''} <redacted>`.trim();
  return out;
}

function parseBody(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export class RequestLog {
  private entries: LoggedRequest[] = [];
  private seq = 0;

  add(method: string, url: URL, headers: IncomingHttpHeaders, bodyText: string): LoggedRequest {
    const entry: LoggedRequest = {
      seq: ++this.seq,
      time: new Date().toISOString(),
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: selectHeaders(headers),
      body: parseBody(bodyText),
    };
    this.entries.push(entry);
    return entry;
  }

  all(): LoggedRequest[] {
    return this.entries;
  }

  clear(): void {
    this.entries = [];
  }
}
