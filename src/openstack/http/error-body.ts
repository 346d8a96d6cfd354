/**
 * @module Reads the error type and message out of the error bodies of the OpenStack services, whatever
 * their shape: Neutron `{"NeutronError":{type,message,detail}}`, Octavia (WSME) `{faultcode,faultstring}`,
 * Keystone `{"error":{code,message,title}}`, and the generic webob `{"<title>":{message,code}}` /
 * plain text pages that proxies and older middleware return.
 */

/** The type and message found in an error body. */
export interface ParsedErrorBody {
  type: string | undefined;
  message: string | undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Turns an HTML/plain error page into one short line (webob pages carry the reason in the text). */
function textMessage(text: string): string | undefined {
  const plain = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return plain === '' ? undefined : plain.slice(0, 500);
}

/**
 * Extracts `{type, message}` from a parsed JSON body (or raw text).
 * @param body the decoded JSON value, or a string when the body was not JSON.
 */
export function parseErrorBody(body: unknown): ParsedErrorBody {
  if (typeof body === 'string') {
    try {
      return parseErrorBody(JSON.parse(body) as unknown);
    } catch {
      return { type: undefined, message: textMessage(body) };
    }
  }
  if (!isRecord(body)) return { type: undefined, message: undefined };
  const neutron = body['NeutronError'];
  if (isRecord(neutron)) {
    const message = str(neutron['message']);
    const detail = str(neutron['detail']);
    return {
      type: str(neutron['type']),
      message: detail !== undefined && message !== undefined ? `${message} (${detail})` : message,
    };
  }
  // NOTE: Neutron sometimes wraps a plain string: {"NeutronError": "..."}.
  if (typeof neutron === 'string') return { type: undefined, message: str(neutron) };
  if ('faultstring' in body || 'faultcode' in body) {
    return { type: str(body['faultcode']), message: str(body['faultstring']) };
  }
  const keystone = body['error'];
  if (isRecord(keystone)) {
    return { type: str(keystone['title']), message: str(keystone['message']) };
  }
  // webob JSON fault: {"badRequest": {"message": "...", "code": 400}} or {"message": "..."}.
  const top = str(body['message']);
  if (top !== undefined) return { type: str(body['type']), message: top };
  const keys = Object.keys(body);
  if (keys.length === 1) {
    const inner = body[keys[0] as string];
    if (isRecord(inner) && str(inner['message']) !== undefined) {
      return { type: keys[0], message: str(inner['message']) };
    }
  }
  return { type: undefined, message: undefined };
}
