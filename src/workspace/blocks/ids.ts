// Slack gives every block a block_id and every interactive element an action_id when the app
// leaves them out; clicks and submissions then carry those generated ids.
import { randomBytes } from 'node:crypto';

type Obj = Record<string, any>;

const short = () => randomBytes(3).toString('base64url').slice(0, 4);

export function assignIds(blocks: Obj[] | undefined): Obj[] | undefined {
  if (!Array.isArray(blocks)) return blocks;
  return blocks.map((b) => {
    if (!b || typeof b !== 'object') return b;
    const out: Obj = { ...b, block_id: b.block_id ?? short() };
    const fix = (e: Obj) => (e && typeof e === 'object' && e.type !== 'image' && !('text' in e && (e.type === 'mrkdwn' || e.type === 'plain_text')) && !e.action_id ? { ...e, action_id: short() } : e);
    if (out.type === 'actions' && Array.isArray(out.elements)) out.elements = out.elements.map(fix);
    if (out.accessory) out.accessory = fix(out.accessory);
    if (out.element) out.element = fix(out.element);
    return out;
  });
}
