//! A small page-layout engine over printpdf: text measured with the
//! embedded font's own advances, wrapped to a width (CJK breaks between any
//! two characters, Latin words stay whole when they fit), bordered table rows
//! that flow onto new pages, and a footer with page numbers on every page.

use std::sync::OnceLock;

use printpdf::{
    Color, FontId, Line, LinePoint, Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Pt, Rgb, TextItem,
};

use super::PrintError;

/// Noto Sans CJK SC cut to ASCII, CJK punctuation and GBK (see
/// `scripts/make-font.sh`); the PDF embeds only the glyphs it uses.
const FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansCJKsc-Regular-GBK.otf");

pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;
pub const MARGIN: f32 = 51.0; // 18 mm
const FOOTER: f32 = 28.0;
pub const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;
const PAD: f32 = 4.0;

struct Fonts {
    pdf: ParsedFont,
    face: ttf_parser::Face<'static>,
}

fn fonts() -> Result<&'static Fonts, PrintError> {
    static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let pdf = ParsedFont::from_bytes(FONT, 0, &mut Vec::new())?;
            let face = ttf_parser::Face::parse(FONT, 0).ok()?;
            Some(Fonts { pdf, face })
        })
        .as_ref()
        .ok_or(PrintError::Font)
}

/// Width of `text` at `size` points.
pub fn text_width(text: &str, size: f32) -> f32 {
    let Ok(f) = fonts() else { return 0.0 };
    let per_em = f32::from(f.face.units_per_em());
    printable(text)
        .chars()
        .map(|c| {
            let advance = f
                .face
                .glyph_index(c)
                .and_then(|g| f.face.glyph_hor_advance(g))
                .unwrap_or(f.face.units_per_em());
            f32::from(advance) / per_em * size
        })
        .sum()
}

/// What is drawn for a character the font lacks (outside GBK, e.g. an
/// emoji or a rare Extension B character): a visible box, so that a missing
/// character is seen instead of silently left blank.
const MISSING: char = '□';

/// `text` as it is drawn: tabs and other control characters become spaces
/// ("\r" is dropped), characters without a glyph become `MISSING`.
fn printable(text: &str) -> String {
    let Ok(f) = fonts() else {
        return text.to_owned();
    };
    text.chars()
        .filter(|&c| c != '\r')
        .map(|c| {
            if c.is_control() {
                ' '
            } else if f.face.glyph_index(c).is_some() {
                c
            } else {
                MISSING
            }
        })
        .collect()
}

/// Closing punctuation that must not start a line (避头).
const NO_START: &str = "，。、；：？！）》」』】〕〉”’…—～·%,.;:?!)]}";
/// Opening punctuation that must not end a line (避尾).
const NO_END: &str = "（《「『【〔〈“‘([{";

/// Splits `text` into lines no wider than `width`. CJK text breaks between
/// any two characters, a Latin word or number stays whole when it fits, and
/// a line neither starts with closing nor ends with opening punctuation
/// (the character before is carried down with it instead).
pub fn wrap(text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = vec![];
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut w = 0.0;
        let mut chars = paragraph.chars().peekable();
        while let Some(c) = chars.next() {
            // Keep a Latin word or number together when it fits on a line.
            let mut token = c.to_string();
            if c.is_ascii_alphanumeric() {
                while let Some(&n) = chars.peek() {
                    if !n.is_ascii_alphanumeric() {
                        break;
                    }
                    token.push(n);
                    chars.next();
                }
            }
            let tw = text_width(&token, size);
            if w + tw > width && !line.is_empty() {
                let carry = carry_down(&mut line, NO_START.contains(c));
                w = text_width(&carry, size);
                lines.push(std::mem::replace(&mut line, carry));
            }
            if tw > width {
                // A token wider than the line: break it by characters.
                for ch in token.chars() {
                    let cw = text_width(&ch.to_string(), size);
                    if w + cw > width && !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                        w = 0.0;
                    }
                    line.push(ch);
                    w += cw;
                }
            } else {
                line.push_str(&token);
                w += tw;
            }
        }
        lines.push(line);
    }
    lines
}

/// What moves from the end of a full `line` to the next one: the last
/// character (a whole Latin word) when the next starts with closing
/// punctuation, and any opening punctuation at the end. Never the whole line.
fn carry_down(line: &mut String, next_is_closing: bool) -> String {
    let mut carry = String::new();
    let mut take_one = next_is_closing;
    while let Some(last) = line.chars().last() {
        if !(take_one || NO_END.contains(last)) {
            break;
        }
        let keep = if last.is_ascii_alphanumeric() {
            line.trim_end_matches(|c: char| c.is_ascii_alphanumeric())
                .len()
        } else {
            line.len() - last.len_utf8()
        };
        if keep == 0 {
            break;
        }
        carry.insert_str(0, &line[keep..]);
        line.truncate(keep);
        // A closing mark carried down needs the character before it too.
        take_one = NO_START.contains(last);
    }
    carry
}

