import { foldVietnamese } from '../domain/text';

/**
 * Vietnamese text normalization for routing. Citizens type with or without
 * diacritics, with either tone-mark placement ("hoà"/"hòa"), with chat
 * abbreviations ("ko", "dc", "sdd"); the classifier sees folded syllables
 * (no diacritics, đ→d) after abbreviations are expanded, so "sổ đỏ" and
 * "so do" are the same features.
 */

const TONE_MARKS = /[\u0300\u0301\u0303\u0309\u0323]/;
const TONE_MARKS_G = /[\u0300\u0301\u0303\u0309\u0323]/g;

/**
 * Puts the tone mark of open syllables ending in "oa", "oe", "uy" on the second
 * vowel (the "new" placement: hoà, khoẻ, thuỷ), so both placements compare equal.
 */
export function canonicalTonePlacement(text: string): string {
  return text
    .normalize('NFD')
    .split(/(\s+)/)
    .map((word) => {
      const tone = word.match(TONE_MARKS)?.[0];
      if (!tone) return word;
      const bare = word.replace(TONE_MARKS_G, '');
      const m = /^(.*?)([oO]\u0306?[aAeE]|[uU][yY])([^\p{L}]*)$/u.exec(bare);
      // Only open syllables: "hoàng", "toán" keep their mark where it is.
      if (!m || /[qQ]$/.test(m[1])) return word;
      return `${m[1]}${m[2]}${tone}${m[3]}`;
    })
    .join('')
    .normalize('NFC');
}

export interface AbbreviationData {
  abbreviations: Record<string, string>;
  misspellings?: Record<string, string>;
}

export class Normalizer {
  /** Folded token → folded expansion tokens. */
  private readonly expansions = new Map<string, string[]>();
  /** Folded multi-token misspellings → folded replacement. */
  private readonly phraseFixes: Array<[RegExp, string]> = [];

  constructor(data: AbbreviationData = { abbreviations: {} }) {
    for (const [short, long] of Object.entries(data.abbreviations)) {
      const key = foldVietnamese(short).replace(/\s+/g, '');
      if (key) this.expansions.set(key, foldVietnamese(long).split(' '));
    }
    for (const [wrong, right] of Object.entries(data.misspellings ?? {})) {
      const from = foldVietnamese(wrong);
      const to = foldVietnamese(right);
      if (!from || from === to) continue;
      if (from.includes(' ')) this.phraseFixes.push([new RegExp(`(^| )${from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?= |$)`, 'g'), `$1${to}`]);
      else this.expansions.set(from, to.split(' '));
    }
  }

  /** Folded syllables with abbreviations expanded: the classifier's vocabulary. */
  tokens(text: string): string[] {
    let folded = foldVietnamese(text.normalize('NFC')).replace(/&/g, ' ');
    for (const [pattern, replacement] of this.phraseFixes) folded = folded.replace(pattern, replacement);
    const out: string[] = [];
    for (const token of folded.split(/\s+/)) {
      if (!token) continue;
      const expansion = this.expansions.get(token);
      if (expansion) out.push(...expansion);
      else out.push(token);
    }
    return out;
  }

  /** The folded, expanded text as one string (for phrase matching). */
  fold(text: string): string {
    return this.tokens(text).join(' ');
  }
}

/** Syllables and syllable bigrams: Vietnamese words are mostly two syllables ("đất đai", "khai tử"). */
export function features(tokens: readonly string[]): string[] {
  const out = [...tokens];
  for (let i = 0; i + 1 < tokens.length; i += 1) out.push(`${tokens[i]}_${tokens[i + 1]}`);
  return out;
}
