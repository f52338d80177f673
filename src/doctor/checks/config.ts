/** config: the ids and keys tacpay and the app are configured with (spec §0, §1.4, §5.1). */
import { createHash } from 'node:crypto';
import { checkParam } from '../../core/rules.js';
import { scanText } from '../secret-scan.js';
import type { Check, ConfigEntry } from '../types.js';
import { dig, fail, pass, qqAppId, quote, skip, str, warn, wechatAppId } from './common.js';

/** sha256 of the offerKey printed in the signing document (§1.4.1): a key everyone has. */
const DOC_OFFER_KEY_SHA256 = '5a7e70dad8c61cc57cbc466d22acc5bad4aee1e8029d5f2b8725816d8dea6034';

const configFile: Check = {
  id: 'config.file',
  title: 'tacpay config file readable',
  category: 'config',
  severity: 'error',
  docs: 'tacpay config (tacpay config list)',
  run(s) {
    if (s.config.fileError) return fail(`the tacpay config file could not be used: ${s.config.fileError}`, 'fix the file (tacpay config list shows what tacpay reads); meanwhile only flags and TACPAY_* variables count');
    if (!s.config.file) return skip('no tacpay.config.json (from the project directory upwards): ids are taken from flags, TACPAY_* variables and the TAC config files');
    return pass(`using ${s.config.file}`);
  },
};

const offerId: Check = {
  id: 'config.offer-id',
  title: 'offerId configured (TC + digits)',
  category: 'config',
  severity: 'error',
  requires: 'tac',
  docs: 'spec §0 (offerId), §5.1',
  run(s) {
    const entries = [
      ['', s.config.offerId],
      ['ios.', s.config.ios?.offerId],
      ['android.', s.config.android?.offerId],
    ].filter((e): e is [string, ConfigEntry] => e[1] !== undefined);
    if (!entries.length) {
      const onIos = str(dig(s.ios?.tac, 'services.payment.offerId'));
      const onAndroid = str(dig(s.android?.tac, 'services.payment.offerId'));
      if (onIos && onAndroid && onIos !== onAndroid) {
        return warn(`offerId not set in tacpay config; iOS and Android are two TAC apps (${quote(onIos)} and ${quote(onAndroid)} in their TAC config files)`, `give each platform its own: "ios": {"offerId": ${quote(onIos)}}, "android": {"offerId": ${quote(onAndroid)}} in tacpay.config.json`);
      }
      const tac = onIos ?? onAndroid;
      if (tac) {
        return warn(`offerId not set in tacpay config; the TAC config files say ${quote(tac)}`, `add "offerId": ${quote(tac)} to tacpay.config.json (or set TACPAY_OFFER_ID) so tacpay and the app agree`);
      }
      return fail('no offerId: not in tacpay config, not in any TAC config file', 'copy the offerId (TC + digits, e.g. TC100008) from the Payment console into tacpay.config.json as "offerId"');
    }
    for (const [prefix, c] of entries) {
      const problem = checkParam('offerId', c.value).find((i) => i.severity === 'error');
      if (problem) return fail(`${prefix}offerId ${quote(c.value)} (from ${c.origin}) is not TC followed by digits`, 'use the offerId exactly as the Payment console shows it, e.g. TC100008');
    }
    return pass(entries.map(([prefix, c]) => `${prefix}offerId ${c.value} (from ${c.origin})`).join(', '));
  },
};

const wechatId: Check = {
  id: 'config.wechat-app-id',
  title: 'WeChat AppID format (wx + 16 hex)',
  category: 'config',
  severity: 'warning',
  docs: 'spec §5.1 (format observed, not documented: warning only)',
  run(s) {
    const c = wechatAppId(s);
    if (!c) return skip('no WeChat AppID configured (tacpay config wechatAppId, or services.social.wechat.appId in a TAC config file)');
    if (!/^wx[0-9a-f]{16}$/.test(c.value)) {
      return warn(`WeChat AppID ${quote(c.value)} (from ${c.origin}) is not wx + 16 lowercase hex digits`, 'copy the AppID from the WeChat Open Platform (管理中心 → 移动应用); every AppID seen so far looks like wx256642f480c15e3e');
    }
    return pass(`WeChat AppID ${c.value} (from ${c.origin})`);
  },
};

