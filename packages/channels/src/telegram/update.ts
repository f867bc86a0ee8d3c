/**
 * The part of a Bot API Update this channel reads, checked with zod so that
 * a malformed body gets a 400 naming the bad field instead of a crash deep
 * in parse. Unknown fields are allowed (Telegram adds some every release)
 * and ignored.
 * Reference: https://core.telegram.org/bots/api#update
 */
import { z } from 'zod';

const int = z.number().int();

export const UserSchema = z.object({
  id: int,
  is_bot: z.boolean().optional(),
  first_name: z.string(),
  last_name: z.string().optional(),
  username: z.string().optional(),
  language_code: z.string().optional(),
});

const ChatSchema = z.object({ id: int, type: z.string() });

const FileSchema = z.object({
  file_id: z.string().min(1),
  file_unique_id: z.string().optional(),
  file_size: z.number().optional(),
  file_name: z.string().optional(),
  mime_type: z.string().optional(),
});

const PhotoSizeSchema = FileSchema.extend({ width: int, height: int });

const StickerSchema = FileSchema.extend({
  emoji: z.string().optional(),
  is_animated: z.boolean().optional(),
  is_video: z.boolean().optional(),
});

const LocationSchema = z.object({ latitude: z.number(), longitude: z.number() });

const InlineKeyboardSchema = z.object({
  inline_keyboard: z.array(z.array(z.object({ text: z.string(), callback_data: z.string().optional() }))),
});

/** Also the shape of an InaccessibleMessage (date 0, nothing but chat and id). */
export const MessageSchema = z.object({
  message_id: int,
  date: int,
  chat: ChatSchema,
  from: UserSchema.optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  photo: z.array(PhotoSizeSchema).min(1).optional(),
  document: FileSchema.optional(),
  video: FileSchema.optional(),
  animation: FileSchema.optional(),
  video_note: FileSchema.optional(),
  audio: FileSchema.optional(),
  voice: FileSchema.optional(),
  sticker: StickerSchema.optional(),
  location: LocationSchema.optional(),
  venue: z.object({ location: LocationSchema, title: z.string(), address: z.string() }).optional(),
  contact: z
    .object({
      phone_number: z.string(),
      first_name: z.string(),
      last_name: z.string().optional(),
      user_id: int.optional(),
    })
    .optional(),
  reply_markup: InlineKeyboardSchema.optional(),
});

export const CallbackQuerySchema = z.object({
  id: z.string().min(1),
  from: UserSchema,
  message: MessageSchema.optional(),
  inline_message_id: z.string().optional(),
  chat_instance: z.string().optional(),
  data: z.string().optional(),
});

const ChatMemberSchema = z.object({ status: z.string() });

export const ChatMemberUpdatedSchema = z.object({
  chat: ChatSchema,
  from: UserSchema,
  date: int,
  old_chat_member: ChatMemberSchema,
  new_chat_member: ChatMemberSchema,
});

export const UpdateSchema = z.object({
  update_id: int.nonnegative(),
  message: MessageSchema.optional(),
  edited_message: z.unknown().optional(),
  channel_post: z.unknown().optional(),
  callback_query: CallbackQuerySchema.optional(),
  my_chat_member: ChatMemberUpdatedSchema.optional(),
});

export type TelegramUser = z.infer<typeof UserSchema>;
export type TelegramMessage = z.infer<typeof MessageSchema>;
export type TelegramCallbackQuery = z.infer<typeof CallbackQuerySchema>;
export type TelegramUpdate = z.infer<typeof UpdateSchema>;

/** The kinds of update we ask Telegram for (setWebhook / getUpdates allowed_updates). */
export const ALLOWED_UPDATES = ['message', 'callback_query', 'my_chat_member'] as const;

export type UpdateCheck = { ok: true; update: TelegramUpdate } | { ok: false; reason: string };

export function checkUpdate(body: unknown): UpdateCheck {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, reason: 'not a Telegram Update: the body must be a JSON object' };
  }
  const parsed = UpdateSchema.safeParse(body);
  if (parsed.success) return { ok: true, update: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'update';
  return { ok: false, reason: `not a Telegram Update: ${where}: ${issue?.message ?? 'invalid'}` };
}
