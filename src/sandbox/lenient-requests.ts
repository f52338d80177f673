/**
 * Request targets as production's nginx accepts them. A JVM's HttpURLConnection, and the API
 * document's own example request, put `product_name=金元宝` on the request line as raw UTF-8 bytes;
 * nginx passes them through and production answers ret 0. Node's HTTP parser refuses any byte
 * >= 0x80 (and `"<>\^`{|}`) in the request target with a bare 400, `insecureHTTPParser` or not.
 *
 * This is the thin layer in front of it: each connection's bytes pass through `RequestFramer`,
 * which finds every request line (following Content-Length and chunked bodies to know where the
 * next request starts) and percent-encodes just those bytes in the target, so Node parses
 * `product_name=%E9%87%91...`, which the wire layer decodes back to the same UTF-8 text the client
 * signed. Headers and bodies are passed through untouched. A request line that is already clean,
 * the common case, costs one indexOf and one byte scan.
 */
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

/** Bytes nginx lets through in a request target that llhttp refuses. */
function needsEscape(b: number): boolean {
  return b >= 0x80 || b === 0x22 || b === 0x3c || b === 0x3e || b === 0x5c || b === 0x5e || b === 0x60 || b === 0x7b || b === 0x7c || b === 0x7d || b === 0x7f;
}

const HEX = '0123456789ABCDEF';

/** The request line with its target's refused bytes percent-encoded (method and version untouched). */
export function escapeRequestLine(line: Buffer): Buffer {
  const sp1 = line.indexOf(0x20);
  const sp2 = line.lastIndexOf(0x20);
  if (sp1 === -1 || sp2 <= sp1) return line;
  let dirty = false;
  for (let i = sp1 + 1; i < sp2; i++) {
    if (needsEscape(line[i]!)) {
      dirty = true;
      break;
    }
  }
  if (!dirty) return line;
  const out: number[] = [];
  for (let i = 0; i < line.length; i++) {
    const b = line[i]!;
    if (i > sp1 && i < sp2 && needsEscape(b)) out.push(0x25, HEX.charCodeAt(b >> 4), HEX.charCodeAt(b & 15));
    else out.push(b);
  }
  return Buffer.from(out);
}

type State = 'line' | 'head' | 'body' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'opaque';

/** Lines longer than this are not requests worth rewriting: they go to Node's parser as they are (it refuses them). */
const MAX_LINE = 64 * 1024;

/**
 * Splits a connection's byte stream into HTTP/1.1 messages just enough to find request lines.
 * Feed it chunks; it returns the bytes to hand on, with request targets escaped.
 */
export class RequestFramer {
  private state: State = 'line';
  private carry: Buffer | undefined;
  private remaining = 0;

  push(chunk: Buffer): Buffer {
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = undefined;
    const out: Buffer[] = [];
    let i = 0;
    while (i < buf.length) {
      if (this.state === 'opaque') {
        out.push(buf.subarray(i));
        break;
      }
      if (this.state === 'body' || this.state === 'chunk-data') {
        // Counted bytes pass through untouched, whatever they hold.
        const n = Math.min(this.remaining, buf.length - i);
        out.push(buf.subarray(i, i + n));
        i += n;
        this.remaining -= n;
        if (this.remaining === 0) this.state = this.state === 'body' ? 'line' : 'chunk-end';
        continue;
      }
      // Every other state reads one line: a request line, a header, a chunk size, a chunk's CRLF, a trailer.
      const nl = buf.indexOf(0x0a, i);
      if (nl === -1) {
        if (buf.length - i > MAX_LINE) return this.giveUp(out, buf.subarray(i));
        this.carry = buf.subarray(i);
        break;
      }
      const line = buf.subarray(i, nl + 1);
      i = nl + 1;
      out.push(this.state === 'line' && line.length > 2 ? escapeRequestLine(line) : line);
      if (!this.onLine(line)) return this.giveUp(out, buf.subarray(i));
    }
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  }

