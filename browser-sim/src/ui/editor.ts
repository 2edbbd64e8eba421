// The strategy editor (CodeMirror 6, JavaScript mode). A failed run marks its line with a lint diagnostic
// (gutter marker, underline, message on hover) and scrolls to it; editing clears the mark.
// `basicSetup` brings the standard keymap (Enter indents), undo/redo history, search, folding, bracket closing
// and autocompletion; it leaves Tab to focus navigation, so `indentWithTab` binds it (Escape then Tab still
// leaves the editor, as CodeMirror documents).
import { indentWithTab } from '@codemirror/commands';
import { javascript } from '@codemirror/lang-javascript';
import { lintGutter, setDiagnostics } from '@codemirror/lint';
import { keymap } from '@codemirror/view';
import { EditorView, basicSetup } from 'codemirror';

/** The strategy source editor. */
export class StrategyEditor {
  private readonly view: EditorView;

  constructor(parent: HTMLElement, initial: string) {
    this.view = new EditorView({
      doc: initial,
      parent,
      extensions: [
        basicSetup,
        keymap.of([indentWithTab]),
        javascript(),
        lintGutter(),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) u.view.dispatch(setDiagnostics(u.state, []));
        }),
      ],
    });
  }

  /** The current source. */
  get text(): string {
    return this.view.state.doc.toString();
  }

  /** Replaces the whole source. */
  set text(source: string) {
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: source } });
  }

  /** Marks an error on a 1-based line (and column, when known) and scrolls it into view. */
  markError(line: number, column: number | undefined, message: string): void {
    const doc = this.view.state.doc;
    const l = doc.line(Math.min(Math.max(1, line), doc.lines));
    const from = column !== undefined && column >= 1 ? Math.min(l.from + column - 1, l.to) : l.from;
    const to = from < l.to ? l.to : Math.min(from + 1, doc.length);
    this.view.dispatch(setDiagnostics(this.view.state, [{ from, to, severity: 'error', message }]), {
      effects: EditorView.scrollIntoView(from, { y: 'center' }),
    });
  }

  /** Removes any error mark. */
  clearError(): void {
    this.view.dispatch(setDiagnostics(this.view.state, []));
  }
}
