/**
 * Whether some text or bytes can be judged as a pay_info at all: not empty, not absurdly long, not
 * binary, one line, valid UTF-8. These are the "you gave me the wrong thing" findings; everything
 * after them is about the pay_info itself. Pure; never throws.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { issue, type Issue } from './issues.js';
import { firstInvalidUtf8 } from './payinfo-encoding.js';
import { thousands } from './numbers.js';

/** Longest input judged as one pay_info. Real ones are ~600 bytes; the cap keeps one bad line from costing memory. */
export const MAX_PAYINFO_BYTES = 64 * 1024;

// C0 controls other than tab/LF/CR, DEL, and C1 controls: never in text a person pasted.
const BINARY_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

// Any control character at all, line breaks and tabs included: when none, most checks are moot.
const ANY_CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;

/** Findings that stop judging `text`; empty when it can be parsed as a pay_info. */
export function checkInputText(text: string): Issue[] {
  // Fast path for the usual line (batch decoding calls this per line); the full checks below agree with it.
  if (text.length > 0 && text.length <= MAX_PAYINFO_BYTES && !ANY_CONTROL_RE.test(text) && text.trim() !== '') return [];
  if (text.trim() === '') {
    return [
      issue('input.empty', 'error', text === '' ? 'the pay_info is empty' : 'the pay_info holds only whitespace', {
        hint: 'pass the pay_info string from the unified_order response (data=...&sign=...), or - to read it from stdin',
      }),
    ];
  }
  if (text.length > MAX_PAYINFO_BYTES) {
    return [
      issue('input.too-long', 'error', `the input is ${thousands(text.length)} characters; a pay_info is about 600 (limit ${thousands(MAX_PAYINFO_BYTES)})`, {
        hint: 'pass just the pay_info value, not a whole response or log; for many pay_info values, one per line, use --file',
      }),
    ];
  }
  const bin = BINARY_RE.exec(text);
  if (bin) {
    const code = bin[0].charCodeAt(0);
    return [
      issue('input.binary', 'error', `the input holds binary data (control character 0x${code.toString(16).padStart(2, '0')} at offset ${bin.index}); a pay_info is printable text`, {
        hint: 'pass the pay_info text (data=...&sign=...), not a binary file',
      }),
    ];
  }
  const inner = text.trim();
  const nl = /[\r\n]/.exec(inner);
  if (nl) {
    return [
      issue('input.multiple-lines', 'error', `the input spans several lines (line break at offset ${nl.index + text.indexOf(inner)}); one pay_info is one line`, {
        hint: 'for one pay_info per line use --batch (stdin) or --file',
      }),
    ];
  }
  return [];
}

/** Decodes UTF-8 bytes for judging: invalid UTF-8 is a finding (naming the first bad byte), not a replacement character. */
export function textFromBytes(bytes: Uint8Array): { text: string | undefined; issues: Issue[] } {
  if (bytes.length > MAX_PAYINFO_BYTES) {
    return {
      text: undefined,
      issues: [
        issue('input.too-long', 'error', `the input is ${thousands(bytes.length)} bytes; a pay_info is about 600 (limit ${thousands(MAX_PAYINFO_BYTES)})`, {
          hint: 'pass just the pay_info value, not a whole response or log; for many pay_info values, one per line, use --file',
        }),
      ],
    };
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // A pay_info is ASCII; latin1 decoding of ASCII is the cheapest way to a string.
  if (isAscii(buf)) return { text: buf.toString('latin1'), issues: [] };
  const control = buf.findIndex((b) => b < 9 || b === 11 || b === 12 || (b > 13 && b < 32) || b === 127);
  if (control !== -1) {
    return {
      text: undefined,
      issues: [
        issue('input.binary', 'error', `the input holds binary data (byte 0x${buf[control]!.toString(16).padStart(2, '0')} at offset ${control}); a pay_info is printable text`, {
          hint: 'pass the pay_info text (data=...&sign=...), not a binary file',
        }),
      ],
    };
  }
  if (!isUtf8(buf)) {
    const at = firstInvalidUtf8(buf)?.at ?? 0;
    return {
      text: undefined,
      issues: [
        issue('input.invalid-utf8', 'error', `the input is not valid UTF-8 (byte 0x${(buf[at] ?? 0).toString(16).padStart(2, '0')} at offset ${at})`, {
          hint: 'save the text as UTF-8; a pay_info itself is plain ASCII, so this byte does not belong in it',
        }),
      ],
    };
  }
  return { text: buf.toString('utf8'), issues: [] };
}
