// Injected at build time by esbuild (and by vitest's define), so --version reads no file at start-up.
declare const __TACPAY_VERSION__: string | undefined;
export const VERSION: string = typeof __TACPAY_VERSION__ === 'string' ? __TACPAY_VERSION__ : '0.0.0-dev';
