import ts from 'typescript'
import { readSource } from './source-files.js'

/** A function-like node of a file: its name as a reader would say it, and its extent in lines. */
export interface FunctionExtent {
  /** `placeOrder`, `OutboxRelay.#publishBatch`, `orderRoutes > app.post('/orders') callback`, ... */
  name: string
  startLine: number
  endLine: number
  lines: number
  node: ts.FunctionLikeDeclaration
}

export function parse (path: string, text = readSource(path)): ts.SourceFile {
  return ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
}

function nameText (name: ts.PropertyName | ts.BindingName | undefined, source: ts.SourceFile): string | undefined {
  if (name === undefined) return undefined
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text
  return name.getText(source)
}

/** A call's callee and its first string argument: `describe('orders')`, `app.post('/orders')`. */
function callLabel (call: ts.CallExpression, source: ts.SourceFile): string {
  const callee = call.expression.getText(source).replace(/\s+/g, '')
  const first = call.arguments[0]
  const label = first !== undefined && ts.isStringLiteralLike(first) ? `'${first.text.slice(0, 60)}'` : ''
  return `${callee.length > 40 ? `${callee.slice(0, 40)}…` : callee}(${label})`
}

/** The name of a function-like node, from itself or from where it stands (variable, property, call argument). */
function ownName (node: ts.FunctionLikeDeclaration, source: ts.SourceFile): string {
  const declared = nameText(node.name, source)
  if (ts.isConstructorDeclaration(node)) return 'constructor'
  if (ts.isGetAccessorDeclaration(node)) return `get ${declared ?? ''}`
  if (ts.isSetAccessorDeclaration(node)) return `set ${declared ?? ''}`
  if (declared !== undefined && !ts.isFunctionExpression(node)) return declared
  const parent = node.parent
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return nameText(parent.name, source) ?? '<anonymous>'
  if (ts.isCallExpression(parent)) {
    // `export const feedPlugin = fp(async (app) => ...)`: the function is what the variable names.
    if (ts.isVariableDeclaration(parent.parent)) return nameText(parent.parent.name, source) ?? '<anonymous>'
    return `${callLabel(parent, source)} callback`
  }
  if (ts.isExportAssignment(parent)) return 'default'
  return declared ?? '<anonymous>'
}

const isFunctionLike = (node: ts.Node): node is ts.FunctionLikeDeclaration =>
  ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node) || ts.isMethodDeclaration(node) ||
  ts.isConstructorDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)

/**
 * Every function of a file with a body (declarations, expressions, arrows, methods, accessors,
 * constructors), named by the path of named functions and classes enclosing it, e.g.
 * `IdempotentConsumer.#onRun`, `createBalancer > pick`. A name used twice in a file gets `#2`, `#3`.
 * Lines run from the node's first line to its last, both included (leading comments excluded).
 */
export function functionsOf (path: string): FunctionExtent[] {
  const source = parse(path)
  const found: FunctionExtent[] = []
  const seen = new Map<string, number>()
  const visit = (node: ts.Node, scope: string): void => {
    let inner = scope
    if (ts.isClassLike(node)) {
      const own = node.name?.text ?? '<class>'
      inner = scope === '' ? own : `${scope} > ${own}`
    } else if (isFunctionLike(node) && node.body !== undefined) {
      const own = ownName(node, source)
      const joiner = ts.isClassLike(node.parent) ? '.' : ' > '
      let name = scope === '' ? own : `${scope}${joiner}${own}`
      const count = (seen.get(name) ?? 0) + 1
      seen.set(name, count)
      if (count > 1) name = `${name} #${count}`
      const startLine = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1
      const endLine = source.getLineAndCharacterOfPosition(node.getEnd()).line + 1
      found.push({ name, startLine, endLine, lines: endLine - startLine + 1, node })
      inner = name
    }
    ts.forEachChild(node, (child) => { visit(child, inner) })
  }
  visit(source, '')
  return found
}

/** A variable of the module itself (`const CLAIM_SQL = ...`, `export const orderRoutes = ...`), not a local. */
function isTopLevel (node: ts.VariableDeclaration): boolean {
  return ts.isVariableStatement(node.parent.parent) && ts.isSourceFile(node.parent.parent.parent)
}

/** `const replay = async () => ...` or `const x = function () ...`, at any depth. */
function holdsFunction (node: ts.VariableDeclaration): boolean {
  return node.initializer !== undefined && (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer))
}

/**
 * The names a file declares, as a reader would look them up: functions and named function expressions
 * (at any depth), classes, `Class.method` (and `Class.#private`, accessors, fields), the module's own
 * variables, function-valued variables at any depth (`const replay = async () => ...`), and
 * interfaces, types and enums.
 */
export function declaredNames (path: string, text?: string): Set<string> {
  const source = parse(path, text)
  const names = new Set<string>()
  const visit = (node: ts.Node, className: string | undefined): void => {
    let inClass = className
    if (ts.isClassLike(node)) {
      if (node.name !== undefined) names.add(node.name.text)
      inClass = node.name?.text
    } else if ((ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node)) && node.name !== undefined) {
      names.add(node.name.text)
    } else if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && (isTopLevel(node) || holdsFunction(node))) {
      names.add(node.name.text)
    } else if ((ts.isMethodDeclaration(node) || ts.isPropertyDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) && inClass !== undefined && ts.isClassLike(node.parent)) {
      const name = nameText(node.name, source)
      if (name !== undefined) names.add(`${inClass}.${name}`)
    } else if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) || ts.isEnumDeclaration(node)) {
      names.add(node.name.text)
    }
    ts.forEachChild(node, (child) => { visit(child, ts.isClassLike(node) ? inClass : className) })
  }
  visit(source, undefined)
  return names
}

/** The callback given to a test's `describe`, `describe.each(...)`, `describe.skip`, ... */
export function isDescribeBlock (node: ts.Node): boolean {
  const parent = node.parent
  if (!ts.isCallExpression(parent)) return false
  let callee: ts.Expression = parent.expression
  while (ts.isCallExpression(callee) || ts.isPropertyAccessExpression(callee)) callee = callee.expression
  return ts.isIdentifier(callee) && callee.text === 'describe'
}
