// The strategy editor (CodeMirror 6, JavaScript mode). A failed run marks its line with a lint diagnostic
// (gutter marker, underline, message on hover) and scrolls to it; editing clears the mark.
// The setup is assembled from the CodeMirror 6 packages installed (view, state, language, autocomplete, lint):
// the `codemirror` package pinned in package.json is 6.65.7, the CodeMirror 5 line, so its `basicSetup` does not
// exist, and @codemirror/commands (history, the standard keymap) is not installed; Tab and Enter are bound here.
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
import { javascript } from '@codemirror/lang-javascript';
import { bracketMatching, defaultHighlightStyle, getIndentation, indentOnInput, indentUnit, syntaxHighlighting } from '@codemirror/language';
import { lintGutter, setDiagnostics } from '@codemirror/lint';
import { EditorSelection, EditorState } from '@codemirror/state';
import {
  EditorView,
  drawSelection,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
} from '@codemirror/view';

/** Enter: a new line indented as the language says (the indentation of the line otherwise). */
function newlineAndIndent(view: EditorView): boolean {
  const { state } = view;
  view.dispatch(
    state.changeByRange((range) => {
      const line = state.doc.lineAt(range.from);
      const indent = getIndentation(state, range.from) ?? /^\s*/.exec(line.text)?.[0].length ?? 0;
      const insert = `\n${' '.repeat(Math.max(0, indent))}`;
      return { changes: { from: range.from, to: range.to, insert }, range: EditorSelection.cursor(range.from + insert.length) };
    }),
    { scrollIntoView: true, userEvent: 'input' },
  );
  return true;
}

/** Tab: one indent unit at the cursor. */
function insertIndent(view: EditorView): boolean {
  view.dispatch(view.state.replaceSelection(view.state.facet(indentUnit)), { scrollIntoView: true, userEvent: 'input' });
  return true;
}

/** The strategy source editor. */
export class StrategyEditor {
  private readonly view: EditorView;

  constructor(parent: HTMLElement, initial: string) {
    this.view = new EditorView({
      doc: initial,
      parent,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightSpecialChars(),
        drawSelection(),
        EditorState.allowMultipleSelections.of(true),
        indentOnInput(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        bracketMatching(),
        closeBrackets(),
        autocompletion(),
        highlightActiveLine(),
        keymap.of([...closeBracketsKeymap, ...completionKeymap, { key: 'Enter', run: newlineAndIndent }, { key: 'Tab', run: insertIndent }]),
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
