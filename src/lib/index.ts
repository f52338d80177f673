/**
 * tacpay as a library (`import { ... } from 'tacpay'`): sign requests, verify notifications, decode
 * pay_info, call the order API, run the sandbox in-process, run scenarios and the doctor. Nothing here imports the
 * CLI: it is the same core the CLI uses, with typed options in and plain results out.
 */
export { canonicalString, signRequest, type SignOptions, type Params, type ParamValue, type TsMode } from './sign.js';
export { verifyNotification, NOTIFY_OK_REPLY, type VerifyNotificationOptions, type NotificationVerdict, type Notification, type Issue } from './notification.js';
export { decodePayInfo, type DecodeOptions, type DecodeReport, type SignatureResult } from './decode.js';
export { createOrderClient, isTransportError, TransportError, type OrderClientOptions, type OrderClientApi, type ApiAnswer, type CallParams, type WireMethod } from './client.js';
export { startSandbox, type Sandbox, type SandboxOptions } from './sandbox.js';
export { runScenario, listScenarios, type RunScenarioOptions, type ScenarioReport, type StepReport } from './scenario.js';
export { runDoctor, type DoctorOptions, type DoctorReport, type DoctorFinding } from './doctor.js';
export { OpenMidasApiError, TacpayLibError } from './errors.js';
export { TacpayError } from '../errors.js';
export type { KeyInput } from './keys.js';
