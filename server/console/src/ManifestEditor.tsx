import { forwardRef, useImperativeHandle, useMemo, useRef, useState, type CSSProperties } from 'react';
import type { LocatedIssue } from './manifest-check';

const LINE_HEIGHT = 20;
const PADDING = 8;
const font: CSSProperties = {
  fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
  fontSize: 13,
  lineHeight: `${LINE_HEIGHT}px`,
  tabSize: 2,
};

export interface ManifestEditorHandle {
  /** Selects a line and scrolls it into view. */
  jumpTo(line: number): void;
}

/**
 * A JSON text area with line numbers; lines with an issue are painted red
 * in the gutter and behind the text. No code editor dependency: the console
 * stays small, and the textarea behaves as every browser's does.
 */
export const ManifestEditor = forwardRef<ManifestEditorHandle, { value: string; onChange: (value: string) => void; issues: LocatedIssue[]; height?: number }>(
  function ManifestEditor({ value, onChange, issues, height = 520 }, ref) {
    const area = useRef<HTMLTextAreaElement>(null);
    const [scroll, setScroll] = useState({ top: 0, left: 0 });
    const lines = useMemo(() => value.split('\n'), [value]);
    const errorLines = useMemo(() => {
      const byLine = new Map<number, string[]>();
      for (const issue of issues) byLine.set(issue.line, [...(byLine.get(issue.line) ?? []), `${issue.path}: ${issue.message}`]);
      return byLine;
    }, [issues]);
    const [current, setCurrent] = useState<number | null>(null);

    useImperativeHandle(ref, () => ({
      jumpTo(line: number) {
        const el = area.current;
        if (!el) return;
        let start = 0;
        for (let i = 1; i < line; i++) start = value.indexOf('\n', start) + 1;
        const end = value.indexOf('\n', start);
        el.focus();
        el.setSelectionRange(start, end === -1 ? value.length : end);
        el.scrollTop = Math.max(0, (line - 1) * LINE_HEIGHT - height / 3);
        setCurrent(line);
      },
    }));

    return (
      <div className="manifest-editor" style={{ display: 'flex', border: '1px solid #d9d9d9', borderRadius: 6, height, overflow: 'hidden', background: '#fff' }}>
        <div aria-hidden style={{ ...font, width: 48, flex: 'none', overflow: 'hidden', background: '#fafafa', borderRight: '1px solid #f0f0f0', color: '#999', textAlign: 'right' }}>
          <div style={{ transform: `translateY(${PADDING - scroll.top}px)` }}>
            {lines.map((_, i) => {
              const n = i + 1;
              const problems = errorLines.get(n);
              return (
                <div
                  key={n}
                  data-line={n}
                  className={problems ? 'manifest-editor__line manifest-editor__line--error' : 'manifest-editor__line'}
                  title={problems?.join('\n')}
                  style={{ height: LINE_HEIGHT, paddingRight: 8, color: problems ? '#fff' : undefined, background: problems ? '#ff4d4f' : undefined, fontWeight: problems ? 600 : undefined }}
                >
                  {n}
                </div>
              );
            })}
          </div>
        </div>
        <div style={{ position: 'relative', flex: 1, overflow: 'hidden' }}>
          <div aria-hidden style={{ position: 'absolute', inset: 0, pointerEvents: 'none', overflow: 'hidden' }}>
            <div style={{ transform: `translateY(${PADDING - scroll.top}px)` }}>
              {lines.map((_, i) => (
                <div key={i} style={{ height: LINE_HEIGHT, background: errorLines.has(i + 1) ? (current === i + 1 ? '#ffccc7' : '#fff1f0') : undefined }} />
              ))}
            </div>
          </div>
          <textarea
            ref={area}
            id="manifest-text"
            aria-label="适配器清单（JSON）"
            spellCheck={false}
            wrap="off"
            value={value}
            onChange={(e) => onChange(e.target.value)}
            onScroll={(e) => setScroll({ top: e.currentTarget.scrollTop, left: e.currentTarget.scrollLeft })}
            placeholder="在此粘贴适配器清单（JSON），或从文件载入"
            style={{
              ...font,
              position: 'absolute',
              inset: 0,
              width: '100%',
              height: '100%',
              padding: PADDING,
              border: 'none',
              outline: 'none',
              resize: 'none',
              background: 'transparent',
              whiteSpace: 'pre',
              overflow: 'auto',
              color: '#1f1f1f',
            }}
          />
        </div>
      </div>
    );
  },
);
