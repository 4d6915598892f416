/** The one-time link codes people type to link a chat or sign in to the console (the store keeps only their hashes). */

export const LINK_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ23456789';
export const LINK_CODE_LENGTH = 10;

/** The form people type a link code in: any case, spaces and dashes ignored; undefined when it cannot be a code. */
export function normalizeLinkCode(code: string): string | undefined {
  const compact = code.replace(/[\s-]/g, '').toUpperCase();
  if (compact.length !== LINK_CODE_LENGTH) return undefined;
  for (const ch of compact) if (!LINK_CODE_ALPHABET.includes(ch)) return undefined;
  return compact;
}
