"""The browser UI as a viewflow frontend ``Site``: Material pages, a drawer menu, Turbo navigation.

Three applications:

* ``OfficeApp`` at the site root: my tasks (the home page), memos, drafting, the task page.
  Its URL names are not namespaced (``task``, ``memo-detail`` …) so emails, the API and
  templates reverse them the same way wherever the app is mounted.
* ``AnnouncementApp`` at ``/announcements/``: the public pages, no login.
* viewflow's own ``FlowAppViewset`` at ``/memo/`` (the flow's URL name): process list, dashboard,
  archive and the flow chart. Those pages list every process, drafts of others included, so
  they need the view permission on memo processes (viewflow's ``Flow.has_view_permission``,
  given to admins); viewflow's ``SiteMiddleware`` answers 403 to anyone else and the menu
  leaves the app out. Officials see their memos through ``OfficeApp``, which filters every
  list by what the user may see.
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application, Site, route
from viewflow.workflow.flow import FlowAppViewset

from workflow.flows import MemoFlow

from . import announcements
from . import pages as views
from .clerk import ClerkApp
from .selfservice import SelfServiceApp


class OfficeApp(Application):
    title = _("งานสารบรรณ")
    icon = "inbox"
    app_name = None  # URL names stay global: see the module docstring
    menu_template_name = "office/menu.html"
    base_template_name = "office/base_page.html"

    index_path = path("", views.InboxView.as_view(), name="index")
    memo_list_path = path("memos/", views.MemoListView.as_view(), name="memo-list")
    memo_create_path = path("memos/new/", views.memo_create, name="memo-create")
    memo_detail_path = path("memos/<int:memo_id>/", views.memo_detail, name="memo-detail")
    memo_edit_path = path("memos/<int:memo_id>/edit/", views.memo_edit, name="memo-edit")
    memo_delete_path = path("memos/<int:memo_id>/delete/", views.memo_delete, name="memo-delete")
    memo_copy_path = path("memos/<int:memo_id>/copy/", views.memo_copy, name="memo-copy")
    memo_attachment_delete_path = path(
        "memos/<int:memo_id>/attachments/<int:attachment_id>/delete/", views.memo_attachment_delete,
        name="memo-attachment-delete",
    )
    memo_submit_path = path("memos/<int:memo_id>/submit/", views.memo_submit, name="memo-submit")
    memo_note_path = path("memos/<int:memo_id>/note/", views.memo_note, name="memo-note")
    memo_pdf_path = path("memos/<int:memo_id>/pdf/", views.memo_pdf, name="memo-pdf")
    memo_attachment_path = path(
        "memos/<int:memo_id>/attachments/<int:attachment_id>/", views.memo_attachment, name="memo-attachment"
    )
    task_path = path("tasks/<int:task_id>/", views.TaskView.as_view(), name="task")
    phrase_save_path = path("phrases/", views.phrase_save, name="phrase-save")


class AnnouncementApp(Application):
    title = _("ประกาศ")
    icon = "campaign"
    app_name = "announcements"
    menu_template_name = None  # four pages; the site menu is enough
    base_template_name = "office/base_page.html"

    index_path = path("", announcements.announcement_list, name="index")
    feed_path = path("feed/", announcements.AnnouncementFeed(), name="feed")
    detail_path = path("<int:announcement_id>/", announcements.announcement_detail, name="detail")
    pdf_path = path("<int:announcement_id>/pdf/", announcements.announcement_pdf, name="pdf")


class OfficeSite(Site):
    menu_template_name = "office/site_menu.html"  # the app list, less the app whose menu is open
    index_path = None  # the office app's inbox is the home page
    office_path = route("", OfficeApp())

    def menu_items(self):
        # the office app first; viewflow lists ``viewsets`` before routes
        return sorted(super().menu_items(), key=lambda app: not isinstance(app, OfficeApp))


site = OfficeSite(
    title=_("สารบรรณ"),
    viewsets=[
        ClerkApp(),  # /clerk/: the สารบรรณ role only (hidden from the menu for others)
        SelfServiceApp(),  # /me/
        AnnouncementApp(),
        FlowAppViewset(MemoFlow, icon="account_tree"),
    ],
)
