// The planted profile of the explore-* tests, and a compact text form of a call tree.
import type { CallTree } from '../../src/model/calltree';
import { buildProfile } from './model-build';

const RT = 'file:///pkg/node_modules/parallel-profiler/dist/runtime';

// Every sample weighs 10 µs. Planted stacks (name: samples):
//   main 1 › runItems (runtime) 1 › row 2 › fib 1 › fib 1 › fib 1
//   main › helper › emit (node:internal) 1 › listener (node:internal) 1 › cb 2
//   main › lodash index 1 › lodash x 2
//   main › flush (runtime) 1 › writeSync (node:fs) 1
//   messageport (node:internal) › operation (runtime) › task 2
//   (idle) 1, (garbage collector) 1
export function plantedProfile() {
  const nodes: [number, string, string, number, number[]][] = [
    [1, '(root)', '', -1, [2, 14, 15, 18]],
    [2, 'main', 'file:///app/a.js', 0, [3, 8, 12, 16]],
    [3, 'runItems', `${RT}/worker.js`, 239, [4]],
    [4, 'row', 'file:///app/a.js', 10, [5]],
    [5, 'fib', 'file:///app/a.js', 20, [6]],
    [6, 'fib', 'file:///app/a.js', 20, [7]],
    [7, 'fib', 'file:///app/a.js', 20, []],
    [8, 'helper', 'file:///app/a.js', 30, [9]],
    [9, 'emit', 'node:internal/event_target', 5, [10]],
    [10, 'listener', 'node:internal/event_target', 9, [11]],
    [11, 'cb', 'file:///app/a.js', 40, []],
    [12, 'lodash', 'file:///app/node_modules/lodash/index.js', 0, [13]],
    [13, 'x', 'file:///app/node_modules/lodash/x.js', 0, []],
    [14, '(idle)', '', -1, []],
    [15, '(garbage collector)', '', -1, []],
    [16, 'flush', `${RT}/preload.js`, 280, [17]],
    [17, 'writeSync', 'node:fs', 897, []],
    [18, '(anonymous)', 'node:internal/per_context/messageport', 18, [19]],
    [19, 'operation', `${RT}/worker.js`, 508, [20]],
    [20, 'task', 'file:///app/a.js', 50, []],
  ];
  const ids = [4, 4, 5, 6, 7, 3, 2, 9, 10, 11, 11, 12, 13, 13, 14, 15, 16, 17, 20, 20];
  return buildProfile(nodes, ids.map((id) => [id, 10]), 10 * ids.length + 10);
}

/** name self/total, children in brackets, heaviest first (ties by name). */
export function shape(tree: CallTree, nodes = tree.roots): string {
  return [...nodes].sort((a, b) => tree.total[b] - tree.total[a] || (tree.functions[tree.func[a]].name < tree.functions[tree.func[b]].name ? -1 : 1)).map((i) => {
    const kids = tree.children[i];
    return `${tree.functions[tree.func[i]].name} ${tree.self[i]}/${tree.total[i]}${kids ? ` [${shape(tree, kids)}]` : ''}`;
  }).join(', ');
}

