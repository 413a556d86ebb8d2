"""A pager that does not count: a list of 100,000 memos is not counted to show 25 of them."""

from __future__ import annotations

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator


class PageWithoutCount(Paginator):
    """Reads one row more than a page holds: there is a next page when it comes back. ``count``
    is then what has been seen so far (enough for ``has_next``, ``start_index`` and
    ``end_index``); pages show no total."""

    def page(self, number) -> Page:
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("หมายเลขหน้าไม่ถูกต้อง") from None
        if number < 1:
            raise EmptyPage("หมายเลขหน้าไม่ถูกต้อง")
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage("ไม่มีหน้านี้")
        self.__dict__["count"] = bottom + len(rows)
        return self._get_page(rows[: self.per_page], number, self)
