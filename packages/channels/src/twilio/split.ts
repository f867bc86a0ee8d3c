/**
 * Splitting a long text into SMS-sized messages. Twilio concatenates up to
 * 1600 characters into one message on the handset; longer text must go as
 * several messages, and each should read on its own: cut between
 * paragraphs, else between sentences, else between words, and only as a last
 * resort in the middle of a word.
 */

/** Twilio's limit for the Body of one message (error 21617 beyond it). */
export const SMS_MAX_LENGTH = 1600;

export function splitSmsText(text: string, max = SMS_MAX_LENGTH): string[] {
  const chunks: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const cut = cutPoint(rest, max);
    chunks.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) chunks.push(rest);
  return chunks;
}

/**
 * Where to end the next chunk: the last good boundary within `max`
 * characters, as long as it leaves the chunk at least half full (a cut at
 * the very start would make a string of tiny messages).
 */
function cutPoint(text: string, max: number): number {
  const floor = Math.floor(max / 2);
  const paragraph = text.lastIndexOf('\n\n', max);
  if (paragraph >= floor) return paragraph;
  const sentence = lastSentenceEnd(text.slice(0, max + 1));
  if (sentence >= floor) return sentence;
  const line = text.lastIndexOf('\n', max);
  if (line >= floor) return line;
  const space = lastWhitespace(text, max);
  if (space >= floor) return space;
  // No boundary: cut at the limit, but never between the two halves of an emoji (a surrogate pair).
  const code = text.charCodeAt(max - 1);
  return code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
}

/** Index just after the last sentence-ending punctuation (and closing quotes) followed by whitespace. */
function lastSentenceEnd(window: string): number {
  let end = -1;
  for (const match of window.matchAll(/[.!?…]+["'’”»)\]]*(?=\s)/g)) end = match.index + match[0].length;
  return end;
}

function lastWhitespace(text: string, max: number): number {
  for (let index = max; index > 0; index--) {
    if (/\s/.test(text.charAt(index))) return index;
  }
  return -1;
}
