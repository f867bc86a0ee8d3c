/**
 * Cuts a text too long for one message into pieces of at most `limit`
 * UTF-16 code units (how Telegram counts), at the most natural place: a
 * paragraph break, else a line break, else the end of a sentence, else a
 * space; a word is cut only when it is longer than the limit by itself, and
 * never inside a surrogate pair. The whitespace at a cut is dropped: the
 * message break replaces it.
 */
export function splitText(text: string, limit: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const cut = cutPoint(rest.slice(0, limit + 1), limit);
    const piece = rest.slice(0, cut).trimEnd();
    if (piece) pieces.push(piece);
    rest = rest.slice(cut).trimStart();
  }
  if (rest.trim() || pieces.length === 0) pieces.push(rest);
  return pieces;
}

/** Where the first piece ends (exclusive). `window` is the first limit + 1 characters. */
function cutPoint(window: string, limit: number): number {
  // A natural break is only worth taking if the piece it makes is not tiny.
  const floor = Math.floor(limit / 2);
  const preferred = [
    lastMatchStart(window, /\n[^\S\n]*\n/g, 0),
    lastMatchStart(window, /\n/g, 0),
    lastSentenceEnd(window),
  ];
  for (const candidate of preferred) if (candidate >= floor && candidate <= limit) return candidate;
  const space = lastMatchStart(window, /\s/g, 0);
  if (space > 0 && space <= limit) return space;
  const code = window.charCodeAt(limit - 1);
  const highSurrogate = code >= 0xd800 && code <= 0xdbff;
  return highSurrogate && limit > 1 ? limit - 1 : limit;
}

/** Start of the last match (the cut goes before the separator, which is then trimmed). */
function lastMatchStart(window: string, pattern: RegExp, fallback: number): number {
  let found = fallback;
  for (const match of window.matchAll(pattern)) found = match.index;
  return found;
}

/** Just after the last sentence-ending punctuation that is followed by whitespace. */
function lastSentenceEnd(window: string): number {
  let found = 0;
  for (const match of window.matchAll(/[.!?…;](?=\s)/g)) found = match.index + 1;
  return found;
}
