// files.getUploadURLExternal / the upload URL / files.completeUploadExternal, and legacy files.upload.
import type { FileRecord, Message } from '../state.js';
import { botMessage, resolveChannel, storeMessage } from './chat.js';
import { type ApiContext, type Handler, SlackApiError, json, str } from './context.js';

function publicFile(ctx: ApiContext, f: FileRecord): Record<string, unknown> {
  return {
    id: f.id, created: f.created, timestamp: f.created, name: f.name, title: f.title, mimetype: f.mimetype,
    filetype: f.name.split('.').pop() ?? 'text', size: f.size, user: f.user,
    url_private: `${ctx.origin()}/files/${f.id}/${encodeURIComponent(f.name)}`,
    permalink: `${ctx.origin()}/files/${f.id}`,
  };
}

function mimeOf(name: string): string {
  const ext = name.split('.').pop()?.toLowerCase();
  return ({ txt: 'text/plain', log: 'text/plain', json: 'application/json', png: 'image/png', md: 'text/markdown' } as Record<string, string>)[ext ?? ''] ?? 'application/octet-stream';
}

/** Stores uploaded bytes for a file id (the upload URL handler calls this). */
export function receiveUpload(ctx: ApiContext, fileId: string, bytes: Buffer): boolean {
  const f = ctx.state.data.files.find((x) => x.id === fileId);
  if (!f) return false;
  f.content = bytes.toString('base64');
  f.size = bytes.length;
  ctx.state.changed();
  return true;
}

function shareFiles(ctx: ApiContext, files: FileRecord[], channelRef: string | undefined, comment: string | undefined, threadTs?: string, blocks?: unknown): void {
  if (!channelRef) return;
  const ch = resolveChannel(ctx.state, channelRef);
  const content: Partial<Message> = { text: comment ?? '', files: files.map((f) => publicFile(ctx, f)) };
  if (!comment && Array.isArray(blocks)) content.blocks = blocks;
  storeMessage(ctx, botMessage(ctx, ch.id, content, threadTs));
}

export const files: Record<string, Handler> = {
  'files.getUploadURLExternal': (args, ctx) => {
    const name = str(args, 'filename') ?? 'file';
    const f: FileRecord = { id: ctx.state.nextId('F'), name, title: name, size: Number(args.length), user: ctx.state.data.bot.user_id, created: Math.floor(Date.now() / 1000), mimetype: mimeOf(name) };
    ctx.state.data.files.push(f);
    ctx.state.changed();
    return { upload_url: `${ctx.origin()}/upload/${f.id}`, file_id: f.id };
  },

  'files.completeUploadExternal': (args, ctx) => {
    const list = json(args, 'files', 'invalid_arguments');
    if (!Array.isArray(list) || list.length === 0) throw new SlackApiError('invalid_arguments', ['[ERROR] files must be a non-empty array']);
    const done = list.map((entry: { id?: string; title?: string }) => {
      const f = ctx.state.data.files.find((x) => x.id === entry.id);
      if (!f || f.content === undefined) throw new SlackApiError('file_not_found');
      if (entry.title) f.title = entry.title;
      return f;
    });
    shareFiles(ctx, done, str(args, 'channel_id') ?? str(args, 'channels'), str(args, 'initial_comment'), str(args, 'thread_ts'), json(args, 'blocks', 'invalid_blocks_format'));
    return { files: done.map((f) => ({ id: f.id, title: f.title })) };
  },

  'files.upload': (args, ctx) => {
    const content = str(args, 'content') ?? (Buffer.isBuffer(args.file) ? undefined : str(args, 'file'));
    if (content === undefined && !Buffer.isBuffer(args.file)) throw new SlackApiError('no_file_data');
    const bytes = Buffer.isBuffer(args.file) ? args.file : Buffer.from(content ?? '');
    const name = str(args, 'filename') ?? 'file.txt';
    const f: FileRecord = { id: ctx.state.nextId('F'), name, title: str(args, 'title') ?? name, size: bytes.length, content: bytes.toString('base64'), user: ctx.state.data.bot.user_id, created: Math.floor(Date.now() / 1000), mimetype: mimeOf(name) };
    ctx.state.data.files.push(f);
    shareFiles(ctx, [f], str(args, 'channels')?.split(',')[0], str(args, 'initial_comment'), str(args, 'thread_ts'));
    return { file: publicFile(ctx, f) };
  },
};