/// Pages being written, top to bottom; `y` is the distance from the top.
pub struct Doc {
    font: FontId,
    pdf: PdfDocument,
    pages: Vec<Vec<Op>>,
    pub y: f32,
    /// Where the current page's content starts (below a repeated header).
    page_top: f32,
    /// A table header drawn again at the top of each new page.
    header: Option<Header>,
    footer_left: String,
}

struct Header {
    widths: Vec<f32>,
    cells: Vec<String>,
    size: f32,
}

/// Rows of at most this many lines move to the next page whole; longer
/// ones are split, leaving at least `MIN_SPLIT` lines on each page.
const KEEP_LINES: usize = 8;
const MIN_SPLIT: usize = 3;

pub enum Align {
    Left,
    Center,
    Right,
}

impl Doc {
    pub fn new(title: &str, footer_left: &str) -> Result<Doc, PrintError> {
        let mut pdf = PdfDocument::new(title);
        let font = pdf.add_font(&fonts()?.pdf);
        Ok(Doc {
            font,
            pdf,
            pages: vec![vec![]],
            y: MARGIN,
            page_top: MARGIN,
            header: None,
            footer_left: footer_left.to_owned(),
        })
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(vec![]);
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    pub fn new_page(&mut self) {
        self.pages.push(vec![]);
        self.y = MARGIN;
        if let Some(h) = self.header.take() {
            let cells: Vec<&str> = h.cells.iter().map(String::as_str).collect();
            self.row(&h.widths, &cells, h.size, 0.0);
            self.header = Some(h);
        }
        self.page_top = self.y;
    }

    /// Draws a table's header row, kept with room for a first body row,
    /// and repeats it on every new page until `end_table`.
    pub fn table_header(&mut self, widths: &[f32], cells: &[&str], size: f32) {
        self.end_table();
        let lines = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| wrap(c, size, w - 2.0 * PAD).len())
            .max()
            .unwrap_or(1);
        self.ensure((lines + 2) as f32 * size * 1.45 + 4.0 * PAD);
        self.row(widths, cells, size, 0.0);
        self.header = Some(Header {
            widths: widths.to_vec(),
            cells: cells.iter().map(|c| (*c).to_owned()).collect(),
            size,
        });
    }

    pub fn end_table(&mut self) {
        self.header = None;
    }

    /// Room left above the footer.
    pub fn room(&self) -> f32 {
        PAGE_H - MARGIN - FOOTER - self.y
    }

    /// Starts a new page unless `height` still fits.
    pub fn ensure(&mut self, height: f32) {
        if height > self.room() {
            self.new_page();
        }
    }

