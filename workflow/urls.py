from django.urls import path

from . import announcements, views

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("memos/", views.memo_list, name="memo-list"),
    path("memos/new/", views.memo_create, name="memo-create"),
    path("memos/<int:memo_id>/", views.memo_detail, name="memo-detail"),
    path("memos/<int:memo_id>/edit/", views.memo_edit, name="memo-edit"),
    path("memos/<int:memo_id>/submit/", views.memo_submit, name="memo-submit"),
    path("memos/<int:memo_id>/pdf/", views.memo_pdf, name="memo-pdf"),
    path("tasks/<int:task_id>/", views.TaskView.as_view(), name="task"),
    # public, no login
    path("announcements/", announcements.announcement_list, name="announcement-list"),
    path("announcements/feed/", announcements.AnnouncementFeed(), name="announcement-feed"),
    path("announcements/<int:announcement_id>/", announcements.announcement_detail, name="announcement-detail"),
    path("announcements/<int:announcement_id>/pdf/", announcements.announcement_pdf, name="announcement-pdf"),
]
