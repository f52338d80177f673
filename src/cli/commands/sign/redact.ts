/** The last safety net of `tacpay sign`: no secret text reaches any output. */

/**
 * Replaces secrets in text about to be written. The string-to-sign is redacted by construction;
 * this is the net for anything else (a key pasted into a parameter, an error that echoes input).
 * Secrets shorter than 8 characters are left to the structural redaction: replacing, say, "1"
 * everywhere would shred the output without protecting anything.
 */
export class Redactor {
  private readonly secrets: Array<{ text: string; label: string }> = [];

  add(text: string, label: string): void {
    for (const t of [text, text.trim(), JSON.stringify(text).slice(1, -1)]) {
      if (t.length >= 8 && !this.secrets.some((s) => s.text === t)) this.secrets.push({ text: t, label });
    }
    this.secrets.sort((a, b) => b.text.length - a.text.length);
  }

  apply(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s.text)) out = out.split(s.text).join(s.label);
    return out;
  }
}
