const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe to place in HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => entities[character] ?? character);
}

/**
 * Text with matches marked by `start`/`end` (as a search engine returns them) turned into safe HTML:
 * every part escaped, each match wrapped in <mark>.
 */
export function markMatches(text: string, start: string, end: string): string {
  return text
    .split(start)
    .map((piece, index) => {
      if (index === 0) return escapeHtml(piece);
      const close = piece.indexOf(end);
      if (close < 0) return escapeHtml(piece);
      return `<mark>${escapeHtml(piece.slice(0, close))}</mark>${escapeHtml(piece.slice(close + end.length))}`;
    })
    .join('');
}
