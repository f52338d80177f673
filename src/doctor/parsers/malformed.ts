/** The one error every parser wrapper throws: a broken file becomes a finding that names the line, never a crash. */

/** A file that could not be parsed: the message says where. */
export class Malformed extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line !== undefined && line > 0 ? `line ${line}: ${message}` : message);
    this.name = 'Malformed';
  }
}
