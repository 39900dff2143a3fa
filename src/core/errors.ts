/**
 * Typed errors. Each class carries the exit code documented in the README; the mapping
 * from error to exit code lives here and nowhere else.
 */
export const ExitCode = {
  ok: 0,
  error: 1,
  usage: 2,
  notFound: 3,
  auth: 4,
  timeout: 5,
  failed: 6,
  /** `flux config diff --exit-code` found differences (a result, not an error). */
  differences: 7,
  interrupted: 130,
  /** Ended by SIGTERM while waiting (128 + 15, as shells report it). */
  terminated: 143,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class CliError extends Error {
  readonly exitCode: ExitCodeValue = ExitCode.error;
  /** One line telling the user what to do about it. */
  readonly remedy?: string;
  constructor(message: string, remedy?: string) {
    super(message);
    this.name = new.target.name;
    if (remedy) this.remedy = remedy;
  }
}

/** Invalid command line or input. Nothing was sent anywhere. */
export class UsageError extends CliError {
  override readonly exitCode = ExitCode.usage;
  /** The flag (or file field) the problem is about, e.g. `--timeout` or `-k/--kustomization`. */
  readonly flag?: string;
  constructor(flag: string | undefined, message: string, remedy?: string) {
    super(flag ? `${flag}: ${message}` : message, remedy);
    if (flag) this.flag = flag;
  }
}

export class NotFoundError extends CliError {
  override readonly exitCode = ExitCode.notFound;
}

export class AuthError extends CliError {
  override readonly exitCode = ExitCode.auth;
}

export class TimeoutError extends CliError {
  override readonly exitCode = ExitCode.timeout;
}

/** An operation ended Failed/Canceled, or a reconciliation failed. */
export class FailedError extends CliError {
  override readonly exitCode = ExitCode.failed;
}

/** A long-running operation that ended Failed or Canceled; `status` is the one it ended with. */
export class OperationEndedError extends FailedError {
  constructor(
    readonly status: string,
    message: string,
    remedy?: string,
  ) {
    super(message, remedy);
  }
}

/** `flux config diff --exit-code` found differences; they are printed already, so nothing more is said. */
export class DifferencesFound extends CliError {
  override readonly exitCode = ExitCode.differences;
}

/** Ctrl-C (exit 130) or SIGTERM (exit 143) ended a wait. */
export class InterruptedError extends CliError {
  override readonly exitCode: ExitCodeValue;
  constructor(message: string, remedy?: string, signal: 'SIGINT' | 'SIGTERM' = 'SIGINT') {
    super(message, remedy);
    this.exitCode = signal === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted;
  }
}

/** The exit code for anything thrown: typed errors carry theirs, everything else is 1. */
export function exitCodeOf(err: unknown): ExitCodeValue {
  return err instanceof CliError ? err.exitCode : ExitCode.error;
}
