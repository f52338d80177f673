/**
 * manual: what no file can tell (FAQ §4.7 items 1–3, 8, 9, 17; console §5.2). Each says exactly what
 * to compare and where, with the values found in the project filled in. Never reported as passed.
 */
import { appTarget, setting } from '../targets.js';
import type { Check } from '../types.js';
import { manual, NO_QQ, NO_WECHAT, qqAppId, qqPayUsed, skip, wechatAppId, wechatUsed } from './common.js';

const merchant: Check = {
  id: 'manual.wechat-merchant',
  title: 'WeChat merchant account (商户号) opened',
  category: 'manual',
  severity: 'error',
  docs: 'FAQ "WeChat Pay does not launch" item 1 (spec §4.7); §4.7 item 17',
  run(s) {
    if (!wechatUsed(s)) return skip(NO_WECHAT);
    return manual('cannot be read from files', 'WeChat Pay merchant platform (pay.weixin.qq.com): the merchant account shows as opened (deposit verification and the online agreement done)');
  },
};

const capability: Check = {
  id: 'manual.wechat-pay-capability',
  title: 'pay capability enabled on the WeChat Open Platform',
  category: 'manual',
  severity: 'error',
  docs: 'FAQ "WeChat Pay does not launch" item 2 (spec §4.7); §4.7 item 17 (review takes 1–5 working days)',
  run(s) {
    const id = wechatAppId(s);
    if (!wechatUsed(s)) return skip(NO_WECHAT);
    return manual('cannot be read from files', `WeChat Open Platform (open.weixin.qq.com) → 管理中心 → 移动应用 → the app ${id ? id.value : '(your WeChat AppID)'}: 微信支付 shows as obtained (已获得)`);
  },
};

const credentials: Check = {
  id: 'manual.console-credentials',
  requires: 'tac',
  title: 'console merchant id/key and AppID/AppKey equal WeChat\'s',
  category: 'manual',
  severity: 'error',
  docs: 'FAQ "WeChat Pay does not launch" item 3 (spec §4.7); console §5.2 (渠道管理)',
  run(s) {
    const id = wechatAppId(s);
    if (!wechatUsed(s)) return skip(NO_WECHAT);
    return manual(
      'cannot be read from files',
      `MobileLine console → Payment → 渠道管理 → 微信支付: 商户号 and 商户号密钥 must equal the WeChat merchant platform's (账户中心 → API安全), and AppID / AppKey the WeChat Open Platform's${id ? ` (AppID here: ${id.value})` : ''}`,
    );
  },
};

const androidSigning: Check = {
  id: 'manual.android-signing',
  requires: 'tac',
  title: 'Android signing certificate and package registered',
  category: 'manual',
  severity: 'error',
  docs: 'FAQ item 8 (spec §4.7); spec §4.5 (Android console fields) [DOC S10, S16]',
  run(s) {
    if (!s.android) return skip('no Android project found');
    const g = s.android.gradle?.value;
    const pkg = g?.applicationId ?? s.android.manifest?.value?.package;
    const store = g?.storeFiles[0];
    return manual(
      'cannot be read from files',
      `console → 参数配置: 应用包名 must be ${pkg ?? 'the applicationId'} and 应用签名 the SHA1 of the release signing certificate (keytool -exportcert -list -v -alias <alias> -keystore ${store ?? '<keystore>'}); both must also match the WeChat / QQ Open Platform registration. A debug-signed build has another certificate`,
    );
  },
};

const bundleId: Check = {
  id: 'manual.ios-bundle-id',
  requires: 'tac',
  title: 'iOS Bundle Identifier registered in the console',
  category: 'manual',
  severity: 'error',
  docs: 'FAQ item 9 (spec §4.7); console §5.2 [DOC S9]',
  run(s) {
    if (!s.ios) return skip('no iOS project found');
    const id = setting(appTarget(s.ios.pbxproj?.value), 'PRODUCT_BUNDLE_IDENTIFIER');
    return manual('cannot be read from files', `console → 参数配置 → Bundle Identifier must be ${id ?? 'the target\'s PRODUCT_BUNDLE_IDENTIFIER'}, and the same id registered for the app on the WeChat / QQ Open Platform`);
  },
};

const qqWallet: Check = {
  id: 'manual.qq-wallet',
  requires: 'tac',
  title: 'QQ Wallet channel set up',
  category: 'manual',
  severity: 'error',
  docs: 'spec §4.7 item 17 [DOC S9]',
  run(s) {
    const id = qqAppId(s);
    if (!id) return skip(qqPayUsed(s) ? 'QQ Wallet is in use but no QQ AppID is configured (see config.qq-app-id)' : NO_QQ);
    return manual('cannot be read from files', `QQ Wallet merchant platform: review passed, deposit verified, and the app (QQ AppID ${id.value}) added under 账户管理 → 开发配置 (takes effect within 2 working days); console → 渠道管理 → QQ钱包 holds the same merchant id and key`);
  },
};

export const MANUAL_CHECKS: readonly Check[] = [merchant, capability, credentials, androidSigning, bundleId, qqWallet];
