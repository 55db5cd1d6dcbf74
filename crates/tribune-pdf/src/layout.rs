//! A flow layout on A4 pages: paragraphs that wrap, blocks side by side, tables whose cells
//! wrap and whose rows carry on to the next page (the header repeated), and horizontal rules.
//! Nothing is cut: a word wider than its column is broken, a row taller than a page is split.

use crate::font::text_width;

/// A4 in points (1/72 inch).
pub const A4_WIDTH: f32 = 595.276;
pub const A4_HEIGHT: f32 = 841.89;
/// Space left around the page; the footer sits in the bottom margin.
pub const MARGIN: f32 = 50.0;

/// How a run of text looks. Bold is drawn by stroking the outline too (one embedded font keeps
/// the PDF small); `gray` is 0 for black, 1 for white.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    pub size: f32,
    pub bold: bool,
    pub gray: f32,
}

impl Style {
    pub const fn regular(size: f32) -> Style {
        Style {
            size,
            bold: false,
            gray: 0.0,
        }
    }

    pub const fn bold(size: f32) -> Style {
        Style {
            size,
            bold: true,
            gray: 0.0,
        }
    }

    pub const fn gray(self, gray: f32) -> Style {
        Style { gray, ..self }
    }

    /// The height of one line of this text.
    pub fn leading(self) -> f32 {
        self.size * 1.3
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A table column: its width in points and how its cells align.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Column {
    pub width: f32,
    pub align: Align,
}

/// A table: a header row (bold, repeated on each page), rows of cells (text wraps within its
/// column) and a thin rule between rows if `ruled`.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub columns: Vec<Column>,
    pub header: Option<Vec<String>>,
    pub rows: Vec<Vec<String>>,
    pub style: Style,
    pub ruled: bool,
}

/// What is drawn on a page, in top-down coordinates (y grows downwards from the top edge).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    /// `y` is the baseline.
    Text {
        x: f32,
        y: f32,
        style: Style,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        gray: f32,
    },
}

/// Pages being laid out, top to bottom.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub(crate) pages: Vec<Vec<Op>>,
    /// Where the next thing goes, from the top edge.
    y: f32,
}

const CELL_PADDING: f32 = 4.0;

impl Layout {
    pub fn new() -> Layout {
        Layout {
            pages: vec![Vec::new()],
            y: MARGIN,
        }
    }

    /// How many pages the layout takes.
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Every run of text laid out so far, in order (one per line drawn): what tests read
    /// instead of parsing the PDF back.
    pub fn texts(&self) -> Vec<&str> {
        self.pages
            .iter()
            .flatten()
            .filter_map(|op| match op {
                Op::Text { text, .. } => Some(text.as_str()),
                Op::Line { .. } => None,
            })
            .collect()
    }

    /// The width between the margins.
    pub fn width(&self) -> f32 {
        A4_WIDTH - 2.0 * MARGIN
    }

    fn bottom() -> f32 {
        A4_HEIGHT - MARGIN
    }

