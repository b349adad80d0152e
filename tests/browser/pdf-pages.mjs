// The text of each page of a PDF, as lines (pdf.js, no canvas): for checking print layout.
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

// [{ lines: [string], text: string }] per page; a line is the text items that share a
// baseline, in reading order.
export async function pdfPages(bytes) {
  const doc = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, isEvalSupported: false }).promise;
  const pages = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const content = await page.getTextContent();
    const rows = new Map();
    for (const item of content.items) {
      if (!('str' in item) || !item.str.trim()) continue;
      const y = Math.round(item.transform[5]);
      if (!rows.has(y)) rows.set(y, []);
      rows.get(y).push({ x: item.transform[4], s: item.str });
    }
    const lines = [...rows.entries()]
      .sort((a, b) => b[0] - a[0]) // PDF y grows upwards: top line first
      .map(([, items]) => items.sort((a, b) => a.x - b.x).map((i) => i.s).join(' ').replace(/\s+/g, ' ').trim());
    pages.push({ lines, text: lines.join(' ') });
  }
  await doc.destroy();
  return pages;
}

// Problems with a printed page: blank, only headings, nearly empty before the last page
// (fewer than `minLines` lines), or a heading as its last line (the section it names starts
// on the next page). `headings` are the heading texts of the page.
export function printProblems(pages, headings, minLines = 10) {
  const norm = (s) => s.replace(/\s+/g, ' ').trim().toLowerCase();
  const heads = new Set(headings.map(norm).filter(Boolean));
  const isHeading = (line) => heads.has(norm(line));
  const out = [];
  pages.forEach((p, i) => {
    const body = p.lines.filter((l) => !isHeading(l)).join(' ');
    if (!p.lines.length) out.push(`page ${i + 1} of ${pages.length} is blank`);
    else if (body.replace(/\s/g, '').length < 40) out.push(`page ${i + 1} of ${pages.length} has only a heading or a few words: ${JSON.stringify(p.text.slice(0, 120))}`);
    // A page that is not the last one and holds a few lines: what followed did not fit
    // and left it nearly empty (a title page, a stranded heading).
    else if (i < pages.length - 1 && p.lines.length < minLines) out.push(`page ${i + 1} of ${pages.length} has only ${p.lines.length} lines: ${JSON.stringify(p.text.slice(0, 120))}`);
    else if (i < pages.length - 1 && isHeading(p.lines[p.lines.length - 1])) out.push(`page ${i + 1} ends with the heading ${JSON.stringify(p.lines[p.lines.length - 1])}`);
  });
  return out;
}
