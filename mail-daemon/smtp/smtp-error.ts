// A rejection that smtp-server sends as the reply: the basic code, and the
// enhanced status code (RFC 3463) at the start of the text.
export interface SmtpError extends Error {
  responseCode: number;
}

export function smtpError(code: number, enhanced: string, text: string): SmtpError {
  const error = new Error(`${enhanced} ${text}`) as SmtpError;
  error.responseCode = code;
  return error;
}