const qqId: Check = {
  id: 'config.qq-app-id',
  title: 'QQ AppID format (digits)',
  category: 'config',
  severity: 'warning',
  docs: 'spec §5.1 (format observed, not documented: warning only)',
  run(s) {
    const c = qqAppId(s);
    if (!c) return skip('no QQ AppID configured (QQ Wallet pay not in use)');
    if (!/^\d{5,12}$/.test(c.value)) return warn(`QQ AppID ${quote(c.value)} (from ${c.origin}) is not a decimal number`, 'copy the AppID from the QQ Open Platform; observed ids are 9–10 digits, e.g. 1106983820');
    if (c.value === '100703379') return warn('QQ AppID is 100703379, which is Midas\'s own id (the Android qwallet scheme), not your app\'s', 'set qqAppId to your app\'s QQ Open Platform AppID');
    return pass(`QQ AppID ${c.value} (from ${c.origin})`);
  },
};

const privateKey: Check = {
  id: 'config.private-key',
  title: 'merchant private key readable',
  category: 'config',
  severity: 'error',
  docs: 'spec §0 (privateKey), §1.4',
  run(s) {
    const k = s.config.privateKey;
    if (!k) return skip('no privateKey configured (only needed to sign server API requests)');
    if (k.error) return fail(`privateKey (from ${k.origin}): ${k.error}`, 'point privateKey at the PEM or Base64 PKCS#8 file of the merchant key (tacpay keys inspect <file> tells what a file holds)');
    if (k.kind !== 'private') return fail(`privateKey (from ${k.origin}) is a public key`, 'privateKey must be the private half; the public half goes to the console');
    if (k.known) return warn(`privateKey (from ${k.origin}) is ${k.known}: anyone can sign as you with it`, 'generate your own: tacpay keys generate');
    if ((k.bits ?? 0) < 2048) return warn(`privateKey is RSA-${k.bits} (${k.fingerprint})`, 'use RSA-2048 or larger (tacpay keys generate); 512-bit keys are breakable');
    return pass(`privateKey RSA-${k.bits} ${k.fingerprint} (from ${k.origin})`);
  },
};

const keyPair: Check = {
  id: 'config.key-pair',
  title: 'merchant key pair matches',
  category: 'config',
  severity: 'error',
  docs: 'spec §1.4, §7 D2',
  run(s) {
    const priv = s.config.privateKey;
    const pub = s.config.merchantPublicKey;
    const platform = s.config.platformPublicKey;
    if (!priv?.fingerprint) return skip('no readable privateKey to compare');
    const details: string[] = [];
    if (pub) {
      if (pub.error) return fail(`merchant public key ${pub.origin}: ${pub.error}`, 'regenerate the public half: tacpay keys inspect <private key> prints it');
      if (pub.fingerprint !== priv.fingerprint) {
        return fail(`the public key beside privateKey (${pub.origin}, ${pub.fingerprint}) is not the public half of privateKey (${priv.fingerprint})`, 'the console must hold the public half of the key you sign with: tacpay keys match <private> <public>, then upload the matching .pub.pem');
      }
      details.push(`${pub.origin} is the public half of privateKey`);
    }
    if (platform?.fingerprint && platform.fingerprint === priv.fingerprint) {
      return fail('platformPublicKey is the public half of your own merchant key, not the platform\'s', 'set platformPublicKey to the key that verifies pay_info and notifications (the platform\'s; tacpay sandbox keys prints the sandbox one)');
    }
    if (!pub && !platform?.fingerprint) return skip('no public key to compare privateKey with (expected <prefix>.pub.pem beside it)');
    return pass(pub ? `privateKey and ${pub.origin} form a pair (${priv.fingerprint})` : 'platformPublicKey differs from the merchant key, as it should', { details });
  },
};

