/**
 * The doctor's data shapes: the snapshot a gather step reads once from the project, the check unit
 * (ARCHITECTURE.md "A doctor check is a unit"), its result, and the report the runner produces.
 * Checks are pure functions of the snapshot: no IO, no printing.
 */
import type { KeyObject } from 'node:crypto';
import type { Resolved } from './gradle-values.js';

export type Category = 'config' | 'ios' | 'android' | 'pay_info' | 'log' | 'manual';
export const CATEGORIES: readonly Category[] = ['config', 'ios', 'android', 'pay_info', 'log', 'manual'];

/** What a failing check means: `error` fails the run (exit 1); `warning` does only under --strict. */
export type CheckSeverity = 'error' | 'warning';

/** `manual`: cannot be read from files; the result says what to compare and where. Never a pass. */
export type Status = 'pass' | 'warn' | 'fail' | 'skip' | 'manual';

/** A mechanical edit the fix planner knows how to make (XML plists and the Android manifest only). */
export type FixAction =
  | { kind: 'plist-url-scheme'; file: string; scheme: string; name: string }
  | { kind: 'plist-query-schemes'; file: string; schemes: string[] }
  | { kind: 'manifest-queries'; file: string; packages: string[] }
  | { kind: 'manifest-permissions'; file: string; permissions: string[] };

export interface CheckResult {
  status: Status;
  /** One line: what was found. */
  summary: string;
  /** Exactly how to fix it (failures and warnings), or what to compare (manual). */
  hint?: string;
  /** The document the check comes from (spec section, FAQ item). Defaults to the check's docs. */
  docs?: string;
  /** Supporting lines: values found, file positions, log line numbers. */
  details?: string[];
  /** Edits --fix can make for this finding. */
  fix?: FixAction[];
}

export interface Check {
  id: string;
  title: string;
  category: Category;
  severity: CheckSeverity;
  /** Where the rule comes from: spec section and/or FAQ item. */
  docs: string;
  /** Only meaningful where TAC is in use: without evidence of TAC the runner skips it (one line in the report). */
  requires?: 'tac';
  run(snapshot: Snapshot): CheckResult;
}

/** A check's result as reported: the check's identity plus its (possibly adjusted) result. */
export interface Finding extends CheckResult {
  /** Set when the check was not run because what it is about is not in the project. */
  notApplicable?: 'tac';
  id: string;
  title: string;
  category: Category;
  severity: CheckSeverity;
  docs: string;
}

// ---------------------------------------------------------------------------------------------
// Snapshot: everything the checks read, gathered once.

/** How a file came to be used. */
export type FileSource = 'discovered' | 'flag';

/** A file the gather step read (or tried to read). Paths are relative to the project root when inside it. */
export interface FileEntry<T> {
  role: string;
  path: string;
  /** Absolute path (for --fix and reading); not shown. */
  abs: string;
  source: FileSource;
  format?: string;
  value?: T;
  /** Why the file could not be used: unreadable or malformed (with a line number when known). */
  error?: string;
}

export interface Missing {
  role: string;
  lookedFor: string[];
}

export type PlistDict = Record<string, unknown>;

export interface PbxTarget {
  name: string;
  productType: string;
  /** Build phases in order: isa and name (script phases carry their script text). */
  phases: Array<{ isa: string; name: string; script?: string }>;
  /** File names (basenames) in the target's Copy Bundle Resources phase. */
  resources: string[];
  /** Build settings of the target's configurations, by configuration name. */
  settings: Record<string, Record<string, string>>;
}

export interface PbxSummary {
  targets: PbxTarget[];
}

export interface ManifestActivity {
  name: string;
  exported?: string;
  process?: string;
  /** Intent filters: actions, categories, data schemes. */
  filters: Array<{ actions: string[]; categories: string[]; schemes: string[] }>;
}

export interface ManifestSummary {
  package?: string;
  permissions: string[];
  /** Permissions marked tools:node="remove": the merger drops them whoever declares them. */
  removedPermissions?: string[];
  activities: ManifestActivity[];
  /** `<queries>` children: package names and intent schemes. */
  queries: { packages: string[]; present: boolean };
}

