/** Text safe inside HTML elements and quoted attributes: the five characters that could end either are escaped. */
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
