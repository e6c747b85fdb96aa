/**
 * The name of an uploaded file as the service records and shows it: the browser sends whatever the
 * client chose, and a control character (a NUL byte above all, which PostgreSQL cannot store in
 * text) would otherwise fail the request deep inside. Control characters go, surrounding spaces
 * go, and the name is cut to 255 characters, keeping its extension.
 */
export function cleanUploadName(name: string): string {
  const cleaned = name.replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, '').trim();
  if (cleaned === '') return 'upload';
  if (cleaned.length <= 255) return cleaned;
  const extension = /\.[A-Za-z0-9]{1,8}$/.exec(cleaned)?.[0] ?? '';
  return cleaned.slice(0, 255 - extension.length) + extension;
}
