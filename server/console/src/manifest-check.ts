import { parseManifest, type FieldIssue } from '@cityhub/shared';
import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';

/** One problem of the manifest being edited, with the line it is at (1-based). */
export interface LocatedIssue extends FieldIssue {
  line: number;
  /** Where it was found: in this browser (the shared schema) or by the hub (a 422). */
  source: 'schema' | 'json' | 'server';
}

export interface ManifestCheck {
  /** The parsed JSON when the text is JSON at all. */
  value?: unknown;
  issues: LocatedIssue[];
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * The node a dotted issue path names ("operations.queryBills.response.map",
 * "accountFields.0.pattern"), or the nearest ancestor that exists: a missing
 * key is shown at the object that lacks it. A found property is shown at its key.
 */
function nodeAt(root: Node, segments: string[]): Node {
  let node = root;
  for (const segment of segments) {
    let next: Node | undefined;
    if (node.type === 'object') {
      const property = node.children?.find((p) => p.children?.[0]?.value === segment);
      next = property?.children?.[1] ? property.children[1] : undefined;
    } else if (node.type === 'array' && /^\d+$/.test(segment)) {
      next = node.children?.[Number(segment)];
    }
    if (!next) return node;
    node = next;
  }
  return node.parent?.type === 'property' ? node.parent : node;
}

/** Places issues named by dotted paths (the hub's 422 `details.issues`, or ours) on lines of the text. */
export function locateIssues(text: string, issues: FieldIssue[], source: LocatedIssue['source']): LocatedIssue[] {
  const root = parseTree(text);
  return issues.map((issue) => {
    const segments = issue.path === '(manifest)' || issue.path === '' ? [] : issue.path.split('.');
    const node = root ? nodeAt(root, segments) : undefined;
    return { ...issue, source, line: node ? lineAt(text, node.offset) : 1 };
  });
}

const JSON_ERRORS: Record<string, string> = {
  InvalidSymbol: '无效的符号',
  InvalidNumberFormat: '数字格式错误',
  PropertyNameExpected: '此处应为属性名',
  ValueExpected: '此处应为值',
  ColonExpected: '此处应为冒号',
  CommaExpected: '此处应为逗号',
  CloseBraceExpected: '此处应为 }',
  CloseBracketExpected: '此处应为 ]',
  EndOfFileExpected: '此处应结束',
  InvalidCommentToken: 'JSON 不允许注释',
  UnexpectedEndOfComment: 'JSON 不允许注释',
  UnexpectedEndOfString: '字符串未结束',
  UnexpectedEndOfNumber: '数字未结束',
  InvalidUnicode: '无效的 Unicode 转义',
  InvalidEscapeCharacter: '无效的转义字符',
  InvalidCharacter: '无效的字符',
};

/**
 * Checks manifest text the way the hub will: strict JSON first, then the
 * same zod schema from @cityhub/shared (parseManifest), with unknown keys
 * named one by one at their own path, as the hub's 422 names them.
 * (JSONata expressions are compiled by the hub on submit.)
 */
export function checkManifest(text: string): ManifestCheck {
  if (!text.trim()) return { issues: [] };
  const errors: ParseError[] = [];
  parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  if (errors.length) {
    return {
      issues: errors.map((e) => {
        const name = printParseErrorCode(e.error);
        return { path: '(JSON)', message: `JSON 语法错误：${JSON_ERRORS[name] ?? name}`, line: lineAt(text, e.offset), source: 'json' as const };
      }),
    };
  }
  const value: unknown = JSON.parse(text);
  const parsed = parseManifest(value);
  if (parsed.success) return { value, issues: [] };
  const issues = parsed.error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => ({ path: [...i.path.map(String), key].join('.'), message: `unknown key "${key}": the manifest schema has no such field` }))
      : [{ path: i.path.map(String).join('.') || '(manifest)', message: i.message }],
  );
  return { value, issues: locateIssues(text, issues, 'schema') };
}