  /** Moves the state machine past one line; false when the line makes no sense (then stop rewriting). */
  private onLine(line: Buffer): boolean {
    const blank = line.length <= 2;
    switch (this.state) {
      case 'line':
        // Blank lines between requests are allowed (RFC 9112 §2.2).
        if (!blank) {
          this.state = 'head';
          this.contentLength = 0;
          this.chunked = false;
        }
        return true;
      case 'head':
        if (!blank) this.header(line);
        // End of the head: the body follows (chunked or Content-Length), or the next request.
        else if (this.chunked) this.state = 'chunk-size';
        else if (this.contentLength > 0) {
          this.state = 'body';
          this.remaining = this.contentLength;
        } else this.state = 'line';
        return true;
      case 'chunk-size': {
        const size = parseInt(line.toString('latin1').split(';')[0]!.trim(), 16);
        if (!Number.isFinite(size)) return false;
        if (size === 0) this.state = 'trailers';
        else {
          this.remaining = size;
          this.state = 'chunk-data';
        }
        return true;
      }
      case 'chunk-end':
        this.state = 'chunk-size';
        return true;
      case 'trailers':
        if (blank) this.state = 'line';
        return true;
      default:
        return true;
    }
  }

  private contentLength = 0;
  private chunked = false;

  private header(line: Buffer): void {
    // Only the two framing headers matter; names are case-insensitive.
    const c = line[0]! | 0x20;
    if (c !== 0x63 && c !== 0x74) return;
    const text = line.toString('latin1');
    const colon = text.indexOf(':');
    if (colon === -1) return;
    const name = text.slice(0, colon).trim().toLowerCase();
    const value = text.slice(colon + 1).trim();
    if (name === 'content-length') {
      const n = Number(value);
      this.contentLength = Number.isSafeInteger(n) && n >= 0 ? n : 0;
    } else if (name === 'transfer-encoding' && /chunked\s*$/i.test(value)) this.chunked = true;
  }

  /** Something that is not HTTP/1.1 as expected: stop rewriting and let Node's parser judge the rest. */
  private giveUp(out: Buffer[], rest: Buffer): Buffer {
    this.state = 'opaque';
    out.push(rest);
    return Buffer.concat(out);
  }
}

/**
 * A connection whose incoming bytes go through a RequestFramer before Node's HTTP server reads
 * them; writes go straight to the socket. Quacks enough like a net.Socket for http.Server.
 */
export class LenientConnection extends Duplex {
  private readonly framer = new RequestFramer();

  constructor(readonly socket: Socket) {
    super({ allowHalfOpen: true });
    socket.on('data', (d: Buffer) => {
      if (!this.push(this.framer.push(d))) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => this.destroy());
    socket.on('timeout', () => this.emit('timeout'));
  }

  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }
  get remotePort(): number | undefined {
    return this.socket.remotePort;
  }
  get remoteFamily(): string | undefined {
    return this.socket.remoteFamily;
  }
  get localAddress(): string | undefined {
    return this.socket.localAddress;
  }
  get localPort(): number | undefined {
    return this.socket.localPort;
  }
  address(): ReturnType<Socket['address']> {
    return this.socket.address();
  }
  setTimeout(ms: number, cb?: () => void): this {
    this.socket.setTimeout(ms);
    if (cb) this.once('timeout', cb);
    return this;
  }
  setNoDelay(noDelay?: boolean): this {
    this.socket.setNoDelay(noDelay);
    return this;
  }
  setKeepAlive(enable?: boolean, delay?: number): this {
    this.socket.setKeepAlive(enable, delay);
    return this;
  }
  ref(): this {
    this.socket.ref();
    return this;
  }
  unref(): this {
    this.socket.unref();
    return this;
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.socket.write(chunk)) cb();
    else this.socket.once('drain', () => cb());
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, cb: (err?: Error | null) => void): void {
    this._write(chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk)), 'latin1', cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.socket.end(() => cb());
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.socket.destroy(err ?? undefined);
    cb(err);
  }
}
