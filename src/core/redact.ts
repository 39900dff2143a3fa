/**
 * The one redactor, in two layers.
 *
 * By structure: data (what commands print, the ARM requests a dry run shows) has its secret
 * fields replaced by the marker where they sit: the properties the swagger marks x-ms-secret,
 * every protected setting, the values of a Kubernetes Secret. Nothing else is touched, so JSON
 * and YAML output stays valid and a secret that happens to equal an ordinary value (`main`,
 * `true`) hides nothing but itself.
 *
 * By text, as the last line of defence: every secret is registered as soon as it is read (from
 * a flag, a file or standard input), in every form in which it may travel (as given,
 * base64-encoded, base64-decoded, JSON-escaped), and free text (errors, warnings, debug lines)
 * has every registered form replaced. Inside printed data, only distinctive secrets (at least
 * DISTINCTIVE_LENGTH characters) are searched for in the other string values: a short secret
 * cannot be told from an ordinary word there, and its own field is already hidden.
 */
export const REDACTED = '[REDACTED]';

const MIN_SECRET_LENGTH = 4;
/** Secrets at least this long are also searched for inside other values of printed data. */
export const DISTINCTIVE_LENGTH = 8;

export class Redactor {
  private readonly secrets = new Set<string>();
  private ordered: string[] | undefined;

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
    this.ordered = undefined;
  }

  get size(): number {
    return this.secrets.size;
  }

  /** Replaces every registered secret of at least `minLength` characters in free text. */
  redact(text: string, minLength = MIN_SECRET_LENGTH): string {
    if (this.secrets.size === 0 || !text) return text;
    // Longest first, so that a secret containing another is replaced whole.
    this.ordered ??= [...this.secrets].sort((a, b) => b.length - a.length);
    let out = text;
    for (const secret of this.ordered) {
      if (secret.length < minLength) break;
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out;
  }

  /**
   * A copy of `value` with secrets hidden by structure (see the file's description), and
   * distinctive registered secrets replaced inside the other strings. Keys and non-string
   * values are never changed.
   */
  redactData<T>(value: T): T {
    return this.walk(value, undefined, false) as T;
  }

  private walk(value: unknown, key: string | undefined, secretMap: boolean): unknown {
    if (typeof value === 'string') {
      if (value !== '' && (secretMap || (key !== undefined && SECRET_FIELDS.has(key)))) return REDACTED;
      return this.redact(value, DISTINCTIVE_LENGTH);
    }
    if (Array.isArray(value)) return value.map((item) => this.walk(item, undefined, false));
    if (value === null || typeof value !== 'object') return value;
    const source = value as Record<string, unknown>;
    const kubeSecret = source.kind === 'Secret' && typeof source.apiVersion === 'string' && source.apiVersion === 'v1';
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(source)) {
      const hidesAll = secretMap ? false : SECRET_MAPS.has(k) || (kubeSecret && (k === 'data' || k === 'stringData'));
      const redacted = secretMap ? this.walk(v, k, true) : hidesAll && v && typeof v === 'object' ? this.walk(v, k, true) : this.walk(v, k, false);
      Object.defineProperty(out, k, { value: redacted, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
}

/**
 * Properties that hold a secret wherever they appear: those the ARM swagger marks x-ms-secret
 * (Azure Blob keys and service principal credentials, OCI TLS key).
 */
const SECRET_FIELDS: ReadonlySet<string> = new Set(['accountKey', 'sasToken', 'clientSecret', 'clientCertificate', 'clientCertificatePassword', 'privateKey']);
/** Maps whose every value is a secret. */
const SECRET_MAPS: ReadonlySet<string> = new Set(['configurationProtectedSettings']);

/** The process-wide redactor used by every output sink. */
export const redactor = new Redactor();
