/**
 * The one redactor. Every sink (stdout, stderr, debug log, error text, rendered files) passes
 * its text through `redact`. Secrets are registered as soon as they are read, in every form in
 * which they may travel (as given, base64-encoded, base64-decoded).
 */
export const REDACTED = '[REDACTED]';

const MIN_SECRET_LENGTH = 4;

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers a secret value and the encodings it may take on the way out. */
  add(value: string | undefined): void {
    if (!value) return;
    const forms = new Set<string>([value, value.trim()]);
    forms.add(Buffer.from(value, 'utf8').toString('base64'));
    forms.add(Buffer.from(value.trim(), 'utf8').toString('base64'));
    if (/^[A-Za-z0-9+/=\s]+$/.test(value)) {
      const decoded = Buffer.from(value.replace(/\s+/g, ''), 'base64').toString('utf8');
      if (decoded && !decoded.includes('\uFFFD')) forms.add(decoded).add(decoded.trim());
    }
    for (const form of forms) {
      if (form.length >= MIN_SECRET_LENGTH) {
        this.secrets.add(form);
        // JSON output escapes newlines and quotes; register the escaped form too.
        const escaped = JSON.stringify(form).slice(1, -1);
        if (escaped !== form) this.secrets.add(escaped);
      }
    }
  }

  get size(): number {
    return this.secrets.size;
  }

  redact(text: string): string {
    if (this.secrets.size === 0 || !text) return text;
    // Longest first, so that a secret containing another is replaced whole.
    const ordered = [...this.secrets].sort((a, b) => b.length - a.length);
    let out = text;
    for (const secret of ordered) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out;
  }
}

/** The process-wide redactor used by every output sink. */
export const redactor = new Redactor();
