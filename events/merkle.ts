/**
 * The ledger-wide Merkle tree (docs/reference.md#integrity; RFC 9162 §2.1): one tree over every
 * event of the store in global position order, so that the whole log is one commitment that a
 * signed checkpoint (events/checkpoint.ts) can fix.
 *
 *   leaf  = SHA-256(0x00 ‖ leaf input)       the leaf input of an event is its 32-byte hash
 *   node  = SHA-256(0x01 ‖ left ‖ right)
 *   MTH({}) = SHA-256()                       the empty tree
 *
 * The stores keep only the frontier (the roots of the perfect subtrees that make up the tree,
 * one per set bit of its size: RFC 9162's "compact range" from 0) and extend it inside every
 * append transaction: O(log n) per event, never a rebuild. Proofs are computed from the leaves
 * (the events' hashes, read in position order) by the RFC's recursive definitions, and checked
 * by the RFC's verification algorithms (§2.1.3.2, §2.1.4.2), which use nothing but the proof.
 *
 * Pure: no I/O.
 */
import { hash } from 'node:crypto';

export const HASH_BYTES = 32;

/** MTH of the empty tree: SHA-256 of nothing. */
export const EMPTY_ROOT = hash('sha256', Buffer.alloc(0), 'buffer');

/** RFC 9162 leaf hash of any leaf input. */
export function leafHash(input: Uint8Array): Buffer {
  // One-shot hashes of one buffer (Node ≥ 20.12): no Hash object per node, on every append.
  const bytes = Buffer.allocUnsafe(1 + input.length);
  bytes[0] = LEAF_PREFIX;
  bytes.set(input, 1);
  return hash('sha256', bytes, 'buffer');
}

/** The leaf hash of an event: its 64-hex-digit hash as the 32-byte leaf input. */
export function eventLeafHash(eventHashHex: string): Buffer {
  if (!/^[0-9a-f]{64}$/.test(eventHashHex)) throw new TypeError('an event hash is 64 lowercase hexadecimal digits');
  return leafHash(Buffer.from(eventHashHex, 'hex'));
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  const bytes = Buffer.allocUnsafe(1 + left.length + right.length);
  bytes[0] = NODE_PREFIX;
  bytes.set(left, 1);
  bytes.set(right, 1 + left.length);
  return hash('sha256', bytes, 'buffer');
}

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

/** The largest power of two smaller than n (n >= 2): RFC 9162's k. */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The frontier of a tree of `size` leaves: the roots of its perfect subtrees, largest first
 * (one per set bit of `size`). Appending a leaf merges the equal-sized subtrees at the end.
 */
export class MerkleFrontier {
  /** The nodes in hex, kept in step (the stores write them on every append). */
  private readonly hex: string[];

  private constructor(
    private treeSize: number,
    private readonly nodes: Buffer[],
    hex?: string[],
  ) {
    this.hex = hex ?? nodes.map((n) => n.toString('hex'));
  }

  static empty(): MerkleFrontier {
    return new MerkleFrontier(0, []);
  }

  /** From its stored form (`toJSON`); throws on anything inconsistent. */
  static fromJSON(stored: { size: number; nodes: string[] }): MerkleFrontier {
    const { size, nodes } = stored ?? ({} as { size: number; nodes: string[] });
    if (!Number.isSafeInteger(size) || size < 0 || !Array.isArray(nodes)) throw new TypeError('malformed Merkle frontier');
    if (nodes.length !== popCount(size) || !nodes.every((n) => typeof n === 'string' && /^[0-9a-f]{64}$/.test(n))) {
      throw new TypeError(`malformed Merkle frontier: a tree of ${size} leaves has ${popCount(size)} subtree roots, not ${nodes.length}`);
    }
    return new MerkleFrontier(size, nodes.map((n) => Buffer.from(n, 'hex')), [...nodes]);
  }

  get size(): number {
    return this.treeSize;
  }

  /** Adds one leaf (its leaf hash). */
  push(leaf: Buffer): void {
    let node = leaf;
    // Each trailing 1 bit of the old size is a subtree of the same height as the new node.
    for (let s = this.treeSize; s % 2 === 1; s = (s - 1) / 2) {
      node = nodeHash(this.nodes.pop()!, node);
      this.hex.pop();
    }
    this.nodes.push(node);
    this.hex.push(node.toString('hex'));
    this.treeSize++;
  }

  /** The tree head: MTH of all the leaves pushed. */
  root(): Buffer {
    if (this.nodes.length === 0) return EMPTY_ROOT;
    let root = this.nodes[this.nodes.length - 1];
    for (let i = this.nodes.length - 2; i >= 0; i--) root = nodeHash(this.nodes[i], root);
    return root;
  }