    /// One line of text with its top at `y` (from the top of the page).
    pub fn text_at(&mut self, x: f32, y: f32, size: f32, text: &str) {
        let font = self.font.clone();
        self.ops().extend([
            Op::StartTextSection,
            Op::SetFont {
                font: PdfFontHandle::External(font),
                size: Pt(size),
            },
            Op::SetTextCursor {
                pos: Point {
                    x: Pt(x),
                    y: Pt(PAGE_H - y - size * 0.88),
                },
            },
            Op::ShowText {
                items: vec![TextItem::Text(printable(text))],
            },
            Op::EndTextSection,
        ]);
    }

    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, width: f32) {
        let point = |x: f32, y: f32| LinePoint {
            p: Point {
                x: Pt(x),
                y: Pt(PAGE_H - y),
            },
            bezier: false,
        };
        self.ops().extend([
            Op::SetOutlineColor {
                col: Color::Rgb(Rgb {
                    r: 0.0,
                    g: 0.0,
                    b: 0.0,
                    icc_profile: None,
                }),
            },
            Op::SetOutlineThickness { pt: Pt(width) },
            Op::DrawLine {
                line: Line {
                    points: vec![point(x1, y1), point(x2, y2)],
                    is_closed: false,
                },
            },
        ]);
    }

    /// A paragraph across the content width, wrapped, flowing onto new pages.
    pub fn paragraph(&mut self, text: &str, size: f32, align: Align) {
        let lh = size * 1.5;
        for line in wrap(text, size, CONTENT_W) {
            self.ensure(lh);
            let x = match align {
                Align::Left => MARGIN,
                Align::Center => MARGIN + (CONTENT_W - text_width(&line, size)) / 2.0,
                Align::Right => MARGIN + CONTENT_W - text_width(&line, size),
            };
            let y = self.y;
            self.text_at(x, y, size, &line);
            self.y += lh;
        }
    }

    pub fn gap(&mut self, h: f32) {
        self.y += h;
    }

    /// A bordered table row: cells of the given widths (summing to at most
    /// the content width), each wrapped. A short row that does not fit moves
    /// to the next page whole; a long one is split over pages, its first
    /// cell marked "（续）" where it goes on.
    pub fn row(&mut self, widths: &[f32], cells: &[&str], size: f32, min_height: f32) {
        let lh = size * 1.45;
        let wrapped: Vec<Vec<String>> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| wrap(c, size, w - 2.0 * PAD))
            .collect();
        let total = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let mut start = 0;
        loop {
            let left = total - start;
            let min = if start == 0 { min_height } else { 0.0 };
            let fits = ((self.room() - 2.0 * PAD) / lh).floor().max(0.0) as usize;
            let whole = (left as f32 * lh + 2.0 * PAD).max(min) <= self.room();
            let count = if whole {
                left
            } else if (start == 0 && left <= KEEP_LINES) || fits < MIN_SPLIT.min(left) {
                if self.y > self.page_top {
                    self.new_page();
                    continue;
                }
                // Alone on a page and still too tall: cannot happen on A4.
                fits.clamp(1, left)
            } else if left - fits < MIN_SPLIT {
                left.saturating_sub(MIN_SPLIT).max(MIN_SPLIT).min(fits)
            } else {
                fits
            };
            let height = (count as f32 * lh + 2.0 * PAD).max(if whole { min } else { 0.0 });
            let top = self.y;
            let mut x = MARGIN;
            for (i, (lines, w)) in wrapped.iter().zip(widths).enumerate() {
                let goes_on = start > 0 && i == 0 && lines.len() <= start && cells.len() > 1;
                let shown: Vec<String> = if goes_on {
                    wrap(&format!("{}（续）", cells[0]), size, w - 2.0 * PAD)
                } else {
                    lines.iter().skip(start).cloned().collect()
                };
                for (j, line) in shown.iter().take(count).enumerate() {
                    self.text_at(x + PAD, top + PAD + j as f32 * lh, size, line);
                }
                self.line(x, top, x, top + height, 0.6);
                x += w;
            }
            self.line(x, top, x, top + height, 0.6);
            self.line(MARGIN, top, x, top, 0.6);
            self.line(MARGIN, top + height, x, top + height, 0.6);
            self.y += height;
            start += count;
            if start >= total {
                break;
            }
            self.new_page();
        }
    }

    /// Writes the footer on every page and returns the PDF bytes.
    pub fn finish(mut self, page_label: impl Fn(usize, usize) -> String) -> Vec<u8> {
        let n = self.pages.len();
        let footer_left = self.footer_left.clone();
        let y = PAGE_H - MARGIN - 10.0;
        let mut pages = std::mem::take(&mut self.pages);
        for (i, ops) in pages.iter_mut().enumerate() {
            self.pages = vec![std::mem::take(ops)];
            let label = page_label(i + 1, n);
            let w = text_width(&label, 8.0);
            self.text_at(MARGIN, y, 8.0, &footer_left);
            self.text_at(PAGE_W - MARGIN - w, y, 8.0, &label);
            *ops = self.pages.pop().unwrap_or_default();
        }
        let pages: Vec<PdfPage> = pages
            .into_iter()
            .map(|ops| PdfPage::new(Mm(210.0), Mm(297.0), ops))
            .collect();
        self.pdf
            .with_pages(pages)
            .save(&PdfSaveOptions::default(), &mut Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_fit_and_keep_punctuation_off_line_starts() {
        let text =
            "本月完成家访六次，其中两户（王某、李某）情况有变化。“QX-2026-014”已结案！".repeat(30);
        for width in [60.0, 97.0, 150.0, 233.0, 333.0, 390.0] {
            let lines = wrap(&text, 10.0, width);
            assert_eq!(lines.concat(), text, "width {width}");
            for l in &lines {
                assert!(text_width(l, 10.0) <= width + 0.01, "{l:?} at {width}");
                assert!(
                    !l.starts_with(|c| NO_START.contains(c)),
                    "{l:?} starts with a closing mark at {width}"
                );
                assert!(
                    !l.ends_with(|c| NO_END.contains(c)),
                    "{l:?} ends with an opening mark at {width}"
                );
            }
        }
    }
}
