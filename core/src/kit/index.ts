// The scaler kit: what every scaler package shares, written once. Public: plugin authors use it.
export { defineScaler, defineScalers, ScalerModule, type ScalerContext, type ScalerDefinition, type ScalerModuleOptions } from './define-scaler.js';
export {
  HttpClient,
  HttpClientImpl,
  type HttpAuth,
  type HttpGetOptions,
  type HttpResponse,
  type HttpSession,
  type HttpSessionOptions,
} from './http-client.js';
export { classifyTransportError, kindForHttpStatus, type TransportFailure } from './transport-errors.js';
export { SecretRedactor, basicCredentials } from './redact.js';
export { TriggerErrors } from './trigger-errors.js';
