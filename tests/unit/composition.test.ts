/** The composer's model: what it restores from storage, and what it sends. */
import { emptyFields, freshComposition, payloadOf, restoreComposition, type Composition } from '../../client/console/composition';

const stored = (): Composition => ({
  target: { kind: 'draft', draftId: 'd1', draftVersion: 3, label: 'Draft by Ada' },
  fields: {
    ...emptyFields(),
    title: 'Bridge closed',
    body: 'The bridge is closed.',
    keyEvent: true,
    media: [{ url: 'https://example.org/a.jpg', alt: 'The bridge', caption: '', credit: 'Ada' }],
    links: [{ title: 'Map', url: 'https://example.org/map' }],
    embeds: 'https://youtu.be/dQw4w9WgXcQ',
  },
  idempotencyKey: 'abc123',
  scheduleAt: '2026-11-30T14:00',
});

describe('restoreComposition', () => {
  test('gives back a good stored composition as it was', () => {
    expect(restoreComposition(JSON.stringify(stored()), 'compose')).toEqual(stored());
    expect(restoreComposition(JSON.stringify(freshComposition('k1')), 'compose')).toEqual(freshComposition('k1'));
    const correction: Composition = {
      target: { kind: 'edit', entryId: 'e1', baseVersion: 2 },
      fields: emptyFields(),
      idempotencyKey: '',
      scheduleAt: '',
    };
    expect(restoreComposition(JSON.stringify(correction), 'edit')).toEqual(correction);
  });

  test('ignores nothing stored and text that is not JSON', () => {
    expect(restoreComposition(null, 'compose')).toBeNull();
    expect(restoreComposition('', 'compose')).toBeNull();
    expect(restoreComposition('{"target":', 'compose')).toBeNull();
    expect(restoreComposition('null', 'compose')).toBeNull();
    expect(restoreComposition('[]', 'compose')).toBeNull();
  });

  test('keeps a composition stored before the embeds field existed, with none', () => {
    const older: Record<string, unknown> = { ...stored().fields };
    delete older.embeds;
    expect(restoreComposition(JSON.stringify({ ...stored(), fields: older }), 'compose')).toEqual({
      ...stored(),
      fields: { ...stored().fields, embeds: '' },
    });
  });

  test('ignores a composition of an older or damaged shape', () => {
    const variants: unknown[] = [
      { ...stored(), fields: { ...stored().fields, links: undefined } },
      { ...stored(), fields: { ...stored().fields, media: [{ url: 'https://example.org/a.jpg', alt: 'x' }] } },
      { ...stored(), fields: { ...stored().fields, title: null } },
      { ...stored(), fields: { ...stored().fields, keyEvent: 'yes' } },
      { ...stored(), fields: { ...stored().fields, embeds: ['https://youtu.be/dQw4w9WgXcQ'] } },
      { ...stored(), target: { kind: 'draft', draftId: 'd1', label: 'Draft' } },
      { ...stored(), target: { kind: 'other' } },
      { ...stored(), scheduleAt: undefined },
      { target: { kind: 'new' }, fields: stored().fields },
    ];
    for (const variant of variants) expect(restoreComposition(JSON.stringify(variant), 'compose')).toBeNull();
  });

  test('ignores a composition stored in the wrong slot, or a new one without its key', () => {
    const correction = {
      target: { kind: 'edit', entryId: 'e1', baseVersion: 2 },
      fields: emptyFields(),
      idempotencyKey: '',
      scheduleAt: '',
    };
    expect(restoreComposition(JSON.stringify(correction), 'compose')).toBeNull();
    expect(restoreComposition(JSON.stringify(stored()), 'edit')).toBeNull();
    expect(restoreComposition(JSON.stringify({ ...stored(), idempotencyKey: '' }), 'compose')).toBeNull();
  });
});

describe('payloadOf', () => {
  test('drops empty rows and sends blanks as null', () => {
    const fields = {
      ...stored().fields,
      title: '  ',
      sources: ' Reuters ',
      media: [...stored().fields.media, { url: ' ', alt: '', caption: 'lost', credit: '' }],
      links: [
        { title: '', url: '' },
        { title: ' Map ', url: ' https://example.org/map ' },
      ],
      embeds: '\n https://youtu.be/dQw4w9WgXcQ \n\nhttps://x.com/a/status/1\n',
    };
    expect(payloadOf(fields)).toEqual({
      body: 'The bridge is closed.',
      title: null,
      keyEvent: true,
      pinned: false,
      media: [{ url: 'https://example.org/a.jpg', alt: 'The bridge', caption: null, credit: 'Ada' }],
      links: [{ title: 'Map', url: 'https://example.org/map' }],
      sources: 'Reuters',
      embeds: [{ url: 'https://youtu.be/dQw4w9WgXcQ' }, { url: 'https://x.com/a/status/1' }],
    });
  });
});
