/**
 * No loop of folders (docs/decisions.md W45; README "Layout"): dependency-cruiser's no-circular
 * rule (npm run lint:layout) sees loops between files; this collapses every file into its folder
 * (`src/<folder>`, `events`, `projections`) and fails on any loop between folders. Two groupings,
 * both from the Layout table: the ports that src/store implements (the read models' store, the
 * access log's store and chain, the processors' store) count with src/store, whose contract they
 * are; and the shell that wires everything (src/app.module.ts, src/api.module.ts, src/http,
 * src/cli) is one node.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const PORTS = /^src\/(read-models\/read-model-store\.port|access-log\/access-log-(store|chain)|processors\/processor-store\.port|auth\/session-store\.port)\.ts$/;
const SHELL = /^src\/(app\.module\.ts|api\.module\.ts|http\/|cli\/)/;

function folderOf(path: string): string | undefined {
  if (PORTS.test(path)) return 'src/store';
  if (SHELL.test(path)) return 'the shell';
  const match = /^(events|projections)\/|^(src\/[^/]+\/)|^(src\/[^/]+\.tsx?)$/.exec(path);
  if (!match) return undefined;
  return (match[1] ?? match[2] ?? match[3]).replace(/\/$/, '');
}

interface Cruised {
  modules: { source: string; dependencies: { resolved: string; dependencyTypes: string[] }[] }[];
}

function folderGraph(): Map<string, Set<string>> {
  const out = execFileSync(join(ROOT, 'node_modules', '.bin', 'depcruise'), ['events', 'projections', 'src', '--config', '.dependency-cruiser.cjs', '--preserve-symlinks', '--output-type', 'json'], {
    cwd: ROOT,
    maxBuffer: 256 * 1024 * 1024,
    encoding: 'utf8',
  });
  const cruised = JSON.parse(out) as Cruised;
  const graph = new Map<string, Set<string>>();
  for (const module of cruised.modules) {
    const from = folderOf(module.source);
    if (!from) continue;
    for (const dependency of module.dependencies) {
      if (dependency.dependencyTypes.every((t) => t === 'type-only')) continue;
      const to = folderOf(dependency.resolved);
      if (!to || to === from) continue;
      if (!graph.has(from)) graph.set(from, new Set());
      graph.get(from)!.add(to);
    }
  }
  return graph;
}

/** Every loop found by a depth-first search, each as the folders on it. */
function loops(graph: Map<string, Set<string>>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return found;
}

describe('the folders import each other without a loop (README "Layout")', () => {
  it('finds a loop when there is one', () => {
    const graph = new Map([['a', new Set(['b'])], ['b', new Set(['c'])], ['c', new Set(['a'])]]);
    expect(loops(graph)).toEqual([['a', 'b', 'c', 'a']]);
  });

  it('has no loop between the folders of events/, projections/ and src/', () => {
    const graph = folderGraph();
    expect(graph.get('src/console')?.size).toBeGreaterThan(3);
    expect(loops(graph).map((loop) => loop.join(' -> '))).toEqual([]);
  }, 60_000);
});