const offerKey: Check = {
  id: 'config.offer-key',
  title: 'offerKey shape',
  category: 'config',
  severity: 'error',
  docs: 'spec §0 (offerKey, 32 characters in the example), §1.4',
  run(s) {
    const c = s.config.offerKey;
    if (!c) return skip('no offerKey configured (only needed to sign server API requests)');
    const v = c.value;
    if (v !== v.trim()) return fail(`offerKey (from ${c.origin}) has leading or trailing whitespace`, 'remove the spaces or newline around the key: they become part of the signed string');
    if (!/^[\x21-\x7e]+$/.test(v)) return fail(`offerKey (from ${c.origin}) holds characters other than printable ASCII`, 'copy the key again from the console (appkey)');
    if (createHash('sha256').update(v).digest('hex') === DOC_OFFER_KEY_SHA256) return warn('offerKey is the example key from the signing document', 'use your own appkey from the console');
    if (!/^[A-Za-z0-9]{32}$/.test(v)) return warn(`offerKey (from ${c.origin}) is ${v.length} characters, not 32 letters and digits like the documented example`, 'check that the whole key was copied (and nothing else)');
    return pass(`offerKey set (${v.length} characters, from ${c.origin})`);
  },
};

const secrets: Check = {
  id: 'config.no-shipped-secrets',
  title: 'no secrets in files that ship with the app',
  category: 'config',
  severity: 'error',
  docs: 'docs/protocol.md §1.4.3 (the SDK integration guide: "order on your server: ordering in the app can leak your keys"); §4.4 (WeChat appKey in the plist: "not supported, dangerous")',
  run(s) {
    const found: string[] = [];
    const offer = s.config.offerKey?.value;
    for (const f of s.shipped) {
      for (const h of scanText(f.path, f.text, { ...(offer ? { offerKey: offer } : {}), names: !f.tacConfig })) found.push(`${f.path}:${h.line}: ${h.what}`);
    }
    for (const p of [...(s.ios?.tacPlists ?? []), ...(s.android?.tacJsons ?? [])]) {
      // The TAC json is built into the APK (the Gradle plugin turns it into resources), so it ships as the plist does.
      if (p.value && dig(p.value, 'services.social.wechat.appKey', 'services.social.wechat.appKEY') !== undefined) found.push(`${p.path}: services.social.wechat.appKey (the WeChat appKey is a secret; TAC docs call it "not supported, dangerous" in the config file)`);
    }
    const cap = s.scan.truncated;
    if (found.length) {
      return fail(`${found.length} secret${found.length === 1 ? '' : 's'} in files that ship with the app`, 'remove them from the app: sign orders on your server (the app only needs the pay_info); keep the WeChat appKey out of the plist (set options.wechatOptions.appKey in code if you must); then rotate every key that shipped', { details: [...found, ...(cap ? [`scan ${cap}`] : [])] });
    }
    if (!s.shipped.length) return skip('no app files found to scan');
    const what = `no private keys, offerKey, appKey or *_SECRET_KEY / *_PRIVATE_KEY literals in ${s.shipped.length} shipped file${s.shipped.length === 1 ? '' : 's'}`;
    if (cap && /more not scanned/.test(cap)) return warn(`${what}, but the scan ${cap}`, 'run tacpay doctor on the app directory itself (not a monorepo root), or check the rest with a secret scanner such as gitleaks');
    return pass(what, cap ? { details: [cap] } : {});
  },
};

export const CONFIG_CHECKS: readonly Check[] = [configFile, offerId, wechatId, qqId, privateKey, keyPair, offerKey, secrets];
