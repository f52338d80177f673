/** `tacpay order create`: registration only; placing the order and checking its pay_info is in order/create-run.ts. */
import type { Command } from 'commander';
import { action, examples, type App } from '../../kit.js';
import { writeJson } from '../../output.js';
import { addTargetOptions } from './common.js';
import type { CreateOptions } from './create-run.js';

/** Registers `tacpay order create`; the work (order/create-run.ts) is imported when it runs. */
export function registerOrderCreate(order: Command, app: App): void {
  const cmd = order
    .command('create')
    .description('place an order (unified_order) and decode the pay_info it returns')
    .option('--user-id <id>', 'user_id: 5-255 letters and digits')
    .option('--out-trade-no <no>', 'merchant order no. (default: generated); reuse it to retry the same order')
    .option('--product-id <id>', 'product_id')
    .option('--product-name <name>', 'product_name')
    .option('--product-detail <text>', 'product_detail')
    .option('--amount <fen>', 'amount in fen (100 = 1.00 CNY)')
    .option('--amount-yuan <yuan>', 'amount in yuan, e.g. 1.00 (converted to fen exactly)')
    .option('--original-amount <fen>', 'original_amount (sent by every official example; undocumented)')
    .option('--currency-type <code>', 'currency_type', 'CNY')
    .option('--channel <channel>', 'force a channel: wechat or qqwallet')
    .option('--sub-appid <id>', 'sub_appid')
    .option('--type <type>', 'type (save for a hosted-account recharge)')
    .option('--metadata <text>', 'metadata passed through to the payment notification')
    .option('--num <n>', 'num (quantity; hosted-account recharge only)')
    .option('--callback-url <url>', 'callback_url (Web SDK redirect)')
    .option('--wx-openid <openid>', 'wx_openid (WeChat JSAPI payments)')
    .option('--platform-income <fen>', 'platform_income')
    .option('--buss-settle-amount <fen>', 'buss_settle_amount')
    .option('--platform-income-detail <json>', 'platform_income_detail, a JSON object')
    .option('--sub-out-trade-no-list <json>', 'sub_out_trade_no_list, a JSON array of sub-orders')
    .option('--order-valid-time <s>', 'order_valid_time in seconds (older docs only)');
  addTargetOptions(cmd).action(
    action<CreateOptions>(app, async (opts, ctx) => {
      const { runOrderCreate, renderOrderCreate } = await import('./create-run.js');
      const result = await runOrderCreate(opts, ctx);
      if (ctx.json) writeJson(ctx.stdout, result);
      else ctx.stdout.write(renderOrderCreate(result, ctx));
      return result.payInfo && !result.payInfo.valid ? 1 : 0;
    }),
  );
  examples(cmd, [
    'tacpay order create                                   # built-in sandbox, defaults for everything',
    'tacpay order create --amount-yuan 6.00 --channel qqwallet --json',
    'TACPAY_OFFER_KEY=... tacpay order create --env production --offer-id TC100008 --private-key merchant.pem \\',
    '    --user-id rickenwang --product-id gold --product-name 金元宝 --product-detail "60 gold" --amount 600',
  ]);
}
