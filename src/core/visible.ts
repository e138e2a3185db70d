// Names from Graph are tenant data: a right-to-left override (U+202E) or another invisible format character in a
// display name can make "reprovision erin-pc" read as something else on a page, in a view or in chat. Such characters
// are shown as what they are, ⟨U+202E⟩, wherever a name is shown to a person or the model; ids stay beside names.

// Format characters (bidi controls, zero-width characters, BOM, tags…) and the Unicode line/paragraph separators.
const INVISIBLE = /[\p{Cf}\u2028\u2029]/gu;

function codePoint(c: string): string {
  return `⟨U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩`;
}

/** `s` with every invisible format character written out as ⟨U+XXXX⟩. */
export function visible(s: string): string;
export function visible(s: string | undefined): string | undefined;
export function visible(s: string | undefined): string | undefined {
  return s === undefined ? s : s.replace(INVISIBLE, codePoint);
}
