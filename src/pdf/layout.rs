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

/// Noto Sans CJK SC cut to ASCII, CJK punctuation and GB2312 (see
/// `scripts/make-font.sh`); the PDF embeds only the glyphs it uses.
const FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansCJKsc-Regular-GB2312.otf");

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
    text.chars()
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

/// Splits `text` into lines no wider than `width`.
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
                lines.push(std::mem::take(&mut line));
                w = 0.0;
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

/// Pages being written, top to bottom; `y` is the distance from the top.
pub struct Doc {
    font: FontId,
    pdf: PdfDocument,
    pages: Vec<Vec<Op>>,
    pub y: f32,
    footer_left: String,
}

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
                items: vec![TextItem::Text(text.to_owned())],
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
    /// the content width), each wrapped. A row taller than what is left
    /// moves to the next page; a row taller than a page is split over pages.
    pub fn row(&mut self, widths: &[f32], cells: &[&str], size: f32, min_height: f32) {
        let lh = size * 1.45;
        let wrapped: Vec<Vec<String>> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| wrap(c, size, w - 2.0 * PAD))
            .collect();
        let mut start = 0;
        let total = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let page_room = PAGE_H - 2.0 * MARGIN - FOOTER;
        loop {
            let need = ((total - start) as f32 * lh + 2.0 * PAD).max(min_height);
            // Keep a row whole when it fits on a fresh page.
            if start == 0 && need > self.room() && need <= page_room && self.y > MARGIN {
                self.new_page();
                continue;
            }
            let fits = ((self.room() - 2.0 * PAD) / lh).floor().max(0.0) as usize;
            if fits == 0 {
                if self.y <= MARGIN {
                    break; // cannot happen on A4; never loop forever
                }
                self.new_page();
                continue;
            }
            let count = (total - start).min(fits);
            let height =
                (count as f32 * lh + 2.0 * PAD).max(if start == 0 { min_height } else { 0.0 });
            let top = self.y;
            let mut x = MARGIN;
            for (lines, w) in wrapped.iter().zip(widths) {
                for (i, line) in lines.iter().skip(start).take(count).enumerate() {
                    self.text_at(x + PAD, top + PAD + i as f32 * lh, size, line);
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
