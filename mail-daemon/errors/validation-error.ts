// A rejected input, named by the field it concerns, so that a form can show
// the message next to the field and mailctl can print it and exit non-zero.
export class ValidationError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'ValidationError';
  }
}
