/**
 * Red-team follow-up: `hoidap route` read stdin without the bounds `import` has. A line nested
 * 100,000 deep, an object with "text" twice (JSON.parse keeps the last: the caller's reviewer saw
 * the first), or a text of megabytes each got through. Now each such line gets an error line in
 * its place naming its number, the other lines are routed, and the exit status is 2.
 */
import { hoidap } from '../helpers/cli';

const ok = (id: string) => JSON.stringify({ id, text: 'thủ tục cấp giấy phép xây dựng nhà ở tại huyện Bảo Thắng' });

async function route(lines: string[]) {
  const run = await hoidap(['route'], lines.join('\n') + '\n');
  const out = run.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { id: unknown; agency?: string; error?: string });
  return { run, out };
}

test('a line nested 100,000 deep: an error line naming it, no stack trace, the others routed', async () => {
  const deep = `{"id":"b","text":"x","extra":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
  const { run, out } = await route([ok('a'), deep, ok('c')]);
  expect(run.code).toBe(2);
  expect(out.map((o) => [o.id, o.error ?? o.agency])).toEqual([
    ['a', expect.any(String)],
    [null, 'line 2: nested deeper than 4 levels'],
    ['c', expect.any(String)],
  ]);
  expect(out[0].error).toBeUndefined();
  expect(run.stderr).not.toMatch(/RangeError|Maximum call stack|\n\s+at /);
});

test('a line with "text" twice is refused, not routed on the last one', async () => {
  const { run, out } = await route(['{"id":"d","text":"câu hỏi về đất đai","text":"câu hỏi về y tế"}', ok('e')]);
  expect(run.code).toBe(2);
  expect(out[0]).toEqual({ id: null, error: 'line 1: duplicate key "text" in one object' });
  expect(out[1].agency).toEqual(expect.any(String));
});

test('a text over 20,000 characters, or a line over 256 kB, is refused at once with its size', async () => {
  const long = JSON.stringify({ id: 'f', text: 'đất đai '.repeat(5000) });
  const huge = JSON.stringify({ id: 'g', text: 'a', pad: 'x'.repeat(300_000) });
  const { run, out } = await route([long, huge, ok('h')]);
  expect(run.code).toBe(2);
  expect(out[0]).toEqual({ id: 'f', error: 'line 1: "text" is longer than 20000 characters' });
  expect(out[1]).toEqual({ id: null, error: 'line 2: longer than 262144 characters' });
  expect(out[2].agency).toEqual(expect.any(String));
});

test('an id that is not a string or a number is refused (it is echoed in the output)', async () => {
  const { out } = await route(['{"id":{"a":[1,2]},"text":"đất đai"}']);
  expect(out[0]).toEqual({ id: null, error: 'line 1: "id" must be a string or a number' });
});
