import fc from 'fast-check';
import { JsonArrayMembers } from '../../src/evidence/verify/json-array-members';

/** Splits `text` at `cuts` and feeds the pieces; the elements and the skeleton. */
function split(text: string, cuts: number[], key = 'proofs'): { elements: string[]; skeleton: string; arrays: number; head?: string } {
  const members = new JsonArrayMembers(key);
  const elements: string[] = [];
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    elements.push(...members.push(text.slice(from, cut)));
    from = cut;
  }
  elements.push(...members.push(text.slice(from)), ...members.end());
  return { elements, skeleton: members.skeleton, arrays: members.arrays, head: members.head };
}

describe('JsonArrayMembers (proofs.json read as it is inflated)', () => {
  it('gives each element of the array under the key, and the rest with each element as 0', () => {
    const text = '{"treeSize":5,"rootHash":"ab","proofs":[\n{"eventId":"e1","leafIndex":0,"proof":["x]","y"]},\n{"eventId":"e\\"2}","leafIndex":1,"proof":[]}\n]}\n';
    const { elements, skeleton, arrays } = split(text, []);
    expect(elements.map((e) => JSON.parse(e))).toEqual(JSON.parse(text).proofs);
    expect(JSON.parse(skeleton)).toEqual({ treeSize: 5, rootHash: 'ab', proofs: [0, 0] });
    expect(arrays).toBe(1);
  });

  it('leaves arrays under other keys, nested or not, in the skeleton; scalars in the list are elements', () => {
    const text = '{"other":[1,2],"x":{"proofs":[3]},"proofs":[ 7 , "s,]" ,true,null,[1,[2]] ],"after":"proofs"}';
    const { elements, skeleton } = split(text, [3, 20, 41, 42, 50]);
    expect(elements).toEqual(['7', '"s,]"', 'true', 'null', '[1,[2]]']);
    expect(JSON.parse(skeleton)).toEqual({ other: [1, 2], x: { proofs: [3] }, proofs: [0, 0, 0, 0, 0], after: 'proofs' });
  });

  it('counts a duplicate key (JSON.parse keeps the last): the verifier refuses more than one', () => {
    expect(split('{"proofs":[1],"proofs":[2]}', []).arrays).toBe(2);
  });

  it('does not make invalid JSON valid: the skeleton or an element fails to parse', () => {
    for (const text of ['{"proofs":[{"a":1},]}', '{"proofs":[{"a":}]}', '{"proofs":[1 2]}', '{"proofs":[1]', '{"proofs":[1]}}']) {
      const { elements, skeleton } = split(text, []);
      const parses = (t: string) => {
        try {
          JSON.parse(t);
          return true;
        } catch {
          return false;
        }
      };
      expect(parses(skeleton) && elements.every(parses)).toBe(false);
    }
  });

  it('gives what JSON.parse gives, however the text is cut into pieces and spaced', () => {
    const proof = fc.record({ eventId: fc.string(), leafIndex: fc.nat(), proof: fc.array(fc.string({ maxLength: 8 }), { maxLength: 4 }) });
    fc.assert(
      fc.property(fc.record({ treeSize: fc.nat(), rootHash: fc.string(), proofs: fc.array(proof, { maxLength: 6 }) }), fc.boolean(), fc.array(fc.nat(), { maxLength: 8 }), (doc, pretty, cuts) => {
        const text = JSON.stringify(doc, null, pretty ? 2 : undefined);
        const { elements, skeleton, arrays, head } = split(text, cuts.map((c) => c % (text.length + 1)));
        expect(elements.map((e) => JSON.parse(e))).toEqual(doc.proofs);
        // The text before the list, closed, gives the header (what the verifier checks before the first proof).
        expect(JSON.parse(`${head}]}`)).toEqual({ treeSize: doc.treeSize, rootHash: doc.rootHash, proofs: [] });
        expect(JSON.parse(skeleton)).toEqual({ ...doc, proofs: doc.proofs.map(() => 0) });
        expect(arrays).toBe(1);
      }),
    );
  });
});
