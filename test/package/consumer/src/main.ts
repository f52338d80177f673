// A merchant backend's use of every export, run from the installed tarball. Prints one JSON line per step.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  canonicalString,
  createOrderClient,
  decodePayInfo,
  isTransportError,
  NOTIFY_OK_REPLY,
  OpenMidasApiError,
  listScenarios,
  runDoctor,
  runScenario,
  signRequest,
  startSandbox,
  TacpayLibError,
  TransportError,
  verifyNotification,
  type ApiAnswer,
  type DecodeReport,
  type DoctorReport,
  type KeyInput,
  type Notification,
  type NotificationVerdict,
  type Sandbox,
  type ScenarioReport,
  type StepReport,
} from 'tacpay';

// The README's notification handler, as a user copies it: plain node:http, the raw body, the reply.
interface HandlerOptions {
  platformPublicKey: string;
  offerKey: string;
  /** Your order lookup: the amount you expect for out_trade_no, or undefined for an order you never placed. */
  expectedAmount: (outTradeNo: string) => number | undefined;
  onPaid: (n: Notification) => void;
}

function notificationServer(opts: HandlerOptions): Server {
  return createServer((req, res) => {
    const reply = (body: { ret: number; msg: string }) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 64 * 1024) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      const v = verifyNotification(Buffer.concat(chunks), { platformPublicKey: opts.platformPublicKey, offerKey: opts.offerKey });
      if (!v.ok) return reply({ ret: -1, msg: v.reason });
      const n = v.notification;
      if (opts.expectedAmount(n.out_trade_no) !== n.amount) return reply({ ret: -1, msg: `unknown order ${n.out_trade_no}` });
      opts.onPaid(n); // idempotent: the platform retries until it reads {"ret":0,"msg":"ok"}
      reply({ ret: 0, msg: 'ok' });
    });
  });
}

const [dataDir, doctorDir] = process.argv.slice(2) as [string, string];
const t0 = Date.now();
const say = (step: string, value: unknown) => console.log(JSON.stringify({ step, value, ms: Date.now() - t0 }));

const sandbox: Sandbox = await startSandbox({ dataDir, retryScale: 0.001 });
const key: KeyInput = sandbox.merchant.privateKeyPem;
const orders = new Map<string, number>();
const paid: string[] = [];
const handler = notificationServer({
  platformPublicKey: sandbox.platformPublicKeyPem,
  offerKey: sandbox.merchant.offerKey,
  expectedAmount: (no) => orders.get(no),
  onPaid: (n) => void paid.push(n.out_trade_no),
});
await new Promise<void>((r) => handler.listen(0, '127.0.0.1', r));
const notifyUrl = `http://127.0.0.1:${(handler.address() as AddressInfo).port}/notify`;
sandbox.setNotifyUrl(notifyUrl);

// (a) place, pay, query.
const client = createOrderClient({ offerId: sandbox.merchant.offerId, offerKey: sandbox.merchant.offerKey, privateKey: key, baseUrl: sandbox.url });
const outTradeNo = `consumer_${Date.now()}`;
orders.set(outTradeNo, 1);
const placed = await client.unifiedOrder({ user_id: 'consumer01', out_trade_no: outTradeNo, product_id: 'p1', currency_type: 'CNY', amount: 1, product_name: 'gold', product_detail: 'gold' });
const report: DecodeReport = decodePayInfo(placed.pay_info ?? '', { publicKey: sandbox.platformPublicKeyPem });
say('pay_info', report.signature.status);
await sandbox.pay(outTradeNo);
let state = '';
for (let i = 0; i < 50; i++) {
  const q: ApiAnswer = await client.queryOrder({ user_id: 'consumer01', type: 'by_order', out_trade_no: outTradeNo });
  state = String(q.order_state);
  if (state === '4') break;
  await new Promise((r) => setTimeout(r, 100));
}
say('order_state', state);
say('handler-paid', paid.includes(outTradeNo));
try {
  await client.closeOrder({ user_id: 'consumer01', out_trade_no: 'never_placed' });
} catch (err: unknown) {
  say('api-error', err instanceof OpenMidasApiError ? err.ret !== 0 : String(err));
}

// The pure helpers.
const signed = signRequest({ user_id: 'consumer01' }, { offerKey: 'k', privateKey: key });
say('signed', typeof signed.sign === 'string' && canonicalString(signed, 'k').endsWith('k'));
const verdict: NotificationVerdict = verifyNotification('{}', { platformPublicKey: sandbox.platformPublicKeyPem, offerKey: 'k' });
say('verdict', verdict.ok ? 'ok' : verdict.code);
say('ok-reply', NOTIFY_OK_REPLY);
try {
  decodePayInfo('');
} catch (err) {
  say('lib-error', err instanceof TacpayLibError);
}
say('transport-error-class', isTransportError(new TransportError('x', 'y', 1)));
const doctor: DoctorReport = await runDoctor(doctorDir);
say('doctor', doctor.checks.find((c) => c.id === 'android.project')?.status);
// A built-in scenario from the installed package (its fixtures found from dist/lib), steps reported as they finish.
const stepIds: string[] = [];
const scenario: ScenarioReport = await runScenario('happy-path', { onStep: (s: StepReport) => stepIds.push(s.id) });
say('scenario', { failed: scenario.failed, passed: scenario.passed, reported: stepIds.length, builtins: listScenarios().length });

// (b) the handler, probed by the installed CLI against the same sandbox dir.
const bin = join(dirname(createRequire(import.meta.url).resolve('tacpay/package.json')), 'bin', 'tacpay.js');
// Async: the handler answers from this process's event loop while the CLI probes it.
const probe = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
  const child = spawn(process.execPath, [bin, 'simulate', 'notify', '--to', notifyUrl, '--order', outTradeNo, '--probes', '--sandbox-dir', dataDir, '--json'], { env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.on('close', (status) => resolve({ status, stdout, stderr }));
});
const probed = JSON.parse(probe.stdout || '{}') as { holes?: number; probes?: Array<{ id: string; verdict: string }> };
say('probes', { exit: probe.status, holes: probed.holes, verdicts: probed.probes?.map((p) => `${p.id}:${p.verdict}`), stderr: probe.stderr.slice(0, 500) });

await client.close();
await new Promise<void>((r) => handler.close(() => r()));
await sandbox.close();
say('done', true);
