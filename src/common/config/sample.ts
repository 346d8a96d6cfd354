/**
 * @module A commented sample kuryr.conf generated from the schema (what oslo-config-generator gives Python
 * Kuryr): every section and option with its help, type and default, all commented out.
 */
import { formatValue } from './describe.js';
import { SECTIONS, type AnyOption } from './schema/index.js';

/** Wrap help text at ~76 columns as `# ` comment lines. */
function comment(text: string): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.split(/\s+/)) {
    if (line.length + word.length + 1 > 78 && line !== '#') {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines;
}

/**
 * Render the sample. Options keep their kuryr.conf names; defaults are shown as kuryr.conf spells them.
 *
 * @example process.stdout.write(renderSampleConfig())
 */
export function renderSampleConfig(): string {
  const out: string[] = ['# kuryr.conf sample, generated from the kuryr option schema.', ''];
  for (const s of SECTIONS) {
    out.push(`[${s.group}]`, '', ...comment(s.help), '');
    for (const o of s.options as readonly AnyOption[]) {
      const m = o.meta;
      const type = m.type === 'enum' ? `enum: ${(m.choices ?? []).join(', ')}` : m.type;
      out.push(...comment(`${m.help} (${type})`));
      if (m.deprecatedName) out.push(`# Deprecated name: ${m.deprecatedName}`);
      const def = m.defaultDoc !== undefined ? `<${m.defaultDoc}>` : formatValue(m.default);
      out.push(`#${m.name} = ${def}`, '');
    }
  }
  return out.join('\n');
}
