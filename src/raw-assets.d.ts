// A file imported with `?raw` is its text (scripts/build.mjs rawText; vitest.config.ts for the tests).
declare module '*?raw' {
  const text: string;
  export default text;
}
