/**
 * The Merkle tree against the published RFC 6962 test vectors (the certificate-transparency
 * reference implementation's corpus, also pinned by transparency-dev/merkle): roots of every
 * size 0-8, inclusion and consistency proofs. Not only against itself: a proof this code makes
 * must equal the published one byte for byte, and the published ones must verify.
 */
import fc from 'fast-check';
import { EMPTY_ROOT, leafHash, MerkleFrontier, MerkleLeaves, verifyConsistency, verifyInclusion } from '../../events/merkle';

const LEAF_INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => Buffer.from(h, 'hex'));
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const INCLUSION: { index: number; size: number; proof: string[] }[] = [
  { index: 0, size: 1, proof: [] },
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];
const CONSISTENCY: { size1: number; size2: number; proof: string[] }[] = [
  { size1: 1, size2: 1, proof: [] },
  {
    size1: 1,
    size2: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    size1: 6,
    size2: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { size1: 2, size2: 5, proof: ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'] },
];

const hex = (buffers: Buffer[]) => buffers.map((b) => b.toString('hex'));
const bytes = (hexes: string[]) => hexes.map((h) => Buffer.from(h, 'hex'));

function vectorTree(): MerkleLeaves {
  const leaves = new MerkleLeaves();
  for (const input of LEAF_INPUTS) leaves.push(leafHash(input));
  return leaves;
}

describe('RFC 6962 test vectors', () => {
  it('the empty tree is SHA-256 of nothing', () => {
    expect(EMPTY_ROOT.toString('hex')).toBe(ROOTS[0]);
    expect(MerkleFrontier.empty().root().toString('hex')).toBe(ROOTS[0]);
  });

  it.each(ROOTS.map((root, size) => ({ size, root })))('root of the first $size leaves, from the leaves and from the frontier', ({ size, root }) => {
    expect(vectorTree().root(size).toString('hex')).toBe(root);
    const frontier = MerkleFrontier.empty();
    for (const input of LEAF_INPUTS.slice(0, size)) frontier.push(leafHash(input));
    expect(frontier.root().toString('hex')).toBe(root);
    expect(MerkleFrontier.fromJSON(frontier.toJSON()).root().toString('hex')).toBe(root);
  });

  it.each(INCLUSION)('inclusion proof of leaf $index in a tree of $size', ({ index, size, proof }) => {
    const tree = vectorTree();
    expect(hex(tree.inclusionProof(index, size))).toEqual(proof);
    const root = Buffer.from(ROOTS[size], 'hex');
    expect(verifyInclusion(leafHash(LEAF_INPUTS[index]), index, size, bytes(proof), root)).toBe(true);
    // A wrong leaf, index, size or proof element fails.
    expect(verifyInclusion(leafHash(Buffer.from('ff', 'hex')), index, size, bytes(proof), root)).toBe(false);
    if (size > 1) {
      expect(verifyInclusion(leafHash(LEAF_INPUTS[index]), (index + 1) % size, size, bytes(proof), root)).toBe(false);
      const bad = bytes(proof);
      bad[0] = Buffer.alloc(32, 7);
      expect(verifyInclusion(leafHash(LEAF_INPUTS[index]), index, size, bad, root)).toBe(false);
    }
    expect(verifyInclusion(leafHash(LEAF_INPUTS[index]), index, size + 1, bytes(proof), root)).toBe(false);
  });

  it.each(CONSISTENCY)('consistency proof from $size1 to $size2', ({ size1, size2, proof }) => {
    const tree = vectorTree();
    expect(hex(tree.consistencyProof(size1, size2))).toEqual(proof);
    const [r1, r2] = [Buffer.from(ROOTS[size1], 'hex'), Buffer.from(ROOTS[size2], 'hex')];
    expect(verifyConsistency(size1, size2, r1, r2, bytes(proof))).toBe(true);
    if (size1 !== size2) {
      expect(verifyConsistency(size1, size2, Buffer.from(ROOTS[size1 + 1], 'hex'), r2, bytes(proof))).toBe(false);
      expect(verifyConsistency(size1, size2, r1, Buffer.from(ROOTS[size2 - 1], 'hex'), bytes(proof))).toBe(false);
      expect(verifyConsistency(size1, size2, r1, r2, bytes(proof).slice(1))).toBe(false);
    }
  });
});

describe('proofs of every leaf and every prefix verify; a changed leaf is caught', () => {
  it('holds for random trees up to 70 leaves', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.nat(), fc.nat(), (size, a, b) => {
        const tree = new MerkleLeaves();
        const frontier = MerkleFrontier.empty();
        for (let i = 0; i < size; i++) {
          const leaf = leafHash(Buffer.from(`leaf ${i}`));
          tree.push(leaf);
          frontier.push(leaf);
        }
        const root = tree.root();
        expect(frontier.root().equals(root)).toBe(true);
        const index = a % size;
        expect(verifyInclusion(tree.leaf(index), index, size, tree.inclusionProof(index, size), root)).toBe(true);
        const m = b % (size + 1);
        expect(verifyConsistency(m, size, tree.root(m), root, tree.consistencyProof(m, size))).toBe(true);
        // The same prefix with one leaf changed is not consistent with the tree.
        if (m > 0 && m < size) {
          const forged = new MerkleLeaves();
          for (let i = 0; i < size; i++) forged.push(i === m - 1 ? leafHash(Buffer.from('forged')) : tree.leaf(i));
          expect(verifyConsistency(m, size, forged.root(m), root, tree.consistencyProof(m, size))).toBe(false);
        }
      }),
      { numRuns: 300, seed: 9162 },
    );
  });
});

describe('MerkleLeaves across its chunks (32,768 leaves each, docs/decisions.md W76)', () => {
  it('holds every leaf and gives the frontier\'s root at sizes on and around the chunk boundaries', () => {
    const leaves = new MerkleLeaves();
    const frontier = MerkleFrontier.empty();
    const sizes = new Set([1, 1024, 1025, 32_767, 32_768, 32_769, 65_536, 70_001]);
    const roots = new Map<number, string>();
    for (let i = 0; i < 70_001; i++) {
      const leaf = leafHash(Buffer.from(`leaf ${i}`));
      leaves.push(leaf);
      frontier.push(leaf);
      if (sizes.has(i + 1)) roots.set(i + 1, frontier.root().toString('hex'));
    }
    expect(leaves.size).toBe(70_001);
    for (const i of [0, 1023, 1024, 32_767, 32_768, 65_535, 65_536, 70_000]) expect(leaves.leaf(i).equals(leafHash(Buffer.from(`leaf ${i}`)))).toBe(true);
    for (const [size, root] of roots) expect(leaves.root(size).toString('hex')).toBe(root);
    const proof = leaves.inclusionProof(32_768, 70_001);
    expect(verifyInclusion(leaves.leaf(32_768), 32_768, 70_001, proof, leaves.root())).toBe(true);
  });
});
