"""Page and type settings from FORMAT.md, in one place. Points marked there as open are chosen here."""

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm

PAGE = A4
MARGIN_LEFT = 3 * cm
MARGIN_RIGHT = 2 * cm
MARGIN_TOP = 1.5 * cm  # open in FORMAT.md (1.5–2.5 cm): the emblem sits 1.5 cm from the top edge
MARGIN_BOTTOM = 2 * cm  # open: common practice
BODY_SIZE = 16
HEADING_SIZE = 29
LABEL_SIZE = 20  # open (20 or 16 pt): 20 pt is the size more sources cite
FIRST_INDENT = 2.5 * cm
PARA_SPACE = 6
EMBLEM_MEMO = 1.5 * cm
EMBLEM_ANNOUNCEMENT = 3 * cm
PAGE_NUMBERS_FROM = 2  # "- ๒ -" centred at the top from page 2 (open for computer layout; kept)
REPORT_BODY_SIZE = 14
REPORT_CELL_SIZE = 12

# Line spacing. Sarabun's own line height (hhea ascender 1.068 + descender 0.232) is 1.3 em, but a tone
# mark stacked on an upper vowel over ป/ฝ/ฟ reaches 1.27 em (bold 1.30) above the baseline and ู or the
# tails of ฎ/ฏ 0.33 em (bold 0.35) below it, so at 1.3 em those inks touch on adjacent lines. The leading
# is therefore the ink extent measured from the font file (fonts.ink_extents, HarfBuzz with the font's
# GPOS: 1.65 em over both faces) and never less than MIN_LEADING_EM: 16 pt body text gets 26.4 pt, 28 lines
# in the first page's 26.2 cm frame and 27 on later pages, i.e. the 27–30 lines an official document in TH
# Sarabun holds per page. Paragraph spacing (PARA_SPACE) comes on top.
MIN_LEADING_EM = 1.3
