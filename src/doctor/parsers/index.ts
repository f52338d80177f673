/**
 * The parser wrappers, one module per format: xmldom for XML with positions (from which XML plists
 * are read by Apple's DTD), bplist-parser for binary plists, the xcode package's pbxproj grammar, a
 * comment- and string-aware reader for Gradle scripts, and JSON. Each returns data or throws a
 * Malformed error that names the line, so a broken file becomes a finding, never a crash. Loaded
 * only with the doctor (lazily). The doctor's modules import the format they read; this index is
 * for tests and anyone wanting them all.
 */
export { parseGradle } from './gradle.js';
export { parseJsonObject } from './json.js';
export { Malformed } from './malformed.js';
export { parseManifest } from './manifest.js';
export { parsePbxproj, unquote } from './pbxproj.js';
export { parsePlist, parsePlistDict } from './plist.js';
export { parseXml } from './xml.js';
