import { describe, expect, it } from 'vitest';
import { checkMessageBlocks, checkView } from '#workspace/blocks/limits.js';

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const modal = (blocks: unknown[]) => ({ type: 'modal', title: { type: 'plain_text', text: 'T' }, submit: { type: 'plain_text', text: 'Go' }, blocks });

describe("Slack's Block Kit limits", () => {
  it('allows 50 blocks in a message and 100 in a modal, not one more', () => {
    expect(checkMessageBlocks(Array.from({ length: 50 }, () => section('x')))).toEqual([]);
    expect(checkMessageBlocks(Array.from({ length: 51 }, () => section('x')))).toEqual(['[ERROR] no more than 50 items allowed [json-pointer:/blocks]']);
    expect(checkView(modal(Array.from({ length: 100 }, () => section('x'))))).toEqual([]);
    expect(checkView(modal(Array.from({ length: 101 }, () => section('x'))))).toEqual(['[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]']);
  });

  it('section text 3000, header 150, field 2000', () => {
    expect(checkMessageBlocks([section('a'.repeat(3000))])).toEqual([]);
    expect(checkMessageBlocks([section('a'.repeat(3001))])).toEqual(['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]']);
    const header = (n: number) => ({ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(n) } });
    expect(checkMessageBlocks([header(150)])).toEqual([]);
    expect(checkMessageBlocks([header(151)])).toEqual(['[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]']);
    const fields = (n: number) => ({ type: 'section', fields: [{ type: 'mrkdwn', text: 'f'.repeat(n) }] });
    expect(checkMessageBlocks([fields(2001)])).toEqual(['[ERROR] must be less than 2001 characters [json-pointer:/blocks/0/fields/0/text]']);
  });

  it('button text 75, action_id 255, header must be plain_text', () => {
    const button = (text: string, action_id = 'a') => ({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text }, action_id }] });
    expect(checkMessageBlocks([button('b'.repeat(75))])).toEqual([]);
    expect(checkMessageBlocks([button('b'.repeat(76))])).toEqual(['[ERROR] must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]']);
    expect(checkMessageBlocks([button('ok', 'x'.repeat(256))])).toEqual(['[ERROR] must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]']);
    expect(checkMessageBlocks([{ type: 'header', text: { type: 'mrkdwn', text: 'h' } }])).toEqual(['[ERROR] must be a valid enum value (plain_text) [json-pointer:/blocks/0/text/type]']);
  });

  it('rejects unknown block types and duplicate block ids', () => {
    expect(checkMessageBlocks([{ type: 'carousel' }])).toEqual(['[ERROR] unsupported type: carousel [json-pointer:/blocks/0/type]']);
    expect(checkMessageBlocks([{ ...section('a'), block_id: 'b' }, { ...section('b'), block_id: 'b' }])).toEqual(['[ERROR] duplicate block_id: b [json-pointer:/blocks/1/block_id]']);
  });

  it('modal title 24 characters and a submit button when it has inputs', () => {
    const input = { type: 'input', block_id: 'i', label: { type: 'plain_text', text: 'L' }, element: { type: 'plain_text_input', action_id: 'v' } };
    expect(checkView(modal([input]))).toEqual([]);
    expect(checkView({ ...modal([input]), title: { type: 'plain_text', text: 't'.repeat(25) } })).toEqual(['[ERROR] must be less than 25 characters [json-pointer:/view/title/text]']);
    expect(checkView({ type: 'modal', title: { type: 'plain_text', text: 'T' }, blocks: [input] })).toEqual(['[ERROR] must provide submit when view has input blocks [json-pointer:/view/submit]']);
  });
});
