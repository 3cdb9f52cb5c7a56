/**
 * Long lists in messages: whole items packed into sections, never cut mid-item. A list that does
 * not fit the message ends with a line that says how many items are left out and how to see them.
 */
import { clip, context, section, type Block } from './kit.js';

export const SECTION_CHARS = 2900;

interface Packed {
  text: string;
  items: number;
}

/**
 * Items joined by `sep` into texts of at most `max` characters, each item whole (one longer item
 * alone, clipped); `first` (a title) opens the first text on a line of its own.
 */
export function packLines(items: readonly string[], max = SECTION_CHARS, first?: string, sep = '\n'): Packed[] {
  const out: Packed[] = [];
  let current: Packed = { text: first ?? '', items: 0 };
  for (const raw of items) {
    const line = clip(raw, max);
    const join = current.items ? sep : '\n';
    if (current.text && current.text.length + join.length + line.length > max) {
      out.push(current);
      current = { text: '', items: 0 };
    }
    current = { text: current.text ? `${current.text}${current.items ? sep : '\n'}${line}` : line, items: current.items + 1 };
  }
  if (current.text) out.push(current);
  return out;
}

export interface ListGroup {
  /** Bold title before the group's items (e.g. a system name). */
  title?: string;
  items: readonly string[];
}

/**
 * Section blocks for groups of items within `maxBlocks`. When not everything fits, the last block
 * says `more(left)`: how many items were left out and how to see them.
 */
export function listBlocks(groups: readonly ListGroup[], maxBlocks: number, more: (left: number) => string): Block[] {
  const total = groups.reduce((n, g) => n + g.items.length, 0);
  const blocks: Block[] = [];
  let shown = 0;
  for (const g of groups) {
    for (const p of packLines(g.items, SECTION_CHARS, g.title)) {
      if (blocks.length >= maxBlocks - 1 && shown + p.items < total) {
        blocks.push(context([more(total - shown)]));
        return blocks;
      }
      blocks.push(section(p.text));
      shown += p.items;
    }
  }
  return blocks;
}
