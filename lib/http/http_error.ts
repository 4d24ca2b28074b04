/** An error that maps to an HTTP response: its status, a sentence-case message and optional details. */
export class HttpError extends Error {
  /** HTTP status code sent to the client. */
  readonly status: number;
  /** Structured details sent with the message (e.g. each invalid field). */
  readonly details: unknown;

  /** Creates an error for `status` with a message the client will see. */
  constructor(
    status: number,
    message: string,
    options: { cause?: unknown; details?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "HttpError";
    this.status = status;
    this.details = options.details;
  }
}
