import path from 'node:path';
import { z } from 'zod';
import { parseWith, readJsonFile, type ProvinceData } from '../config/data';
import type { Normalizer } from './normalize';

const WordsSchema = z.object({ blocked: z.array(z.string().min(1)).min(1), notes: z.string().optional() }).strict();

/** Catches abusive or rule-breaking language (data/moderation/words.json), typed with or without diacritics. */
export class Moderation {
  private readonly phrases: string[];

  constructor(blocked: readonly string[], private readonly normalizer: Normalizer) {
    this.phrases = [...new Set(blocked.map((w) => ` ${normalizer.fold(w)} `))].filter((p) => p.trim() !== '');
  }

  static load(province: ProvinceData, normalizer: Normalizer): Moderation {
    const file = path.join(province.dataDir, 'moderation', 'words.json');
    return new Moderation(parseWith(WordsSchema, readJsonFile(file), file).blocked, normalizer);
  }

  /** Is it a question, a name, a place at all (see Plausibility). */
  get plausible(): Plausibility {
    return (this.plausibility ??= new Plausibility(this.normalizer));
  }

  private plausibility?: Plausibility;

  /** The blocked phrases found in the text (folded), empty when it is clean. */
  check(text: string): string[] {
    const folded = ` ${this.normalizer.fold(text)} `;
    return this.phrases.filter((p) => folded.includes(p)).map((p) => p.trim());
  }
}

/** Why a message is not a question the bot can file or search: nothing filed, the citizen is asked to write it. */
export type NotAQuestion = 'too_short' | 'no_words' | 'gibberish';

/** The shortest question worth filing, in characters (the dialogs' MIN_QUESTION) and in readable words. */
const MIN_CHARS = 10;
const MIN_WORDS = 2;

/** A folded Vietnamese syllable: initial consonant, one to three vowels, final consonant ("nghieng", "thuong", "oan"). */
const SYLLABLE = /^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(ch|nh|ng|[cmnpt])?$/;

const KEY_ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
const KEY_AT = new Map<string, [number, number]>(KEY_ROWS.flatMap((row, r) => [...row].map((ch, c): [string, [number, number]] => [ch, [r, c]])));

/** Pairs of consecutive letters inside the words, and how many are neighbours on one keyboard row. */
function keyPairs(words: readonly string[]): { pairs: number; near: number } {
  let pairs = 0;
  let near = 0;
  for (const word of words)
    for (let i = 0; i + 1 < word.length; i += 1) {
      pairs += 1;
      const a = KEY_AT.get(word[i]);
      const b = KEY_AT.get(word[i + 1]);
      if (a && b && a[0] === b[0] && Math.abs(a[1] - b[1]) <= 2) near += 1;
    }
  return { pairs, near };
}

/** Most consecutive letters are neighbours on one keyboard row ("asdkjh", "sdfsdf", "hjkl"): a hand run over the keys. */
function keyboardRun(word: string, share = 0.75): boolean {
  if (word.length < 4) return false;
  const { pairs, near } = keyPairs([word]);
  return near / pairs >= share;
}

/**
 * A folded word someone could have meant: a Vietnamese syllable, or a pronounceable Latin word (English, a name,
 * an abbreviation the normaliser knows), not a run over the keyboard nor one letter held down.
 */
function readableWord(word: string, known: (w: string) => boolean): boolean {
  if (!/^[a-z]+$/.test(word)) return false;
  if (known(word)) return true;
  if (/(.)\1\1/.test(word)) return false;
  if (SYLLABLE.test(word)) return word.length > 1 || 'aeoy'.includes(word);
  if (keyboardRun(word)) return false;
  // English and foreign names: vowels, and no more than three consonants together (except common clusters: "strength").
  if (!/[aeiouy]/.test(word) || /[^aeiouy]{5,}/.test(word)) return false;
  return word.replace(/(tch|ght|str|nth|ngth|sch|thr|chr|spr|scr|nds|nts|rld|rst|rth)/g, 'c').match(/[^aeiouy]{4,}/) === null;
}

/** The folded words of a text: letters and digits of any script, diacritics removed (đ → d). */
function foldedWords(text: string): string[] {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/**
 * Plausibility of what citizens type where the bot expects a question, a name or a place. Deliberately simple
 * (shapes, not a dictionary): real questions in Vietnamese, unaccented or abbreviated, and English pass; emoji,
 * keyboard mash, one key held down, scripts the bot cannot read and two-word scraps do not.
 */
export class Plausibility {
  constructor(private readonly normalizer: Normalizer) {}

  /** An abbreviation or misspelling the normaliser expands ("ko", "cccd", "ubnd"). */
  private known = (word: string): boolean => {
    const t = this.normalizer.tokens(word);
    return t.length !== 1 || t[0] !== word;
  };

  /** Undefined when the text can be taken as a question; otherwise why not. */
  question(text: string): NotAQuestion | undefined {
    const trimmed = text.trim();
    const words = foldedWords(trimmed);
    const readable = words.filter((w) => readableWord(w, this.known));
    if (readable.length === 0) return trimmed.length < MIN_CHARS ? 'too_short' : words.some((w) => /\p{L}/u.test(w)) ? 'gibberish' : 'no_words';
    if (trimmed.length < MIN_CHARS || readable.length < MIN_WORDS) return 'too_short';
    // Most of the words must be readable: a real question may carry a code or a typo, not mostly noise.
    const letters = words.filter((w) => /\p{L}/u.test(w));
    if (readable.length / letters.length < 0.6) return 'gibberish';
    // Short pieces that are each a run over the keyboard ("qwe rty uio", "eqe piu jgjkh").
    const keys = keyPairs(letters);
    if (keys.pairs >= 6 && keys.near / keys.pairs >= 0.8) return 'gibberish';
    // The same word over and over ("test test test test") says nothing.
    if (new Set(readable).size < Math.min(3, readable.length) && readable.length >= 3) return 'gibberish';
    return undefined;
  }

  /** A person's name: one to eight readable words of letters, none a keyboard run ("xyz", "asdf", "aaa" are not names). */
  name(text: string): boolean {
    const trimmed = text.trim();
    if (trimmed.length < 2 || trimmed.length > 80 || !/^[\p{L}][\p{L} .'-]*$/u.test(trimmed)) return false;
    const words = foldedWords(trimmed);
    if (words.length === 0 || words.length > 8) return false;
    if (words.length === 1 && words[0].length < 2) return false;
    if (words.some((w) => /^(xyz|abc|abcd|test|asdf|qwerty|none|null|noname|khong|ko|k)$/.test(w))) return false;
    if (keyboardRun(words.join(''), 0.85)) return false;
    // Initials and titles ("J.", "Mr") may stand beside a readable word.
    const readable = words.filter((w) => readableWord(w, () => false));
    return readable.some((w) => w.length >= 2) && words.every((w) => readable.includes(w) || w.length <= 3);
  }

  /** A place as typed: readable words (with numbers: "tổ 5", "thôn 3"), not mash or emoji. */
  place(text: string): boolean {
    const trimmed = text.trim();
    if (trimmed.length < 2 || trimmed.length > 120) return false;
    const words = foldedWords(trimmed);
    const letters = words.filter((w) => /\p{L}/u.test(w));
    if (letters.length === 0) return false;
    return letters.filter((w) => readableWord(w, this.known)).length / letters.length >= 0.75;
  }
}
