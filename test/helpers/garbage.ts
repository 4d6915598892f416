import { seededRandom } from '../../src/domain/random';

/**
 * Seeded garbage: what people (and bots) send that is not a question. Kinds: keyboard mash, emoji, one character
 * held down, random code points of scripts the bot does not read, symbols and digits, and very short scraps.
 */
export type GarbageKind = 'mash' | 'emoji' | 'repeated' | 'unicode' | 'symbols' | 'short';
export const GARBAGE_KINDS: readonly GarbageKind[] = ['mash', 'emoji', 'repeated', 'unicode', 'symbols', 'short'];

const ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
const EMOJI = ['😀', '😂', '🙏', '👍', '❤️', '🔥', '😭', '🎉', '🤔', '👀', '💯', '🌸', '😡', '🇻🇳', '👨‍👩‍👧', '✨', '🥰', '😅'];
/** Scripts the bot does not read: Cyrillic, Greek, Arabic, Thai, CJK, Hangul, Devanagari, runes, box drawing, math symbols. */
const RANGES: Array<[number, number]> = [
  [0x0400, 0x04ff],
  [0x0370, 0x03ff],
  [0x0600, 0x06ff],
  [0x0e00, 0x0e7f],
  [0x4e00, 0x9fff],
  [0xac00, 0xd7a3],
  [0x0900, 0x097f],
  [0x16a0, 0x16f0],
  [0x2500, 0x257f],
  [0x2200, 0x22ff],
];
const SYMBOLS = '!@#$%^&*()_+-=[]{};:\'",.<>/?\\|`~0123456789 ';

export function garbage(kind: GarbageKind, rnd: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  switch (kind) {
    case 'mash': {
      // A hand run along a keyboard row, a few times, sometimes with capitals or punctuation.
      const words = Array.from({ length: int(1, 5) }, () => {
        const row = pick(ROWS);
        let i = int(0, row.length - 1);
        let w = '';
        for (let n = int(3, 9); n > 0; n -= 1) {
          w += row[i];
          i = Math.min(row.length - 1, Math.max(0, i + pick([-2, -1, 1, 2])));
        }
        return rnd() < 0.2 ? w.toUpperCase() : w;
      });
      return words.join(pick([' ', ' ', '', ',', '  ']));
    }
    case 'emoji':
      return Array.from({ length: int(1, 15) }, () => pick(EMOJI)).join(rnd() < 0.3 ? ' ' : '');
    case 'repeated': {
      const ch = pick([...'aaeeiikkmmhh?!.😂zx0'.split(''), 'ạ', 'ừ', 'ô']);
      return Array.from({ length: int(1, 4) }, () => ch.repeat(int(4, 40))).join(' ');
    }
    case 'unicode': {
      const [lo, hi] = pick(RANGES);
      return Array.from({ length: int(2, 30) }, () => (rnd() < 0.15 ? ' ' : String.fromCodePoint(int(lo, hi)))).join('');
    }
    case 'symbols':
      return Array.from({ length: int(1, 30) }, () => pick([...SYMBOLS])).join('');
    case 'short':
      return Array.from({ length: int(1, 3) }, () => pick([...'abcdefghijklmnopqrstuvwxyz'])).join('') + pick(['', '?', '.', ' ' + pick(EMOJI)]);
  }
}

/** `n` garbage messages from `seed`, the kinds in turn. */
export function garbageMessages(n: number, seed = 12): string[] {
  // Deterministic: a failing message can be reproduced from its seed and index.
  const rnd = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => garbage(GARBAGE_KINDS[i % GARBAGE_KINDS.length], rnd));
}
