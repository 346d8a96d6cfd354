/**
 * @module oslo.config-compatible INI parser for kuryr.conf. We do not use the `ini` package: it cuts values
 * at `;`/`#`, treats `a: b` as a key and keeps only the last repeated key (DEPENDENCIES.md §1).
 *
 * Rules (the same as oslo.config's iniparser, COMPATIBILITY.md §4):
 * - `key = value` and `key: value` (whichever separator comes first splits the line);
 * - `#` / `;` start a comment only at the beginning of a line — values keep them verbatim;
 * - a line starting with a space or tab continues the previous value (joined with `\n`); a blank line ends it;
 * - one pair of matching surrounding quotes (`"…"` or `'…'`) is stripped from the first line of a value;
 * - repeated keys are all kept, in order (multi-valued options); single-valued options take the last;
 * - group names are lower-cased except `DEFAULT` (oslo normalises `[Neutron]` to `neutron`).
 */
import { ConfigurationError } from '../errors/index.js';

/** Where a value came from: file path and 1-based line number of its key. */
export interface IniLocation {
  file: string;
  line: number;
}

/** One occurrence of a key in a file. */
export interface IniValue extends IniLocation {
  value: string;
}

/** Parsed file: normalised section name → key → every occurrence in file order. */
export type IniDocument = Map<string, Map<string, IniValue[]>>;

/** Section name the way oslo.config normalises it: `DEFAULT` stays, everything else lower-case. */
export function normalizeSectionName(name: string): string {
  return name === 'DEFAULT' ? name : name.toLowerCase();
}

/**
 * Parse the text of one kuryr.conf file.
 *
 * @param text the whole file content
 * @param file the path, used in error messages and in every value's location
 * @returns sections → keys → values (with file:line)
 * @throws ConfigurationError `<file>:<line>: <reason>: '<line text>'` for oslo's parse errors
 * @example parseIni('[DEFAULT]\ndebug = true\n', '/etc/kuryr/kuryr.conf').get('DEFAULT')?.get('debug')
 */
export function parseIni(text: string, file: string): IniDocument {
  const doc: IniDocument = new Map();
  let section: Map<string, IniValue[]> | undefined;
  let pending: { key: string; parts: string[]; line: number } | undefined;

  const fail = (lineNo: number, reason: string, line: string): never => {
    throw new ConfigurationError(`${file}:${lineNo}: ${reason}: ${JSON.stringify(line)}`, {
      details: { file, line: lineNo },
    });
  };
  const flush = (): void => {
    if (pending === undefined) return;
    const values = section!.get(pending.key) ?? [];
    values.push({ value: pending.parts.join('\n'), file, line: pending.line });
    section!.set(pending.key, values);
    pending = undefined;
  };

  // NOTE: a UTF-8 byte order mark would otherwise become part of the first section header.
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.trimEnd();
    if (line === '') {
      flush(); // a blank line ends a multi-line value
      return;
    }
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (pending === undefined) fail(lineNo, 'Unexpected continuation line', raw);
      pending!.parts.push(line.trimStart());
      return;
    }
    flush();
    if (line.startsWith('[')) {
      if (!line.endsWith(']')) fail(lineNo, 'Invalid section (must end with ])', raw);
      if (line.length <= 2) fail(lineNo, 'Empty section name', raw);
      const name = normalizeSectionName(line.slice(1, -1));
      section = doc.get(name) ?? new Map<string, IniValue[]>();
      doc.set(name, section);
      return;
    }
    if (line.startsWith('#') || line.startsWith(';')) return;
    const colon = line.indexOf(':');
    const equal = line.indexOf('=');
    if (colon < 0 && equal < 0) fail(lineNo, 'No = or : found in assignment', raw);
    const cut = colon < 0 || (equal >= 0 && equal < colon) ? equal : colon;
    const key = line.slice(0, cut).trim();
    let value = line.slice(cut + 1).trim();
    if (key === '') fail(lineNo, 'Key cannot be empty', raw);
    if (section === undefined) fail(lineNo, 'Section must be started before assignment', raw);
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) {
      value = value.slice(1, -1);
    }
    pending = { key, parts: [value], line: lineNo };
  });
  flush();
  return doc;
}
