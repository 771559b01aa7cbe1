// Finds pool creations, pool operations and workload declarations in source text, for CodeLens
// and the Testing API. Plain text in, positions out: no vscode, so unit tests run in Node.
// A lexical scan, not a parser: comments and strings are blanked first so `// pool.map(` does
// not count, which is what matters for placing a lens.

/** A place in a file; line and column are 0-based (VS Code's convention). */
export interface SourcePosition {
  line: number;
  column: number;
}

export interface PoolCall extends SourcePosition {
  kind: 'create' | 'map' | 'forEach' | 'reduce' | 'join';
}

export interface WorkloadDecl extends SourcePosition {
  name: string;
}

/** Replaces comments and string/template contents by spaces, keeping offsets and newlines. */
export function blankCommentsAndStrings(text: string): string {
  const out = text.split('');
  let i = 0;
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === '"' || c === "'" || c === '`') {
      let k = i + 1;
      while (k < text.length && text[k] !== c) {
        if (text[k] === '\\') k++;
        else if (text[k] === '\n' && c !== '`') break;
        k++;
      }
      blank(i + 1, Math.min(k, text.length));
      i = k + 1;
    } else {
      i++;
    }
  }
  return out.join('');
}

function positionAt(text: string, offset: number): SourcePosition {
  let line = 0;
  let lineStart = 0;
  for (let k = text.indexOf('\n'); k >= 0 && k < offset; k = text.indexOf('\n', k + 1)) {
    line++;
    lineStart = k + 1;
  }
  return { line, column: offset - lineStart };
}

/**
 * Pool creations (`new ThreadPool(`) and operations on a receiver that is known to be a pool
 * (a variable assigned from `new ThreadPool(`) or whose name says so (`pool`, `workerPool`).
 * `.forEach(` on an ordinary array is not a pool operation, hence the receiver check.
 */
export function findPoolCalls(text: string): PoolCall[] {
  const code = blankCommentsAndStrings(text);
  const calls: PoolCall[] = [];
  const poolNames = new Set<string>();
  for (const m of code.matchAll(/\b(?:const|let|var)?\s*([A-Za-z_$][\w$]*)\s*=\s*(?:await\s+)?new\s+ThreadPool\s*\(/g)) {
    poolNames.add(m[1]);
  }
  for (const m of code.matchAll(/\bnew\s+ThreadPool\s*\(/g)) {
    calls.push({ kind: 'create', ...positionAt(text, m.index ?? 0) });
  }
  for (const m of code.matchAll(/([A-Za-z_$][\w$]*)\s*\.\s*(map|forEach|reduce|join)\s*\(/g)) {
    const receiver = m[1];
    if (poolNames.has(receiver) || /pool$/i.test(receiver)) {
      calls.push({ kind: m[2] as PoolCall['kind'], ...positionAt(text, m.index ?? 0) });
    }
  }
  return calls.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** `workload('name', ...)` declarations (any quote style); the name must be a literal. */
export function findWorkloads(text: string): WorkloadDecl[] {
  const code = blankCommentsAndStrings(text);
  const found: WorkloadDecl[] = [];
  // Match on the blanked text (so comments don't count), read the literal from the original.
  for (const m of code.matchAll(/\bworkload\s*\(\s*(['"`])/g)) {
    const quoteAt = (m.index ?? 0) + m[0].length - 1;
    const quote = text[quoteAt];
    const end = text.indexOf(quote, quoteAt + 1);
    if (end < 0) continue;
    const name = text.slice(quoteAt + 1, end);
    if (name.length === 0 || name.includes('\n') || name.includes('${')) continue;
    found.push({ name, ...positionAt(text, m.index ?? 0) });
  }
  return found;
}

/** Cheap pre-check so large files without any pool use are not scanned. */
export function mentionsPool(text: string): boolean {
  return text.includes('ThreadPool') || text.includes('parallel-profiler') || text.includes('workload(');
}
