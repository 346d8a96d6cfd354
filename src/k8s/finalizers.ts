/**
 * @module Finalizer helpers: add/remove one finalizer with a JSON patch guarded by the resourceVersion
 * that was read, so a concurrent writer makes the patch fail (409) instead of being overwritten. On a
 * lost race the object is re-read and the decision taken again (bounded). Each helper reports whether
 * it changed anything (like controller-runtime's AddFinalizer/RemoveFinalizer).
 */
import { ConflictError, isNotFoundError } from '../common/errors/index.js';
import { isStaleConflict } from './api-errors.js';
import type { JsonPatchOp, KubeApi } from './client.js';
import type { ResourceKind } from './kinds.js';
import type { KubeObject } from './object.js';

/** Result of a finalizer helper. */
export interface FinalizerResult<T extends KubeObject> {
  /** True when the object was patched. */
  changed: boolean;
  /** The object after the call (as returned by the API, or as read); undefined when it is gone. */
  object: T | undefined;
}

/** True when `obj` carries `finalizer`. */
export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return obj.metadata?.finalizers?.includes(finalizer) ?? false;
}

const ATTEMPTS = 5;

async function update<T extends KubeObject>(
  api: KubeApi,
  kind: ResourceKind<T>,
  obj: T,
  finalizer: string,
  add: boolean,
): Promise<FinalizerResult<T>> {
  let current = obj;
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const list = current.metadata?.finalizers ?? [];
    if (list.includes(finalizer) === add) return { changed: false, object: current };
    const next = add ? [...list, finalizer] : list.filter((f) => f !== finalizer);
    const ops: JsonPatchOp[] = [
      // replacing resourceVersion with the one read turns the patch into a compare-and-swap (409 if stale)
      {
        op: 'replace',
        path: '/metadata/resourceVersion',
        value: current.metadata?.resourceVersion,
      },
      current.metadata?.finalizers
        ? { op: 'replace', path: '/metadata/finalizers', value: next }
        : { op: 'add', path: '/metadata/finalizers', value: next },
    ];
    const { name = '', namespace } = current.metadata ?? {};
    try {
      return { changed: true, object: await api.patchJson(kind, name, namespace, ops) };
    } catch (err) {
      if (isNotFoundError(err)) {
        if (add) throw err;
        return { changed: false, object: undefined }; // gone: nothing to remove
      }
      if (!isStaleConflict(err)) throw err;
      try {
        current = await api.get(kind, name, namespace);
      } catch (readErr) {
        if (!add && isNotFoundError(readErr)) return { changed: false, object: undefined };
        throw readErr;
      }
      if (add && current.metadata?.deletionTimestamp && !hasFinalizer(current, finalizer)) {
        // the API refuses new finalizers on an object being deleted; report it instead of looping
        throw new ConflictError(
          `${kind.kind} ${namespace ?? ''}/${name} is being deleted: cannot add ${finalizer}`,
        );
      }
    }
  }
  throw new ConflictError(
    `finalizer ${finalizer}: ${kind.kind} ${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''} kept changing (${ATTEMPTS} attempts)`,
    { details: { code: 409, reason: 'Conflict' } },
  );
}

/**
 * Add `finalizer` to `obj` (no-op when present).
 *
 * @throws NotFoundError when the object is gone; ConflictError when it is being deleted or kept
 *   changing; NotReadyError/TimeoutError from the API
 */
export function addFinalizer<T extends KubeObject>(
  api: KubeApi,
  kind: ResourceKind<T>,
  obj: T,
  finalizer: string,
): Promise<FinalizerResult<T>> {
  return update(api, kind, obj, finalizer, true);
}

/**
 * Remove `finalizer` from `obj` (no-op when absent; an object already gone is success).
 *
 * @throws ConflictError when the object kept changing; NotReadyError/TimeoutError from the API
 */
export function removeFinalizer<T extends KubeObject>(
  api: KubeApi,
  kind: ResourceKind<T>,
  obj: T,
  finalizer: string,
): Promise<FinalizerResult<T>> {
  return update(api, kind, obj, finalizer, false);
}
