/** @module Public entry of the error hierarchy. */
export * from './kuryr-error.js';
export * from './guards.js';