  toJSON(): { size: number; nodes: string[] } {
    return { size: this.treeSize, nodes: [...this.hex] };
  }

  clone(): MerkleFrontier {
    return new MerkleFrontier(this.treeSize, [...this.nodes], [...this.hex]);
  }
}

function popCount(n: number): number {
  let count = 0;
  for (let s = n; s > 0; s = Math.floor(s / 2)) count += s % 2;
  return count;
}

/** Inclusion proofs of many leaves in one tree (MerkleLeaves.inclusionProofSet). */
export interface InclusionProofSet {
  /** The leaves proven, ascending, each once. */
  indices: readonly number[];
  /** The path of one of them, leaf to root (RFC 9162 §2.1.3.1). */
  proof(index: number): Buffer[];
}

/**
 * A tree over leaf hashes held in memory (32 bytes a leaf: 32 MB for a million events), for
 * computing roots of any prefix and the RFC's proofs. Built by the verifier and the proof
 * routes from one streamed read of the log.
 */
/** Leaves per chunk of MerkleLeaves (1 MiB of hashes). */
const CHUNK_LEAVES = 32_768;

export class MerkleLeaves {
  /**
   * The leaves, 32 bytes each, in chunks of CHUNK_LEAVES (1 MiB; the first one grows by doubling
   * from 1,024 leaves, so that a small tree stays small): what is held is 32 bytes a leaf and at
   * most one chunk not yet full. One buffer doubled as it grew held up to twice that (64 MiB for
   * 1.05 million leaves) and needed both copies while it grew (docs/decisions.md W76).
   */
  private readonly chunks: Buffer[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(leaf: Buffer): void {
    const chunk = Math.floor(this.count / CHUNK_LEAVES);
    const at = (this.count % CHUNK_LEAVES) * HASH_BYTES;
    if (chunk === this.chunks.length) this.chunks.push(Buffer.alloc(HASH_BYTES * (chunk === 0 ? 1024 : CHUNK_LEAVES)));
    else if (at + HASH_BYTES > this.chunks[chunk].length) {
      const larger = Buffer.alloc(Math.min(this.chunks[chunk].length * 2, HASH_BYTES * CHUNK_LEAVES));
      this.chunks[chunk].copy(larger);
      this.chunks[chunk] = larger;
    }
    leaf.copy(this.chunks[chunk], at, 0, HASH_BYTES);
    this.count++;
  }

  leaf(index: number): Buffer {
    const at = (index % CHUNK_LEAVES) * HASH_BYTES;
    return this.chunks[Math.floor(index / CHUNK_LEAVES)].subarray(at, at + HASH_BYTES);
  }

  /** MTH(D[start:end]). */
  subtree(start: number, end: number): Buffer {
    const n = end - start;
    if (n === 0) return EMPTY_ROOT;
    if (n === 1) return this.leaf(start);
    const k = split(n);
    return nodeHash(this.subtree(start, start + k), this.subtree(start + k, end));
  }

  /** The tree head of the first `size` leaves. */
  root(size = this.count): Buffer {
    this.assertSize(size);
    return this.subtree(0, size);
  }

  /** RFC 9162 §2.1.3.1: PATH(m, D[0:size]), leaf to root. */
  inclusionProof(index: number, size: number): Buffer[] {
    this.assertSize(size);
    if (!Number.isSafeInteger(index) || index < 0 || index >= size) throw new RangeError(`leaf index ${index} is not in a tree of ${size} leaves`);
    const path = (m: number, start: number, end: number): Buffer[] => {
      const n = end - start;
      if (n === 1) return [];
      const k = split(n);
      return m < k
        ? [...path(m, start, start + k), this.subtree(start + k, end)]
        : [...path(m - k, start + k, end), this.subtree(start, start + k)];
    };
    return path(index, 0, size);
  }

  /**
   * inclusionProof for many leaves at once, in one walk of the tree of `size` (each node hashed
   * once: O(size + m log size) for m leaves, where m calls of inclusionProof cost O(m × size)).
   * The evidence packet proves every event of an agency this way. Same paths, leaf to root.
   */
  inclusionProofs(indices: readonly number[], size: number): Map<number, Buffer[]> {
    const set = this.inclusionProofSet(indices, size);
    return new Map(set.indices.map((i) => [i, set.proof(i)]));
  }

  /**
   * inclusionProofs held compactly (docs/decisions.md W76): each node hash of the paths once, in
   * chunks of 32 bytes, and each path as 4-byte references to them; a path's Buffers are made when
   * it is asked for. For the 105,000 events of a 2,500-officer agency in a tree of a million,
   * about 12 MB instead of about 80 MB of arrays and Buffers (a heap snapshot).
   */
  inclusionProofSet(indices: readonly number[], size: number): InclusionProofSet {
    this.assertSize(size);
    const wanted = [...new Set(indices)].sort((a, b) => a - b);
    for (const index of wanted) {
      if (!Number.isSafeInteger(index) || index < 0 || index >= size) throw new RangeError(`leaf index ${index} is not in a tree of ${size} leaves`);
    }
    // A path is at most ceil(log2(size)) nodes long.
    let depth = 0;
    while (2 ** depth < size) depth++;
    const paths = new Int32Array(wanted.length * Math.max(depth, 1));
    const lengths = new Uint8Array(wanted.length);
    const nodes = new MerkleLeaves();
    const add = (node: Buffer, from: number, to: number) => {
      if (from === to) return;
      const ref = nodes.size;
      nodes.push(node);
      for (let i = from; i < to; i++) paths[i * depth + lengths[i]++] = ref;
    };
    // `from`..`to` (exclusive): the slice of `wanted` inside [start, end).
    const walk = (start: number, end: number, from: number, to: number): Buffer => {
      if (from === to) return this.subtree(start, end);
      const n = end - start;
      if (n === 1) return this.leaf(start);
      const k = split(n);
      let mid = from;
      while (mid < to && wanted[mid] < start + k) mid++;
      const left = walk(start, start + k, from, mid);
      const right = walk(start + k, end, mid, to);
      add(right, from, mid);
      add(left, mid, to);
      return nodeHash(left, right);
    };
    if (wanted.length > 0) walk(0, size, 0, wanted.length);
    return {
      indices: wanted,
      proof(index: number): Buffer[] {
        let lo = 0;
        let hi = wanted.length - 1;
        while (lo <= hi) {
          const mid = (lo + hi) >>> 1;
          if (wanted[mid] === index) {
            const path: Buffer[] = [];
            for (let j = 0; j < lengths[mid]; j++) path.push(Buffer.from(nodes.leaf(paths[mid * depth + j])));
            return path;
          }
          if (wanted[mid] < index) lo = mid + 1;
          else hi = mid - 1;
        }
        throw new RangeError(`leaf index ${index} was not asked for`);
      },
    };
  }

  /** RFC 9162 §2.1.4.1: PROOF(m, D[0:n]). Empty when m = n or m = 0. */
  consistencyProof(m: number, n: number): Buffer[] {
    this.assertSize(n);
    if (!Number.isSafeInteger(m) || m < 0 || m > n) throw new RangeError(`a tree of ${m} leaves is not a prefix of a tree of ${n}`);
    if (m === 0 || m === n) return [];
    const subproof = (mm: number, start: number, end: number, complete: boolean): Buffer[] => {
      const size = end - start;
      if (mm === size) return complete ? [] : [this.subtree(start, end)];
      const k = split(size);
      return mm <= k
        ? [...subproof(mm, start, start + k, complete), this.subtree(start + k, end)]
        : [...subproof(mm - k, start + k, end, false), this.subtree(start, start + k)];
    };
    return subproof(m, 0, n, true);
  }

  private assertSize(size: number): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.count) throw new RangeError(`the log has ${this.count} leaves, not ${size}`);
  }
}

/** RFC 9162 §2.1.3.2: does `proof` show `leaf` at `index` in the tree of `size` with `root`? */
export function verifyInclusion(leaf: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(Buffer.from(root));
}

/** RFC 9162 §2.1.4.2: does `proof` show that the tree (size1, root1) is a prefix of (size2, root2)? */
export function verifyConsistency(size1: number, size2: number, root1: Uint8Array, root2: Uint8Array, proof: readonly Uint8Array[]): boolean {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 0 || size2 < size1) return false;
  const r1 = Buffer.from(root1);
  const r2 = Buffer.from(root2);
  if (size1 === size2) return proof.length === 0 && r1.equals(r2);
  if (size1 === 0) return proof.length === 0; // the empty tree is a prefix of every tree
  // If size1 is an exact power of two, the first tree's root is the proof's implicit first element.
  const given = proof.map((p) => Buffer.from(p));
  if (given.length === 0) return false;
  const path = isPowerOfTwo(size1) ? [r1, ...given] : given;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr: Buffer = path[0];
  let sr: Buffer = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(r1) && sr.equals(r2);
}

function isPowerOfTwo(n: number): boolean {
  let s = n;
  while (s > 1 && s % 2 === 0) s /= 2;
  return s === 1;
}
