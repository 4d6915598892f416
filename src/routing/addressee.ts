import type { Agency } from '../domain/agencies';
import { foldVietnamese } from '../domain/text';
import type { Normalizer } from './normalize';

/** A body a question can be put to, and the agencies that may answer for it. */
export interface Addressee {
  names: string[];
  /** One agency, or for a ministry the provincial bodies of its sector: the text's topic picks among them. */
  agencies: string[];
}

export interface AddresseeRules {
  /** Ministries, national bodies and other names of ours not in agencies.json. */
  addressees: Addressee[];
  /** Words that put the question to the body named right after them ("kính gửi", "đề nghị"), folded. */
  addressedAfter: string[];
  /** Words that, right after a body named at the start of a clause, put the question to it ("cho hỏi", "ơi"). */
  addressedBefore: string[];
  /** Words that, before "đề nghị X" or "hỏi X", make it a past event told in the story ("đã", "từng"). */
  notAddressedAfter: string[];
}

interface NamePattern {
  tokens: string[];
  agencies: string[];
}

/** A clause boundary in the token stream: the question's punctuation, kept so that "X cho hỏi" can be anchored. */
const BOUNDARY = '|';

/**
 * Finds the body a question is *put to* ("Sở Y tế cho hỏi", "Kính gửi Cục Thuế",
 * "Đề nghị UBND huyện Bát Xát xem xét"), as opposed to one mentioned in the story
 * ("tôi từng làm hợp đồng ở Cục Thuế"), which decides nothing (intents/LABELING.md).
 */
export class AddresseeDetector {
  private readonly names = new Map<string, NamePattern[]>();
  private readonly after: string[][];
  private readonly before: string[][];
  private readonly notAfter: Set<string>;

  constructor(
    agencies: readonly Agency[],
    private readonly normalizer: Normalizer,
    rules: AddresseeRules,
    notAddressable: readonly string[],
  ) {
    const skip = new Set(notAddressable);
    for (const a of agencies) {
      if (skip.has(a.code)) continue;
      // District and commune committees are addressed by their committee's name; "Bát Xát
      // cho hỏi" is far more often "(tôi ở) Bát Xát, cho hỏi". Later names count too.
      const later = (a.versions ?? []).flatMap((v) => [v.name, v.shortName]).filter((n): n is string => n !== undefined);
      const names = a.kind !== 'department' ? [a.name, ...a.aliases].filter((n) => /^(ubnd|ủy ban|uỷ ban)/i.test(n.trim())) : [...new Set([a.name, a.shortName, ...a.aliases, ...later])];
      for (const n of names) this.add(n, [a.code]);
    }
    for (const entry of rules.addressees) for (const n of entry.names) this.add(n, entry.agencies);
    this.after = rules.addressedAfter.map((w) => normalizer.tokens(w));
    this.before = rules.addressedBefore.map((w) => normalizer.tokens(w));
    this.notAfter = new Set(rules.notAddressedAfter.map((w) => foldVietnamese(w)));
  }

  private add(name: string, agencies: string[]): void {
    const tokens = this.normalizer.tokens(name);
    if (tokens.length === 0) return;
    const list = this.names.get(tokens[0]) ?? [];
    list.push({ tokens, agencies });
    this.names.set(tokens[0], list);
  }

  /** Folded tokens with clause boundaries ("|") where the text has punctuation. */
  tokensWithBoundaries(text: string): string[] {
    const out: string[] = [BOUNDARY];
    for (const clause of text.split(/[.,;:!?()[\]\n\r"“”–—…]+|\s-\s/)) {
      const tokens = this.normalizer.tokens(clause);
      if (tokens.length === 0) continue;
      out.push(...tokens, BOUNDARY);
    }
    return out;
  }

  private startsWith(tokens: readonly string[], at: number, words: readonly string[][]): number {
    let best = 0;
    for (const w of words) if (w.length > best && w.every((t, j) => tokens[at + j] === t)) best = w.length;
    return best;
  }

  private endsAt(tokens: readonly string[], end: number, words: readonly string[][]): number {
    let best = 0;
    for (const w of words) if (w.length > best && end - w.length >= 0 && w.every((t, j) => tokens[end - w.length + j] === t)) best = w.length;
    return best;
  }

  /**
   * Where a body is named as a place in the story, right after one of `before` ("làm ở
   * Cục Thuế", "nghỉ hưu tại Viện kiểm sát"): spans of the folded tokens.
   */
  namedInPassing(tokens: readonly string[], before: ReadonlySet<string>): Array<{ at: number; length: number }> {
    const found: Array<{ at: number; length: number }> = [];
    for (let i = 1; i < tokens.length; i += 1) {
      if (!before.has(tokens[i - 1])) continue;
      let length = 0;
      for (const p of this.names.get(tokens[i]) ?? []) if (p.tokens.length > length && p.tokens.every((t, j) => tokens[i + j] === t)) length = p.tokens.length;
      if (length > 0) found.push({ at: i, length });
    }
    return found;
  }

  /**
   * The agencies of the bodies the text is put to: one entry per body addressed,
   * each with the agencies that may answer for it.
   */
  addressed(text: string, folded?: readonly string[]): string[][] {
    // Most questions name no body at all: no need to tokenise them again with their punctuation.
    if (folded && !folded.some((t) => this.names.has(t))) return [];
    const tokens = this.tokensWithBoundaries(text);
    const found: string[][] = [];
    for (let i = 0; i < tokens.length; i += 1) {
      let best: NamePattern | undefined;
      for (const p of this.names.get(tokens[i]) ?? []) {
        if (best && p.tokens.length <= best.tokens.length) continue;
        if (p.tokens.every((t, j) => tokens[i + j] === t)) best = p;
      }
      if (!best) continue;
      const end = i + best.tokens.length;
      // "Kính gửi Sở Y tế", "đề nghị UBND huyện Bảo Yên": the addressing word right before the name...
      // ("Kính gửi: Sở Y tế" puts a boundary between them.)
      const gap = tokens[i - 1] === BOUNDARY && this.endsAt(tokens, i - 1, this.after) > 0 ? 1 : 0;
      const lead = this.endsAt(tokens, i - gap, this.after);
      const leadStart = i - gap - lead;
      const told = lead > 0 && leadStart > 0 && this.notAfter.has(tokens[leadStart - 1]);
      // ..."Sở Y tế cho hỏi", "Cục Thuế ơi": or the name opening a clause, then the addressing words.
      const opensClause = tokens[i - 1] === BOUNDARY || (lead > 0 && tokens[leadStart - 1] === BOUNDARY);
      const follow = opensClause ? this.startsWith(tokens, end, this.before) : 0;
      if ((lead > 0 && !told) || follow > 0) found.push(best.agencies);
      i = end - 1;
    }
    return found;
  }
}
