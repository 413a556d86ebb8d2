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
