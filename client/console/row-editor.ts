/**
 * An editor of repeating rows of text inputs (an entry's images, its links): a collapsible
 * section with one fieldset per row, a button to add a row and one to remove each. It
 * edits the rows array it is given in place.
 */
import { append, h, replace } from './dom';

export interface RowInput<Row> {
  name: keyof Row & string;
  label: string;
  type?: 'text' | 'url';
  required?: boolean;
}

export interface RowsEditor<Row extends { [K in keyof Row]: string }> {
  rows: Row[];
  /** Prefix of the inputs' ids: `${idPrefix}-${index}-${name}`. */
  idPrefix: string;
  /** The section's title; the number of rows follows it. */
  title: string;
  /** A row's legend is the noun and its number ("Image 2"). */
  noun: string;
  rowClass: string;
  inputs: RowInput<Row>[];
  addLabel: string;
  removeLabel: string;
  empty: () => Row;
  /** Called after every change of the rows. */
  onInput: () => void;
  /** Receives a way for others (an image upload) to add a row; `add` answers the new row's index. */
  exposeAdd?: (add: (row: Row) => number) => void;
}

export function rowsEditor<Row extends { [K in keyof Row]: string }>(editor: RowsEditor<Row>): HTMLElement {
  const { rows, onInput } = editor;
  const list = h('div', { class: 'rows' });
  const summary = h('summary', {}, '');
  const changed = (): void => {
    onInput();
    draw();
  };
  const row = (item: Row, index: number): HTMLElement => {
    const input = ({ name, label, type = 'text', required = false }: RowInput<Row>): HTMLElement => {
      const id = `${editor.idPrefix}-${index}-${name}`;
      const element = h('input', { id, type, value: item[name], required, autocomplete: 'off' });
      element.addEventListener('input', () => {
        item[name] = element.value as Row[keyof Row & string];
        onInput();
      });
      return h('div', { class: 'field' }, h('label', { for: id }, label), element);
    };
    return h(
      'fieldset',
      { class: editor.rowClass },
      h('legend', {}, `${editor.noun} ${index + 1}`),
      ...editor.inputs.map(input),
      h(
        'button',
        {
          type: 'button',
          class: 'link danger',
          onclick: () => {
            rows.splice(index, 1);
            changed();
          },
        },
        editor.removeLabel,
      ),
    );
  };
  const draw = (): void => {
    replace(list, ...rows.map(row));
    summary.textContent = `${editor.title} (${rows.length})`;
  };
  draw();
  const section = h('details', { class: 'extras', open: rows.length > 0 });
  const add = (item: Row): number => {
    rows.push(item);
    changed();
    section.open = true;
    return rows.length - 1;
  };
  append(
    section,
    summary,
    list,
    h(
      'button',
      {
        type: 'button',
        class: 'small',
        onclick: () => {
          rows.push(editor.empty());
          changed();
        },
      },
      editor.addLabel,
    ),
  );
  editor.exposeAdd?.(add);
  return section;
}
