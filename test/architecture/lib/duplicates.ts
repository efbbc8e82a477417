import ts from 'typescript'
import { parse } from './functions.js'
import { workspaceOf } from './source-files.js'

/** The smallest repeated block reported: six lines, each carrying more than punctuation. */
export const MIN_LINES = 6
/** ... and at least this many tokens in all (jscpd's default minimum), so six bare `}` or `x,` lines are no block. */
export const MIN_TOKENS = 50

/** One line of a file as the check sees it: its shape, and where it stands. */
interface ShapedLine { shape: string, line: number, tokens: number }

/** A block found in two files of two workspaces: the line ranges on each side. */
export interface DuplicateBlock { a: string, b: string, aLines: [number, number], bLines: [number, number] }

const WORD = /^[A-Za-z_$#][\w$]*$/

/**
 * A name that says what is used rather than what the author called it: a member (`Type.Integer`,
 * `client.query`), a property or field (`{ groupId: ... }`, `{ pool }`, `readonly name`). Kept as
 * written, so `id: Type.Integer()` and `amountCents: Type.String()` stay apart, while a block that
 * only renames its variables, parameters and functions is caught.
 */
function isMemberName (node: ts.Node): boolean {
  const parent = node.parent
  return (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
    (ts.isQualifiedName(parent) && parent.right === node) ||
    ((ts.isPropertyAssignment(parent) || ts.isPropertySignature(parent) || ts.isPropertyDeclaration(parent) || ts.isMethodDeclaration(parent) || ts.isMethodSignature(parent)) && parent.name === node) ||
    ts.isShorthandPropertyAssignment(parent)
}

/**
 * A token as the comparison sees it: local names (variables, parameters, functions, types) → `i`,
 * strings and templates → `s`, numbers → `n`; member names, keywords and punctuation as they are. So
 * two blocks of the same shape with other names, strings and numbers compare equal, as jscpd's tokens
 * do not.
 */
function tokenShape (node: ts.Node, source: ts.SourceFile): string {
  switch (node.kind) {
    case ts.SyntaxKind.Identifier:
    case ts.SyntaxKind.PrivateIdentifier:
      return isMemberName(node) ? node.getText(source) : 'i'
    case ts.SyntaxKind.StringLiteral:
    case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
    case ts.SyntaxKind.TemplateHead:
    case ts.SyntaxKind.TemplateMiddle:
    case ts.SyntaxKind.TemplateTail:
    case ts.SyntaxKind.RegularExpressionLiteral:
      return 's'
    case ts.SyntaxKind.NumericLiteral:
    case ts.SyntaxKind.BigIntLiteral:
      return 'n'
    default:
      return node.getText(source)
  }
}

/**
 * The lines of a file that carry code, each reduced to its token shapes; import and re-export lines,
 * comments, blank lines and lines of punctuation alone (`}`, `})`, `],`) are passed over.
 */
export function shapedLines (path: string): ShapedLine[] {
  const source = parse(path)
  const byLine = new Map<number, { parts: string[], words: number }>()
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined) || ts.isJSDoc(node)) return
    const children = node.getChildren(source)
    if (children.length > 0 || ts.isSourceFile(node)) {
      for (const child of children) visit(child)
      return
    }
    if (node.kind === ts.SyntaxKind.EndOfFileToken) return
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1
    const shape = tokenShape(node, source)
    const entry = byLine.get(line) ?? { parts: [], words: 0 }
    entry.parts.push(shape)
    if (WORD.test(shape) || shape === 's' || shape === 'n') entry.words++
    byLine.set(line, entry)
  }
  visit(source)
  return [...byLine.entries()]
    .filter(([, { words }]) => words > 0)
    .sort(([a], [b]) => a - b)
    .map(([line, { parts }]) => ({ shape: parts.join(' '), line, tokens: parts.length }))
}

/**
 * Blocks of at least MIN_LINES code lines (and MIN_TOKENS tokens) whose shapes repeat in two files of
 * two different workspaces, each extended to its longest run. Within one workspace a repeat is not
 * this check's business (the rule is about code repeated across services).
 */
export function crossWorkspaceDuplicates (files: string[]): DuplicateBlock[] {
  const lines = new Map(files.map((file) => [file, shapedLines(file)]))
  // Every window of MIN_LINES consecutive code lines, by its shape.
  const windows = new Map<string, Array<{ file: string, at: number }>>()
  for (const [file, shaped] of lines) {
    for (let at = 0; at + MIN_LINES <= shaped.length; at++) {
      const slice = shaped.slice(at, at + MIN_LINES)
      if (slice.reduce((sum, l) => sum + l.tokens, 0) < MIN_TOKENS) continue
      const key = slice.map((l) => l.shape).join('\n')
      const list = windows.get(key) ?? []
      list.push({ file, at })
      windows.set(key, list)
    }
  }
  // Matching window starts per pair of files in different workspaces: (i in a, j in b).
  const starts = new Map<string, Set<string>>()
  for (const places of windows.values()) {
    if (places.length < 2) continue
    for (const [n, p] of places.entries()) {
      for (const q of places.slice(n + 1)) {
        if (workspaceOf(p.file) === workspaceOf(q.file)) continue
        const [x, y] = p.file < q.file ? [p, q] : [q, p]
        const pair = `${x.file}\n${y.file}`
        const set = starts.get(pair) ?? new Set()
        set.add(`${x.at},${y.at}`)
        starts.set(pair, set)
      }
    }
  }
  // Consecutive window starts on one diagonal are one block.
  const blocks: DuplicateBlock[] = []
  for (const [pair, set] of starts) {
    const [a, b] = pair.split('\n') as [string, string]
    const la = lines.get(a) as ShapedLine[]
    const lb = lines.get(b) as ShapedLine[]
    for (const key of set) {
      const [i, j] = key.split(',').map(Number) as [number, number]
      if (set.has(`${i - 1},${j - 1}`)) continue // not the start of its run
      let length = MIN_LINES
      while (set.has(`${i + length - MIN_LINES + 1},${j + length - MIN_LINES + 1}`)) length++
      const span = (l: ShapedLine[], from: number): [number, number] => [(l[from] as ShapedLine).line, (l[from + length - 1] as ShapedLine).line]
      blocks.push({ a, b, aLines: span(la, i), bLines: span(lb, j) })
    }
  }
  return blocks.sort((x, y) => x.a.localeCompare(y.a) || x.b.localeCompare(y.b) || x.aLines[0] - y.aLines[0])
}

/** Per pair of files (`a ~ b`), how many lines of `a` stand in blocks repeated in `b`. */
export function duplicatedLinesByPair (blocks: DuplicateBlock[]): Record<string, number> {
  const covered = new Map<string, Set<number>>()
  for (const { a, b, aLines: [from, to] } of blocks) {
    const key = `${a} ~ ${b}`
    const set = covered.get(key) ?? new Set()
    for (let line = from; line <= to; line++) set.add(line)
    covered.set(key, set)
  }
  return Object.fromEntries([...covered].map(([key, set]) => [key, set.size]))
}
