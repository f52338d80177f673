/** The distribution's Chromium for browser tests (installed by .ci/run); undefined, with the reason, when it is not there. */
import { existsSync } from 'node:fs';

const CANDIDATES = [process.env.TACPAY_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter((p): p is string => Boolean(p));

export const chromiumPath: string | undefined = CANDIDATES.find((p) => existsSync(p));
export const noChromium = chromiumPath ? '' : `no Chromium at ${CANDIDATES.join(', ')} (apt-get install chromium, or set TACPAY_CHROMIUM): the browser tests skip`;
if (noChromium) console.warn(noChromium);

/** Root in a container cannot use Chromium's sandbox; nothing here opens a page from outside loopback. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'];
