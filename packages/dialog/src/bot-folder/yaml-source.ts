/**
 * A YAML file read with its line numbers kept, so that every problem found
 * later (by the schema or by the cross-reference checks) can point at the
 * line a bot author has to fix, not at a JSON path they never wrote.
 */
import { isMap, isNode, isPair, isScalar, LineCounter, type Node, parseDocument } from 'yaml';

export type PathSegment = string | number;

export interface Problem {
  file: string;
  line: number;
  column: number;
  message: string;
}

export class YamlSource {
  private constructor(
    readonly file: string,
    readonly data: unknown,
    private readonly root: Node | null,
    private readonly lines: LineCounter,
  ) {}

  /** Parses the text; syntax errors come back as problems with their line. */
  static parse(file: string, text: string): { source?: YamlSource; problems: Problem[] } {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) {
      return {
        problems: doc.errors.map((error) => {
          // linePos is only filled in with prettyErrors; the offset always is.
          const at = lines.linePos(errorOffset(text, error.code, error.message, error.pos[0]));
          return { file, line: at.line, column: at.col, message: firstLine(error.message) };
        }),
      };
    }
    const root = isNode(doc.contents) ? doc.contents : null;
    return { source: new YamlSource(file, doc.toJS(), root, lines), problems: [] };
  }

  /**
   * Where the value at `path` starts; with `key`, where that key of the map at
   * `path` is written. A path that goes further than the file does points at
   * the deepest part that exists (a missing field is reported on its parent).
   */
  locate(path: readonly PathSegment[], key?: string): { line: number; column: number } {
    let node: Node | null = this.root;
    let offset = node?.range?.[0] ?? 0;
    for (const segment of key === undefined ? path : [...path, key]) {
      const isKey = key !== undefined && segment === key && node !== null && isMap(node);
      const next = child(node, segment, isKey);
      if (!next) break;
      node = next;
      offset = next.range?.[0] ?? offset;
    }
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  problem(path: readonly PathSegment[], message: string, key?: string): Problem {
    return { file: this.file, ...this.locate(path, key), message };
  }
}

function child(node: Node | null, segment: PathSegment, wantKey: boolean): Node | null {
  if (!node || !('items' in node) || !Array.isArray(node.items)) return null;
  if (typeof segment === 'number') {
    const item: unknown = node.items[segment];
    if (isPair(item)) return isNode(item.value) ? item.value : null;
    return isNode(item) ? item : null;
  }
  for (const item of node.items as unknown[]) {
    if (!isPair(item)) continue;
    const keyValue = isScalar(item.key) ? item.key.value : item.key;
    if (String(keyValue) !== segment) continue;
    if (wantKey) return isNode(item.key) ? item.key : null;
    return isNode(item.value) ? item.value : isNode(item.key) ? item.key : null;
  }
  return null;
}

/**
 * An unclosed quote is reported where the file or the node ends; the author
 * needs the line where the quote was opened, which is the last such quote
 * before that point (any quote in between would have closed it).
 */
function errorOffset(text: string, code: string, message: string, offset: number): number {
  if (code !== 'MISSING_CHAR' || !/quote/.test(message)) return offset;
  const quote = message.includes('"') ? '"' : "'";
  const opening = text.lastIndexOf(quote, offset - 1);
  return opening >= 0 ? opening : offset;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** "flows/order.yaml:12:7: unknown node ..." one per line, the way compilers print. */
export function formatProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`).join('\n');
}

/** Thrown when a bot folder cannot be loaded; carries every problem found, not only the first. */
export class BotFolderError extends Error {
  constructor(readonly problems: readonly Problem[]) {
    super(
      `the bot folder has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${formatProblems(problems)}`,
    );
    this.name = 'BotFolderError';
  }
}