    fn room(&self) -> f32 {
        Self::bottom() - self.y
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Starts a new page.
    pub fn page_break(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
    }

    fn ensure(&mut self, height: f32) {
        if height > self.room() && self.y > MARGIN {
            self.page_break();
        }
    }

    /// Vertical space.
    pub fn space(&mut self, height: f32) {
        self.y += height;
        if self.y > Self::bottom() {
            self.page_break();
        }
    }

    fn text_at(&mut self, x: f32, top: f32, style: Style, text: &str) {
        if text.is_empty() {
            return;
        }
        let baseline = top + style.size * 0.95;
        self.ops().push(Op::Text {
            x,
            y: baseline,
            style,
            text: text.to_owned(),
        });
    }

    fn rule_at(&mut self, x1: f32, x2: f32, y: f32, width: f32, gray: f32) {
        self.ops().push(Op::Line {
            x1,
            y1: y,
            x2,
            y2: y,
            width,
            gray,
        });
    }

    /// A paragraph across the page; `\n` starts a new line.
    pub fn paragraph(&mut self, text: &str, style: Style) {
        self.paragraph_aligned(text, style, Align::Left);
    }

    /// A paragraph aligned left or right.
    pub fn paragraph_aligned(&mut self, text: &str, style: Style, align: Align) {
        let width = self.width();
        for line in wrap(text, style.size, width) {
            self.ensure(style.leading());
            let x = match align {
                Align::Left => MARGIN,
                Align::Right => MARGIN + width - text_width(&line, style.size),
            };
            let top = self.y;
            self.text_at(x, top, style, &line);
            self.y += style.leading();
        }
    }

    /// Blocks side by side, each a list of styled paragraphs in a column of the given width
    /// (from the left margin, one after the other). The cursor moves below the tallest.
    pub fn blocks(&mut self, blocks: &[(f32, Vec<(String, Style)>)]) {
        let laid: Vec<Vec<(String, Style)>> = blocks
            .iter()
            .map(|(width, paragraphs)| {
                paragraphs
                    .iter()
                    .flat_map(|(text, style)| {
                        wrap(text, style.size, *width - CELL_PADDING)
                            .into_iter()
                            .map(|line| (line, *style))
                    })
                    .collect()
            })
            .collect();
        let height = |lines: &Vec<(String, Style)>| -> f32 {
            lines.iter().map(|(_, style)| style.leading()).sum()
        };
        let tallest = laid.iter().map(height).fold(0.0, f32::max);
        if tallest <= Self::bottom() - MARGIN {
            self.ensure(tallest);
        }
        let start = self.y;
        let mut lowest = start;
        let mut x = MARGIN;
        for ((width, _), lines) in blocks.iter().zip(&laid) {
            let mut top = start;
            for (line, style) in lines {
                if top + style.leading() > Self::bottom() {
                    // Taller than what is left of the page: carry on at the top of the next.
                    self.page_break();
                    top = self.y;
                }
                self.text_at(x, top, *style, line);
                top += style.leading();
            }
            lowest = lowest.max(top);
            x += width;
        }
        self.y = lowest;
    }

    /// A horizontal rule across the page.
    pub fn rule(&mut self, width: f32, gray: f32) {
        self.ensure(width + 2.0);
        let y = self.y + 1.0;
        let right = MARGIN + self.width();
        self.rule_at(MARGIN, right, y, width, gray);
        self.y += width + 2.0;
    }

    /// A table from the left margin.
    pub fn table(&mut self, table: &Table) {
        let style = table.style;
        let header_style = Style {
            bold: true,
            ..style
        };
        let total: f32 = table.columns.iter().map(|c| c.width).sum();
        let draw_header = |layout: &mut Layout| {
            if let Some(header) = &table.header {
                layout.row(&table.columns, header, header_style, None);
                let y = layout.y;
                layout.rule_at(MARGIN, MARGIN + total, y, 0.8, 0.0);
                layout.y += 2.0;
            }
        };
        let header_height = table.header.as_ref().map_or(0.0, |header| {
            row_lines(&table.columns, header, header_style.size) as f32 * header_style.leading()
                + 2.0
        });
        let first_row = table.rows.first().map_or(0.0, |row| {
            row_lines(&table.columns, row, style.size) as f32 * style.leading()
        });
        self.ensure(header_height + first_row.min(Self::bottom() - MARGIN - header_height));
        draw_header(self);
        for (index, row) in table.rows.iter().enumerate() {
            let height =
                row_lines(&table.columns, row, style.size) as f32 * style.leading() + CELL_PADDING;
            if height > self.room() && height <= Self::bottom() - MARGIN - header_height {
                self.page_break();
                draw_header(self);
            }
            self.row(
                &table.columns,
                row,
                style,
                Some(&|layout: &mut Layout| draw_header(layout)),
            );
            self.y += CELL_PADDING;
            if table.ruled && index + 1 < table.rows.len() {
                let y = self.y - CELL_PADDING / 2.0;
                self.rule_at(MARGIN, MARGIN + total, y, 0.3, 0.6);
            }
        }
    }

    /// One row of cells, line by line; when a line does not fit, the row carries on on the
    /// next page (after `continued`, which redraws the header).
    fn row(
        &mut self,
        columns: &[Column],
        cells: &[String],
        style: Style,
        continued: Option<&dyn Fn(&mut Layout)>,
    ) {
        let wrapped: Vec<Vec<String>> = columns
            .iter()
            .zip(
                cells
                    .iter()
                    .map(String::as_str)
                    .chain(std::iter::repeat("")),
            )
            .map(|(column, cell)| wrap(cell, style.size, column.width - 2.0 * CELL_PADDING))
            .collect();
        let lines = wrapped.iter().map(Vec::len).max().unwrap_or(0);
        for line in 0..lines {
            if style.leading() > self.room() {
                self.page_break();
                if let Some(continued) = continued {
                    continued(self);
                }
            }
            let mut x = MARGIN;
            let top = self.y;
            for (column, cell) in columns.iter().zip(&wrapped) {
                if let Some(text) = cell.get(line) {
                    let left = match column.align {
                        Align::Left => x + CELL_PADDING,
                        Align::Right => {
                            x + column.width - CELL_PADDING - text_width(text, style.size)
                        }
                    };
                    self.text_at(left, top, style, text);
                }
                x += column.width;
            }
            self.y += style.leading();
        }
    }
}

fn row_lines(columns: &[Column], cells: &[String], size: f32) -> usize {
    columns
        .iter()
        .zip(cells)
        .map(|(column, cell)| wrap(cell, size, column.width - 2.0 * CELL_PADDING).len())
        .max()
        .unwrap_or(0)
}

/// Cuts `text` into lines no wider than `width` at `size`: at `\n`, then between words
/// (ASCII spaces; no-break spaces hold), and inside a word too wide for a line on its own.
pub fn wrap(text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split([' ', '\t']).filter(|w| !w.is_empty()) {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if text_width(&candidate, size) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if text_width(word, size) <= width {
                line = word.to_owned();
            } else {
                for c in word.chars() {
                    let mut longer = line.clone();
                    longer.push(c);
                    if text_width(&longer, size) > width && !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                        line.push(c);
                    } else {
                        line = longer;
                    }
                }
            }
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_every_character() {
        let text = "Gestion de la communauté Instagram et LinkedIn, modération quotidienne, \
                    rapport mensuel\nSeconde ligne";
        let lines = wrap(text, 10.0, 120.0);
        assert!(lines.len() > 3);
        for line in &lines {
            assert!(text_width(line, 10.0) <= 120.0, "{line}");
        }
        let joined: String = lines.concat().chars().filter(|c| *c != ' ').collect();
        let original: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert_eq!(joined, original);
    }

    #[test]
    fn a_word_wider_than_the_column_is_broken_not_lost() {
        let word = "x".repeat(500);
        let lines = wrap(&word, 10.0, 100.0);
        assert!(lines.len() > 5);
        assert_eq!(lines.concat(), word);
    }

    #[test]
    fn a_long_table_carries_on_over_pages() {
        let mut layout = Layout::new();
        let columns = vec![
            Column {
                width: 300.0,
                align: Align::Left,
            },
            Column {
                width: 100.0,
                align: Align::Right,
            },
        ];
        let rows: Vec<Vec<String>> = (0..120)
            .map(|i| vec![format!("Ligne {i}"), format!("{i},00 €")])
            .collect();
        layout.table(&Table {
            columns,
            header: Some(vec!["Désignation".into(), "Montant".into()]),
            rows,
            style: Style::regular(9.0),
            ruled: true,
        });
        assert!(layout.pages.len() >= 3);
        let texts: Vec<&str> = layout
            .pages
            .iter()
            .flatten()
            .filter_map(|op| match op {
                Op::Text { text, y, .. } => {
                    assert!(*y <= A4_HEIGHT - MARGIN + 1.0);
                    Some(text.as_str())
                }
                Op::Line { .. } => None,
            })
            .collect();
        assert!(texts.contains(&"Ligne 119"));
        let headers = texts.iter().filter(|t| **t == "Désignation").count();
        assert_eq!(headers, layout.pages.len());
    }
}
