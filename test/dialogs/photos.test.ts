import type { Activity } from 'botbuilder';
import { trustAdapter } from '../../src/bot/channels';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { SqlitePhotos } from '../../src/store/sqlite-photos';
import { BAO_THANG_QUESTION, buttonsOf, says, testBot, textOf } from '../helpers/bot';

/** A PNG's first bytes: what the portal's upload would have checked and stored. */
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);

function photo(...ids: string[]): Partial<Activity> {
  return { type: 'message', text: '', attachments: ids.map((id) => ({ contentType: 'image/png', contentUrl: `hoidap-photo:${id}` })) };
}

/** A portal conversation (the Direct Line adapter's trust) over a store with photos uploaded by "user" (TestAdapter's user1). */
async function portalBot(uploaded: Array<[string, string]> = []) {
  const store = new SqliteLedgerStore(':memory:');
  const photos = new SqlitePhotos(store.db);
  for (const [id, owner] of uploaded) await photos.savePending({ id, owner, channel: 'portal', type: 'image/png', bytes: PNG, receivedAt: 1 });
  const rig = await testBot({ store });
  trustAdapter(rig.adapter, 'directline');
  return { ...rig, photos };
}

describe('citizen: photos with a question', () => {
  test('a photo alone at the question prompt is kept, the citizen asked to write the question; it is filed with the question', async () => {
    const { adapter, photos } = await portalBot([['photo-aaaaaaaaaaaaaaaa', 'directline:user1']]);
    await adapter
      .send('Gửi câu hỏi')
      .assertReply(says('Mời bạn nhập nội dung câu hỏi'))
      .send(photo('photo-aaaaaaaaaaaaaaaa'))
      .assertReply(says('Đã nhận ảnh. Bạn vui lòng viết nội dung câu hỏi bằng chữ; ảnh sẽ được gửi kèm câu hỏi.'))
      .send(BAO_THANG_QUESTION)
      .assertReply(says('cho biết họ và tên'))
      .send('Nguyen Van An')
      .assertReply(says('số điện thoại hoặc email'))
      .send('0912 345 678')
      .assertReply(says('xã/phường nào'))
      .send('bo qua')
      .assertReply(() => undefined)
      .send('co')
      .assertReply((a) => {
        expect(textOf(a)).toMatch(/^Đã gửi câu hỏi\. Mã câu hỏi của bạn: HD-2026-000001\./);
        expect(textOf(a)).toContain('Kèm theo 1 ảnh (chỉ cán bộ xử lý xem được, không công khai).');
      })
      .startTest();
    expect(await photos.list('HD-2026-000001')).toEqual([{ n: 1, type: 'image/png', size: PNG.length, channel: 'portal', receivedAt: 1 }]);
  });

  test('photos at later steps are kept too, at most the policy\'s number; the step keeps waiting for its answer', async () => {
    const ids = ['p1aaaaaaaaaaaaaaaa', 'p2aaaaaaaaaaaaaaaa', 'p3aaaaaaaaaaaaaaaa', 'p4aaaaaaaaaaaaaaaa'];
    const { adapter, photos } = await portalBot(ids.map((id) => [id, 'directline:user1']));
    await adapter
      .send('Gửi câu hỏi')
      .assertReply(() => undefined)
      .send(BAO_THANG_QUESTION)
      .assertReply(says('cho biết họ và tên'))
      .send(photo(ids[0], ids[1]))
      .assertReply(says('Đã nhận ảnh (2/3)'))
      .send('Nguyen Van An')
      .assertReply(says('số điện thoại hoặc email'))
      .send(photo(ids[2], ids[3]))
      .assertReply(says('tối đa 3 ảnh'))
      .assertReply(says('Đã nhận ảnh (3/3)'))
      .send('0912 345 678')
      .assertReply(says('xã/phường nào'))
      .send('bo qua')
      .assertReply(() => undefined)
      .send('co')
      .assertReply(says('Kèm theo 3 ảnh'))
      .startTest();
    expect((await photos.list('HD-2026-000001')).map((p) => p.n)).toEqual([1, 2, 3]);
  });

  test('a photo outside asking gets a clear reply with the menu and is not kept', async () => {
    const { adapter, photos } = await portalBot([['photo-bbbbbbbbbbbbbbbb', 'directline:user1']]);
    await adapter
      .send(photo('photo-bbbbbbbbbbbbbbbb'))
      .assertReply((a) => {
        expect(textOf(a)).toContain('Ảnh chỉ được nhận kèm một câu hỏi gửi cơ quan');
        expect(buttonsOf(a)).toHaveLength(3);
      })
      .startTest();
    // The pending photo is never filed: it goes with abandoned dialogs.
    expect(await photos.attach('HD-2026-000009', 'directline:user1', [])).toBe(0);
    expect(await photos.list('HD-2026-000009')).toEqual([]);
  });

  test('another sender\'s photo is not filed; on the unverified Bot Framework endpoint photos are refused', async () => {
    const { adapter, photos } = await portalBot([['photo-cccccccccccccccc', 'directline:someone-else']]);
    await adapter
      .send('Gửi câu hỏi')
      .assertReply(() => undefined)
      .send(photo('photo-cccccccccccccccc'))
      .assertReply(() => undefined)
      .send(BAO_THANG_QUESTION)
      .assertReply(() => undefined)
      .send('Nguyen Van An')
      .assertReply(() => undefined)
      .send('0912345678')
      .assertReply(() => undefined)
      .send('bo qua')
      .assertReply(() => undefined)
      .send('co')
      .assertReply((a) => expect(textOf(a)).not.toContain('ảnh'))
      .startTest();
    expect(await photos.list('HD-2026-000001')).toEqual([]);

    const open = await testBot();
    await open.adapter
      .send('Gửi câu hỏi')
      .assertReply(() => undefined)
      .send(photo('photo-cccccccccccccccc'))
      .assertReply(says('Không nhận được ảnh vừa gửi: chỉ nhận ảnh JPEG, PNG hoặc WebP, mỗi ảnh không quá 5 MB.'))
      .startTest();
  });
});
