/** Exit codes of every command (DESIGN.md "Command line"). */
export const EXIT = {
  /** Done and clean. */
  ok: 0,
  /** Done with findings (validation errors, refused records). */
  findings: 1,
  /** Bad input or usage; the message names the file and the JSON pointer. */
  usage: 2,
} as const;

/** A failure the user can fix: printed as one message, never as a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
    this.name = "CliError";
  }
}
