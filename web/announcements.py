"""Public pages: published announcements, their PDFs and an Atom feed, with no login.
Only rows with ``published_at`` set are reachable; everything else is a 404."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext_lazy as _

from memos.documents.thai import thai_date
from memos.mail import absolute
from memos.models import Announcement

from .pdf import pdf_response

PAGE_SIZE = 20


def published():
    return Announcement.objects.filter(published_at__isnull=False).select_related("agency")


def _get(announcement_id: int) -> Announcement:
    try:
        return published().get(pk=announcement_id)
    except Announcement.DoesNotExist:
        raise Http404(_("ไม่พบประกาศ")) from None


def announcement_list(request):
    page = Paginator(published().order_by("-published_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "announcements/list.html", {"page": page})


def announcement_detail(request, announcement_id: int):
    return render(request, "announcements/detail.html", {"announcement": _get(announcement_id)})


def announcement_pdf(request, announcement_id: int):
    return pdf_response(_get(announcement_id).document, f"announcement-{announcement_id}.pdf")


class AnnouncementFeed(Feed):
    feed_type = Atom1Feed
    title = _("ประกาศ")
    subtitle = _("ประกาศที่เผยแพร่แล้ว")

    def link(self):
        return reverse("announcements:index")

    def items(self):
        return published().select_related("document").defer("document__pdf").order_by("-published_at", "-id")[:50]

    def item_title(self, item: Announcement) -> str:
        return f"ประกาศ{item.agency.name} เรื่อง {item.subject}"

    def item_description(self, item: Announcement) -> str:
        # the feed types a summary as HTML: the text is escaped, never markup
        return linebreaks(escape(f"{thai_date(item.date, era=True)}\n\n" + "\n\n".join(item.paragraphs)))

    def item_link(self, item: Announcement) -> str:
        return reverse("announcements:detail", args=[item.pk])

    def item_pubdate(self, item: Announcement):
        return item.published_at

    def item_updateddate(self, item: Announcement):
        return item.published_at

    def item_enclosures(self, item: Announcement):
        url = absolute(reverse("announcements:pdf", args=[item.pk]))  # Django leaves enclosure URLs as given
        return [Enclosure(url, str(item.document.size), "application/pdf")]
