import { excerpt } from '../domain/text';

export { excerpt };

/**
 * Citizen text shown to officers and administrators: the chat renders markdown,
 * so a question must not be able to add links, emphasis, headings or HTML.
 */

/** Backslash-escapes the characters markdown or HTML give a meaning to. */
export function escapeMarkdown(text: string): string {
  return (
    text
      // "&lt;" would be rendered as "<": an ampersand starting a named entity is escaped (a numeric one loses its "#"), so "GD&ĐT" stays readable on plain-text channels.
      .replace(/[\\`*_[\]<>#|~]|&(?=[a-z0-9]+;)/gi, (c) => `\\${c}`)
      // A line may not start a list, a quote or a heading: excerpts are one line, but keep "1." or "-" at the start literal.
      .replace(/^(\s*)([-+=])/, '$1\\$2')
      .replace(/^(\s*\d+)([.)])/, '$1\\$2')
  );
}

/** A citizen's question as a short, escaped quotation. */
export function citizenExcerpt(text: string, max = 80): string {
  return escapeMarkdown(excerpt(text, max));
}

/** A cell of a markdown table (agency names are data, not citizen text: only the separator matters). */
export function tableCell(value: string | number): string {
  return String(value).replace(/\|/g, '\\|').replace(/\s+/g, ' ');
}
