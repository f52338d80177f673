// A stand-in for your backend's payment-notification handler, for examples/ci-smoke.sh: it knows
// nothing of tacpay's code, only what a real handler is given: the platform public key and the
// merchant's offerKey (from `tacpay sandbox keys --dotenv`, read with `node --env-file`). For each
// POST it verifies the signature (SHA256withRSA over the fields sorted by name, joined k=v with &,
// sign left out, followed directly by the offerKey) and that ts is within 5 minutes, then answers
// {"ret":0,"msg":"ok"}, or {"ret":-1,"msg":"<why>"} so the sandbox retries.
//
//   node --env-file=handler.env examples/notify-handler.mjs    (PORT, default 3000; 0 picks one)
import { createPublicKey, createVerify } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';

const need = (name) => {
  const v = process.env[name];
  if (!v) {
    process.stderr.write(`notify-handler: ${name} is not set (tacpay sandbox keys --dotenv writes it)\n`);
    process.exit(2);
  }
  return v;
};
const offerId = need('TACPAY_OFFER_ID');
const offerKey = need('TACPAY_OFFER_KEY');
// A .env value holds the PEM's line breaks as \n; Node's --env-file turns them back, other loaders may not.
const platformKey = createPublicKey(need('TACPAY_PLATFORM_PUBLIC_KEY').replace(/\\n/g, '\n'));

/** Strings raw, numbers as written, arrays and objects as compact JSON; absent values skipped. */
function stringToSign(body) {
  return (
    Object.keys(body)
      .filter((k) => k !== 'sign' && body[k] !== null && body[k] !== undefined)
      .sort()
      .map((k) => `${k}=${typeof body[k] === 'object' ? JSON.stringify(body[k]) : String(body[k])}`)
      .join('&') + offerKey
  );
}

function check(raw) {
  let body;
  try {
    body = JSON.parse(raw);
  } catch {
    return 'the body is not JSON';
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'the body is not a JSON object';
  if (body.appid !== offerId) return 'not our appid';
  if (typeof body.sign !== 'string' || !body.sign) return 'sign is missing';
  if (!createVerify('RSA-SHA256').update(stringToSign(body), 'utf8').verify(platformKey, body.sign, 'base64')) return 'bad signature';
  const ts = Number(body.ts);
  if (!Number.isFinite(ts) || Math.abs(Date.now() / 1000 - ts) > 300) return 'stale ts';
  // Here your handler would look the order up, check the amount, mark it paid (once).
  return undefined;
}

const server = createServer((req, res) => {
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size <= 64 * 1024) chunks.push(c);
  });
  req.on('end', () => {
    const why = size > 64 * 1024 ? 'body too large' : check(Buffer.concat(chunks).toString('utf8'));
    const reply = why ? { ret: -1, msg: why } : { ret: 0, msg: 'ok' };
    process.stdout.write(`notify-handler: ${why ? `refused (${why})` : 'verified, ok'}\n`);
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(reply));
  });
});

server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const url = `http://127.0.0.1:${server.address().port}/notify`;
  if (process.env.HANDLER_URL_FILE) writeFileSync(process.env.HANDLER_URL_FILE, url + '\n');
  process.stdout.write(`notify-handler: listening at ${url}\n`);
});
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => server.close(() => process.exit(0)));
