/**
 * What changed between two versions of a text, word by word (a longest common
 * subsequence over whitespace-separated words): enough for an approver to see what
 * an officer changed after a draft was returned.
 */

export interface WordDiff {
  added: string[];
  removed: string[];
}

/** Words only in `after` (added) and only in `before` (removed), in their order. */
export function wordDiff(before: string, after: string): WordDiff {
  const a = before.split(/\s+/).filter(Boolean);
  const b = after.split(/\s+/).filter(Boolean);
  if (a.length * b.length > MAX_CELLS) return bagDiff(a, b);
  // Drafts are a few hundred words: an O(n·m) table is small and keeps the words in order.
  const rows = a.length + 1;
  const cols = b.length + 1;
  const lcs = new Uint32Array(rows * cols);
  for (let i = a.length - 1; i >= 0; i -= 1)
    for (let j = b.length - 1; j >= 0; j -= 1)
      lcs[i * cols + j] = a[i] === b[j] ? lcs[(i + 1) * cols + j + 1] + 1 : Math.max(lcs[(i + 1) * cols + j], lcs[i * cols + j + 1]);
  const added: string[] = [];
  const removed: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) (i += 1), (j += 1);
    else if (lcs[(i + 1) * cols + j] >= lcs[i * cols + j + 1]) removed.push(a[i++]);
    else added.push(b[j++]);
  }
  removed.push(...a.slice(i));
  added.push(...b.slice(j));
  return { added, removed };
}

/** Above this many table cells (e.g. two 20,000-character texts) words are compared as counts, without order. */
const MAX_CELLS = 1_000_000;

function bagDiff(a: readonly string[], b: readonly string[]): WordDiff {
  const left = new Map<string, number>();
  for (const w of a) left.set(w, (left.get(w) ?? 0) + 1);
  const added: string[] = [];
  for (const w of b) {
    const n = left.get(w) ?? 0;
    if (n > 0) left.set(w, n - 1);
    else added.push(w);
  }
  const removed: string[] = [];
  for (const w of a) {
    const n = left.get(w) ?? 0;
    if (n > 0) {
      removed.push(w);
      left.set(w, n - 1);
    }
  }
  return { added, removed };
}
