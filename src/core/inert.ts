/** Untrusted text (decoded fields, server replies, file contents) made safe to print. Pure: every layer that words a message uses it. */

// C0 controls except tab/newline, DEL, C1 controls, and the bidi overrides that can disguise text.
const CONTROL_RE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Makes untrusted text (decoded fields, server messages) safe to print: control characters become visible escapes. */
export function inert(text: string, opts: { singleLine?: boolean } = {}): string {
  const re = opts.singleLine ? /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g : CONTROL_RE;
  return text.replace(re, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
