/**
 * A look at a JSON text's shape before it is parsed: nesting deeper than `maxDepth` (a hostile file's
 * 100,000 nested arrays would overflow the stack of whatever walks the parsed value) and an object
 * with the same key twice (JSON.parse silently keeps the last one). One pass, linear in the length.
 * Returns the reason the text is refused, or undefined; anything else is left to JSON.parse.
 */
export function jsonShapeProblem(text: string, maxDepth: number): string | undefined {
  const objects: Array<Set<string> | undefined> = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (ch === '"') {
      const start = i;
      for (i += 1; i < text.length && text[i] !== '"'; i += 1) if (text[i] === '\\') i += 1;
      const keys = objects[objects.length - 1];
      if (expectKey && keys) {
        let key: string;
        try {
          key = JSON.parse(text.slice(start, i + 1)) as string;
        } catch {
          return undefined; // not JSON: JSON.parse says why
        }
        if (keys.has(key)) return `duplicate key "${key.length > 40 ? `${key.slice(0, 40)}…` : key}" in one object`;
        keys.add(key);
        expectKey = false;
      }
    } else if (ch === '{' || ch === '[') {
      if (objects.length >= maxDepth) return `nested deeper than ${maxDepth} levels`;
      objects.push(ch === '{' ? new Set() : undefined);
      expectKey = ch === '{';
    } else if (ch === '}' || ch === ']') {
      objects.pop();
      expectKey = false;
    } else if (ch === ',') {
      expectKey = objects[objects.length - 1] !== undefined;
    }
  }
  return undefined;
}
