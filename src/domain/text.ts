/** Folds Vietnamese text for comparison: NFC→NFD, tone and vowel marks removed, đ→d, lower case, single spaces. */
export function foldVietnamese(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}&]+/gu, ' ')
    .trim();
}

/**
 * One line of at most `max` characters (whitespace collapsed), cut at a word boundary when one is
 * near the end (within the last quarter), ending with "…". The one helper for every list that
 * shortens a question, so no list cuts "sổ đỏ" into "sổ đ…".
 */
export function excerpt(text: string, max = 80): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length <= max) return line;
  let cut = line.slice(0, max - 1);
  // Never half a surrogate pair (an emoji cut in two shows as a replacement character).
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  const space = cut.lastIndexOf(' ');
  const kept = space >= max * 0.75 ? cut.slice(0, space) : cut;
  // Trailing spaces and punctuation go before the "…" (a loop: a trailing-class regex is quadratic on long runs).
  let end = kept.length;
  while (end > 0 && ' ,;:.-'.includes(kept[end - 1])) end -= 1;
  return `${end > 0 ? kept.slice(0, end) : kept}…`;
}

/** Replaces each `{name}` of a text kept as data by its value; a name without a value stays as written. */
export function fill(text: string, values: Record<string, string | number | boolean>): string {
  return text.replace(/\{([A-Za-z]+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/**
 * The shape of a section of wording kept as data: each key a text with the placeholders listed
 * (`[]` for none), or a nested section; `Wording<S>` is what a file holding it gives.
 */
export type WordingShape = { readonly [key: string]: readonly string[] | WordingShape };
export type Wording<S> = { readonly [K in keyof S]: S[K] extends readonly string[] ? string : Wording<S[K]> };
