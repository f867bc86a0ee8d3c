/**
 * Text helpers for rendering: cutting a long text into messages a channel
 * accepts, and shortening a button title to what a channel displays.
 */

/**
 * Cuts text into pieces of at most `max` characters, preferring paragraph,
 * then line, then word boundaries, and never cutting a surrogate pair
 * (an emoji) in half. Nothing is lost: joining the pieces with the
 * whitespace they were cut at gives the text back.
 */
export function splitText(text: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const cut = cutPoint(rest, max);
    pieces.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0 || pieces.length === 0) pieces.push(rest);
  return pieces;
}

function cutPoint(text: string, max: number): number {
  const window = text.slice(0, max + 1);
  for (const boundary of ['\n\n', '\n', ' ']) {
    const at = window.lastIndexOf(boundary);
    // A boundary in the first half would leave tiny pieces; cut hard instead.
    if (at > max / 2) return at;
  }
  const code = text.charCodeAt(max - 1);
  const splitsPair = code >= 0xd800 && code <= 0xdbff;
  return splitsPair ? max - 1 : max;
}

/** Shortens a title to `max` characters with an ellipsis; unchanged when it fits or max is undefined. */
export function fitTitle(title: string, max: number | undefined): string {
  if (max === undefined || title.length <= max) return title;
  const code = title.charCodeAt(max - 2);
  const end = code >= 0xd800 && code <= 0xdbff ? max - 2 : max - 1;
  return `${title.slice(0, end)}…`;
}
