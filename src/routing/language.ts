import { foldVietnamese } from '../domain/text';

/** Words that only appear in English messages (not in unaccented Vietnamese). */
const ENGLISH = new Set(
  'is are was were been does did how what when where which who why could would should will my your we our this that there of for with from about please hello hi thanks thank question questions visa register registration get need want apply permit yes office pay fee tax card passport police school hospital extend renew where english'.split(' '),
);
/** Frequent unaccented Vietnamese function words that rule English out. */
const VIETNAMESE = new Set('toi em anh chi cho hoi xin la co khong gi nao the nay duoc o cua va thi ma de voi ve tai sao bao nhieu lam nhu'.split(' '));

const MARKED = /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹáàãéèíìóòõúùý]/i;

/**
 * "en" when a message is written in English, "vi" when it is clearly Vietnamese,
 * undefined when it says nothing either way ("1", "HD-2023-000001", "ok").
 */
export function detectLanguage(text: string): 'vi' | 'en' | undefined {
  // Words written with Vietnamese marks: a Vietnamese message, unless they are a few place or people's
  // names in an English sentence ("my father died in Bát Xát", "born at the Lào Cai hospital").
  const marked = text
    .normalize('NFC')
    .split(/\s+/)
    .filter((w) => MARKED.test(w)).length;
  const words = foldVietnamese(text).split(' ').filter(Boolean);
  if (words.length === 0) return undefined;
  let en = 0;
  let vi = 0;
  for (const w of words) {
    if (ENGLISH.has(w)) en += 1;
    if (VIETNAMESE.has(w)) vi += 1;
  }
  if (marked > 0) return en >= 2 && marked * 2 <= en && en > vi && en / words.length >= 0.25 ? 'en' : 'vi';
  if (en >= 1 && en > vi && en / words.length >= 0.25) return 'en';
  // More English words than Vietnamese ones, but too few to be sure: say nothing (the conversation keeps its language).
  return vi > en ? 'vi' : undefined;
}
