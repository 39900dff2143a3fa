/** ARM's error body ({error: {code, message, target?, details?}}) and the errors the emulator answers with. */

export interface ArmErrorDetail {
  code: string;
  message: string;
  target?: string;
  details?: ArmErrorDetail[];
  additionalInfo?: { type: string; info: unknown }[];
}

export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ArmErrorDetail[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): { error: ArmErrorDetail } {
    const error: ArmErrorDetail = { code: this.code, message: this.message };
    if (this.details) error.details = this.details;
    return { error };
  }
}

export const notFound = (message: string): ArmError => new ArmError(404, 'ResourceNotFound', message);

export const validationFailed = (message: string): ArmError => new ArmError(400, 'ValidationFailed', message);

export const invalidContent = (message: string, details?: ArmErrorDetail[]): ArmError =>
  new ArmError(400, 'InvalidRequestContent', message, details);
