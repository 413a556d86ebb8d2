from django.urls import path

from . import views

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("memos/", views.memo_list, name="memo-list"),
    path("memos/new/", views.memo_create, name="memo-create"),
    path("memos/<int:memo_id>/", views.memo_detail, name="memo-detail"),
    path("memos/<int:memo_id>/edit/", views.memo_edit, name="memo-edit"),
    path("memos/<int:memo_id>/submit/", views.memo_submit, name="memo-submit"),
    path("tasks/<int:task_id>/", views.TaskView.as_view(), name="task"),
]
