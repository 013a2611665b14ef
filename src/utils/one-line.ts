/** `text` on one line: a line break and the spaces around it become one space. For error texts a server wrote. */
export const oneLine = (text: string): string => text.replace(/\s*[\r\n]+\s*/g, " ").trim();
