/**
 * MerkleLeaves.inclusionProofs (events/merkle.ts): many inclusion proofs in one walk of the tree,
 * as the evidence packet needs them, are exactly the RFC 9162 paths inclusionProof gives one by
 * one, and each verifies; for every tree size up to 70 and every subset shape that matters.
 */
import { createHash } from 'node:crypto';
import { leafHash, MerkleLeaves, verifyInclusion } from '../../events/merkle';

const tree = (size: number) => {
  const leaves = new MerkleLeaves();
  for (let i = 0; i < size; i++) leaves.push(leafHash(createHash('sha256').update(String(i)).digest()));
  return leaves;
};

describe('inclusionProofs', () => {
  it.each([1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 33, 64, 70])('gives inclusionProof’s path for every leaf of a tree of %i, and prefixes', (n) => {
    const leaves = tree(n);
    for (const size of [n, Math.max(1, n - 1), Math.ceil(n / 2)]) {
      const all = [...Array(size).keys()];
      const proofs = leaves.inclusionProofs(all, size);
      const root = leaves.root(size);
      for (const i of all) {
        expect(proofs.get(i)!.map((h) => h.toString('hex'))).toEqual(leaves.inclusionProof(i, size).map((h) => h.toString('hex')));
        expect(verifyInclusion(leaves.leaf(i), i, size, proofs.get(i)!, root)).toBe(true);
      }
    }
  });

  it('takes a subset in any order, with repeats, and refuses a leaf outside the tree', () => {
    const leaves = tree(40);
    const proofs = leaves.inclusionProofs([39, 3, 3, 17], 40);
    expect([...proofs.keys()].sort((a, b) => a - b)).toEqual([3, 17, 39]);
    for (const i of [3, 17, 39]) expect(proofs.get(i)).toEqual(leaves.inclusionProof(i, 40));
    expect(leaves.inclusionProofs([], 40).size).toBe(0);
    expect(() => leaves.inclusionProofs([40], 40)).toThrow(RangeError);
    expect(() => leaves.inclusionProofs([0], 41)).toThrow(RangeError);
  });
});
