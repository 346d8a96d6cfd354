/**
 * @module Type guards for the error categories. They check `name` along the prototype chain as well as
 * `instanceof`, so errors that crossed a module copy (bundles, worker threads) are still recognised.
 */
import {
  AuthError,
  ConfigurationError,
  ConflictError,
  KuryrError,
  NotFoundError,
  NotReadyError,
  TimeoutError,
  UnsupportedError,
  ValidationError,
} from './kuryr-error.js';

type ErrorClass<T> = abstract new (...args: never[]) => T;

function isA<T extends Error>(cls: ErrorClass<T>, name: string) {
  return (error: unknown): error is T => {
    if (error instanceof cls) return true;
    if (error === null || typeof error !== 'object') return false;
    // NOTE: property descriptors only — reading `name` through a prototype runs getters such as
    // DOMException's, which throw ERR_INVALID_THIS off an instance.
    if (Object.getOwnPropertyDescriptor(error, 'name')?.value === name) return true;
    let proto: unknown = error;
    while (proto !== null && typeof proto === 'object') {
      const ctor: unknown = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value;
      if (typeof ctor === 'function' && ctor.name === name) return true;
      proto = Object.getPrototypeOf(proto);
    }
    return false;
  };
}

export const isKuryrError = isA(KuryrError, 'KuryrError');
export const isValidationError = isA(ValidationError, 'ValidationError');
export const isConfigurationError = isA(ConfigurationError, 'ConfigurationError');
export const isNotFoundError = isA(NotFoundError, 'NotFoundError');
export const isConflictError = isA(ConflictError, 'ConflictError');
export const isNotReadyError = isA(NotReadyError, 'NotReadyError');
export const isTimeoutError = isA(TimeoutError, 'TimeoutError');
export const isAuthError = isA(AuthError, 'AuthError');
export const isUnsupportedError = isA(UnsupportedError, 'UnsupportedError');

/**
 * Runs `fn` and treats NotFound as success, for idempotent delete paths.
 * @returns true when something was deleted, false when it was already gone.
 */
export async function ignoreNotFound(fn: () => Promise<unknown>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch (error) {
    if (isNotFoundError(error)) return false;
    throw error;
  }
}