export interface GradleSummary {
  applicationId?: string;
  namespace?: string;
  /** A literal targetSdkVersion; see targetSdkExpr for any other form. */
  targetSdk?: number;
  /** targetSdkVersion as written (`33`, `rootProject.ext.targetSdkVersion`, ...). */
  targetSdkExpr?: string;
  /** Some build type has minifyEnabled / isMinifyEnabled true (or a variable of this file set to true). */
  minify: boolean;
  /** minifyEnabled takes a value tacpay could not trace (an ext value, a property). */
  minifyUnknown?: string;
  /** Files named in proguardFiles(...) besides the SDK's getDefaultProguardFile(...). */
  proguardFiles: string[];
  /** `apply from:` scripts (relative paths as written). */
  applyFrom: string[];
  /** settings.gradle: included projects (`app`, `wechatpay`, `lib:core`). */
  includes: string[];
  /** settings.gradle: `project(':x').projectDir = ...` overrides, path as written. */
  projectDirs: Record<string, string>;
  /** `implementation project(':x')` in a module. */
  projectDeps: string[];
  /** Plugins in order of appearance: `apply plugin:` and `plugins { id ... }` forms. */
  plugins: Array<{ id: string; form: 'apply' | 'plugins-block'; line: number }>;
  /** Line of the last top-level statement (for "applied at the end"). */
  lastStatementLine: number;
  repositories: Array<{ kind: 'jcenter' | 'bintray' | 'other'; text: string; line: number }>;
  dependencies: string[];
  /** `fileTree(dir: 'libs' ...)` or `files('libs/...')` seen. */
  usesLibsDir: boolean;
  storeFiles: string[];
}

/** One manifest the Android build merges into the app's (merged-manifest.ts). */
export interface ManifestPart {
  /** "app", "plugin fluwx", "module :wechatpay", "AAR libs/wxpay.aar", "build output (debug)". */
  from: string;
  path: string;
  summary?: ManifestSummary;
  error?: string;
}

/** What the build merges: every part seen, the union with origins, and what could not be seen. */
export interface MergedManifest {
  /** The parts seen, app first. */
  parts: ManifestPart[];
  permissions: Map<string, string>;
  queries: Map<string, string>;
  activities: Array<ManifestActivity & { from: string }>;
  /** Dependencies whose manifest could not be read: "com.tencent.mm.opensdk:wechat-sdk-android:6.8.0 (remote AAR)". */
  unseen: string[];
  /** The build's own merged manifest was used (then parts holds only it). */
  buildOutput?: string;
  /** Keep rules shipped by local AARs (proguard.txt), by AAR. */
  consumerRules: Array<{ from: string; text: string }>;
  notes: string[];
}

export interface LogLine {
  line: number;
  text: string;
}

export type Layout = 'ios-native' | 'android-native' | 'react-native' | 'flutter' | 'capacitor' | 'expo' | 'uni-app' | 'cordova';

export interface ConfigEntry {
  value: string;
  /** Where it came from: flag, env var, file path, or a TAC config file. */
  origin: string;
}

export interface KeyEntry {
  origin: string;
  /** The public key (for verifying pay_info); not serialised. */
  publicKey?: KeyObject;
  /** `ok` with a fingerprint, or the problem. */
  kind?: 'private' | 'public';
  bits?: number;
  fingerprint?: string;
  known?: string;
  error?: string;
  /** Path of the key file when the value was a path (absolute). */
  file?: string;
}

/** The ids a platform may override in tacpay.config.json (`"ios": {"offerId": ...}`). */
export interface PlatformIds {
  offerId?: ConfigEntry;
  wechatAppId?: ConfigEntry;
  qqAppId?: ConfigEntry;
}

/** Evidence that TAC, WeChat and QQ are in use, one line each; empty means no evidence. */
export interface Uses {
  tac: string[];
  wechat: string[];
  qq: string[];
}

