/**
 * The protective marking every export of a child list carries, under the Government Security
 * Classifications: personal data about vulnerable children is OFFICIAL with the SENSITIVE handling
 * caveat. The first line of a CSV, a field of a JSON export, a line at the top of a page printed.
 */
export const protectiveMarking = 'OFFICIAL-SENSITIVE: personal information about children. Handle, store and share only as your organisation’s data protection rules allow; do not forward.';
