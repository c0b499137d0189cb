/** One contract for every ReadModelStore adapter: conditional commits, prefixes, reset and rebuild flags. */
import type { ReadModelStore } from '../../src/read-models/read-model-store.port';

export function describeReadModelStoreContract(name: string, open: () => Promise<ReadModelStore>): void {
  describe(`${name} read model store`, () => {
    let store: ReadModelStore;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(() => store.close());

    it('starts at checkpoint 0, not rebuilding, with no documents', async () => {
      expect(await store.state('p')).toEqual({ checkpoint: 0, rebuilding: false });
      expect(await store.get('p', 'k')).toBeUndefined();
      expect(await store.getByPrefix('p', '')).toEqual([]);
    });

    it('commits documents and the checkpoint together, only from the checkpoint it was read at', async () => {
      expect(await store.commit('p', 0, 10, new Map([['a/1', { n: 1 }]]))).toBe(true);
      expect(await store.commit('p', 0, 12, new Map([['a/1', { n: 99 }]]))).toBe(false);
      expect(await store.get('p', 'a/1')).toEqual({ n: 1 });
      expect(await store.state('p')).toEqual({ checkpoint: 10, rebuilding: false });
      expect(await store.commit('p', 10, 20, new Map([['a/1', { n: 2 }], ['a/2', { n: 3 }]]))).toBe(true);
      expect(await store.get('p', 'a/1')).toEqual({ n: 2 });
      expect((await store.state('p')).checkpoint).toBe(20);
      // Projections are independent.
      expect(await store.state('q')).toEqual({ checkpoint: 0, rebuilding: false });
      expect(await store.get('q', 'a/1')).toBeUndefined();
    });

    it('commits a large change set whole (more documents than one statement carries)', async () => {
      const docs = new Map<string, unknown>(Array.from({ length: 1201 }, (_, i) => [`a/${String(i).padStart(4, '0')}`, { i, text: `quote " backslash \\ {brace}` }]));
      expect(await store.commit('p', 0, 1201, docs)).toBe(true);
      const all = await store.getByPrefix<{ i: number; text: string }>('p', 'a/');
      expect(all).toHaveLength(1201);
      expect(all[1200]).toEqual({ i: 1200, text: 'quote " backslash \\ {brace}' });
      expect(await store.commit('p', 1201, 1202, new Map([['a/0007', { i: -7 }]]))).toBe(true);
      expect(await store.get('p', 'a/0007')).toEqual({ i: -7 });
    });

    it('lists by prefix in key order, without neighbours that share the start of the prefix', async () => {
      const docs = new Map<string, unknown>([
        ['ab/x', { k: 'ab/x' }],
        ['a/2', { k: 'a/2' }],
        ['a/10', { k: 'a/10' }],
        ['a/1', { k: 'a/1' }],
        ['a', { k: 'a' }],
      ]);
      await store.commit('p', 0, 1, docs);
      expect(await store.getByPrefix('p', 'a/')).toEqual([{ k: 'a/1' }, { k: 'a/10' }, { k: 'a/2' }]);
    });

    it('pages by prefix after a key, parsed or as the stored JSON text', async () => {
      await store.commit('p', 0, 1, new Map<string, unknown>([['a/1', { k: 1, s: 'é' }], ['a/2', { k: 2 }], ['a/3', { k: 3 }], ['b/1', { k: 4 }]]));
      expect(await store.getPageByPrefix('p', 'a/', '', 2)).toEqual([{ key: 'a/1', doc: { k: 1, s: 'é' } }, { key: 'a/2', doc: { k: 2 } }]);
      expect(await store.getTextPageByPrefix('p', 'a/', 'a/1', 5)).toEqual([{ key: 'a/2', text: '{"k":2}' }, { key: 'a/3', text: '{"k":3}' }]);
      // The text is what was committed: JSON.stringify of the document.
      expect(await store.getTextPageByPrefix('p', '', 'a/3', 5)).toEqual([{ key: 'b/1', text: JSON.stringify({ k: 4 }) }]);
      expect((await store.getTextPageByPrefix('p', 'a/', '', 1))[0].text).toBe(JSON.stringify({ k: 1, s: 'é' }));
      // `after` below the prefix (not a key of an earlier page): still only the prefix's keys; after the last, none.
      expect((await store.getTextPageByPrefix('p', 'b/', 'a/2', 5)).map((d) => d.key)).toEqual(['b/1']);
      expect((await store.getTextPageByPrefix('p', 'a/', '', 5)).map((d) => d.key)).toEqual(['a/1', 'a/2', 'a/3']);
      expect(await store.getTextPageByPrefix('p', 'a/', 'a/3', 5)).toEqual([]);
    });

    it('reads documents with the checkpoint they were committed with, as one snapshot', async () => {
      expect(await store.readAtCheckpoint('p', ['a/1'])).toEqual({ checkpoint: 0, rebuilding: false, docs: new Map() });
      await store.commit('p', 0, 10, new Map([['a/1', { n: 1 }], ['a/2', { n: 2 }]]));
      await store.commit('q', 0, 99, new Map([['a/1', { n: 'q' }]]));
      expect(await store.readAtCheckpoint('p', ['a/1', 'a/2', 'a/3'])).toEqual({ checkpoint: 10, rebuilding: false, docs: new Map([['a/1', { n: 1 }], ['a/2', { n: 2 }]]) });
      expect(await store.readAtCheckpoint('p', [])).toEqual({ checkpoint: 10, rebuilding: false, docs: new Map() });
      // Reads racing commits: every answer is one commit's state (document n == checkpoint), never a mix.
      const commits = (async () => {
        for (let n = 11; n <= 40; n++) expect(await store.commit('p', n - 1, n, new Map([['a/1', { n }]]))).toBe(true);
      })();
      const reads = (async () => {
        for (let i = 0; i < 60; i++) {
          const { checkpoint, docs } = await store.readAtCheckpoint<{ n: number }>('p', ['a/1']);
          if (checkpoint > 10) expect({ checkpoint, n: docs.get('a/1')?.n }).toEqual({ checkpoint, n: checkpoint });
        }
      })();
      await Promise.all([commits, reads]);
      await store.reset('p');
      expect(await store.readAtCheckpoint('p', ['a/1'])).toEqual({ checkpoint: 0, rebuilding: true, docs: new Map() });
    });

    it('reset clears documents and checkpoint and marks a rebuild until markRebuilt', async () => {
      await store.commit('p', 0, 5, new Map([['k', { v: 1 }]]));
      await store.commit('q', 0, 7, new Map([['k', { v: 2 }]]));
      await store.reset('p');
      expect(await store.state('p')).toEqual({ checkpoint: 0, rebuilding: true });
      expect(await store.get('p', 'k')).toBeUndefined();
      expect(await store.get('q', 'k')).toEqual({ v: 2 });
      expect(await store.commit('p', 0, 3, new Map([['k', { v: 3 }]]))).toBe(true);
      expect(await store.state('p')).toEqual({ checkpoint: 3, rebuilding: true });
      await store.markRebuilt('p');
      expect(await store.state('p')).toEqual({ checkpoint: 3, rebuilding: false });
    });
  });
}
