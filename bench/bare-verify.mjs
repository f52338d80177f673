// The baseline for tacpay's batch verification: the simplest script that checks the same lines, a
// bare crypto.verify loop in one thread. Run as its own process, timed the same way as tacpay.
// Usage: node bench/bare-verify.mjs <lines.txt> <public.pem>  (prints how many verified)
import { createPublicKey, verify } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const [file, pem] = process.argv.slice(2);
const key = createPublicKey(readFileSync(pem));
let ok = 0;
for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
  const amp = line.indexOf('&sign=');
  const data = decodeURIComponent(line.slice(5, amp));
  const sig = Buffer.from(decodeURIComponent(line.slice(amp + 6)), 'base64');
  if (verify('sha256', Buffer.from(data, 'utf8'), key, sig)) ok++;
}
console.log(ok);