export interface Snapshot {
  root: string;
  layouts: Layout[];
  /** What discovery saw worth saying: the framework, files not read. */
  notes: string[];
  /** Where an app probably is when the directory has none (relative: example, apps/mobile). */
  suggestions: string[];
  /** Files not read because they were unsafe or too large (symlinks out of the tree, FIFOs, devices). */
  skipped: Array<{ path: string; reason: string }>;
  uses: Uses;
  /** npm and pub dependencies of the app (names). */
  packages: string[];
  /** Ids the app's own code registers (WXApi.registerApp("wx..."), a WeChat plugin's appId option). */
  sourceIds?: { wechatAppId?: ConfigEntry };
  config: {
    /** Per-platform ids (the TAC demo's iOS and Android apps are two TAC apps); shared ones are the fallback. */
    ios?: PlatformIds;
    android?: PlatformIds;
    /** The tacpay config file used (absolute). */
    file?: string;
    /** Why the tacpay config file could not be used (then only flags and env count). */
    fileError?: string;
    offerId?: ConfigEntry;
    wechatAppId?: ConfigEntry;
    qqAppId?: ConfigEntry;
    offerKey?: ConfigEntry;
    privateKey?: KeyEntry;
    platformPublicKey?: KeyEntry;
    /** A public key file beside the private key (as `tacpay keys generate` writes it). */
    merchantPublicKey?: KeyEntry;
  };
  ios?: {
    dir: string;
    /** Not a real Xcode project: generated by a tool from its config (Expo managed: "Expo"). */
    generatedBy?: string;
    /** Pods named in the Podfile or Podfile.lock. */
    pods: string[];
    infoPlist?: FileEntry<PlistDict>;
    pbxproj?: FileEntry<PbxSummary>;
    entitlements?: FileEntry<PlistDict>;
    /** tac_services_configurations*.plist, in ASCII filename order; unpackage files excluded. */
    tacPlists: FileEntry<PlistDict>[];
    /** tac_services_configurations_unpackage.plist files found (paths). */
    unpackage: string[];
    /** The TAC plists merged (later file wins, §4.4). */
    tac: PlistDict;
  };
  android?: {
    dir: string;
    module: string;
    /** Generated at build time by a tool (Expo managed): manifest checks cannot run. */
    generatedBy?: string;
    /** What the build merges into the app manifest. */
    merged?: MergedManifest;
    /** targetSdkVersion, traced through ext blocks, gradle.properties and version catalogs. */
    targetSdk: Resolved & { expr?: string };
    /** ProGuard/R8 files the module names, read (path as shown and text). */
    proguard: Array<{ path: string; text: string }>;
    manifest?: FileEntry<ManifestSummary>;
    gradle?: FileEntry<GradleSummary>;
    /** Root build.gradle and settings.gradle (repositories). */
    otherGradle: FileEntry<GradleSummary>[];
    tacJsons: FileEntry<Record<string, unknown>>[];
    tac: Record<string, unknown>;
    /** tac_service_configurations_unpackage.json files found, relative paths. */
    unpackage: string[];
    /** Jar file names in <module>/libs. */
    jars: string[];
  };
  /** Files that ship with the app and were scanned for secrets, with what was found. */
  shipped: Array<{ path: string; text: string; tacConfig?: boolean }>;
  /** The secret scan's reach: files scanned, and what was left out when its limit was hit. */
  scan: { files: number; truncated?: string };
  payInfo?: string;
  log?: FileEntry<LogLine[]>;
  files: { used: Array<FileEntry<unknown>>; missing: Missing[] };
}

export interface Summary {
  errors: number;
  warnings: number;
  passed: number;
  manual: number;
  skipped: number;
  total: number;
}

export interface Report {
  root: string;
  layouts: Layout[];
  strict: boolean;
  notes: string[];
  uses: Uses;
  files: { used: Array<{ role: string; path: string; source: FileSource; format?: string; error?: string }>; missing: Missing[]; skipped: Array<{ path: string; reason: string }> };
  checks: Finding[];
  summary: Summary;
  exitCode: 0 | 1;
}
