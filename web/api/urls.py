from django.contrib.auth.views import redirect_to_login
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.exceptions import NotAuthenticated

from . import clerk, views


class DocsView(SpectacularSwaggerView):
    """Swagger UI, for logged-in users (SPECTACULAR_SETTINGS: SERVE_PERMISSIONS): a browser that is
    not logged in is sent to the login page and back, rather than shown a bare 401."""

    template_name = "api/docs.html"

    def handle_exception(self, exc):
        if isinstance(exc, NotAuthenticated):
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("auth/logout/", views.LogoutView.as_view(), name="api-logout"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("me/signature", clerk.SignatureView.as_view(), name="api-me-signature"),
    path("me/absences/", clerk.AbsenceView.as_view(), name="api-me-absences"),
    path("register/<int:year>/", clerk.RegisterView.as_view(), name="api-register"),
    path("register/<int:year>/<str:fmt>/", clerk.RegisterExportView.as_view(), name="api-register-export"),
    path("memos/", views.MemoListView.as_view(), name="api-memos"),
    path("memos/<int:memo_id>/", views.MemoDetailView.as_view(), name="api-memo"),
    path("memos/<int:memo_id>/submit/", views.MemoSubmitView.as_view(), name="api-memo-submit"),
    path("memos/<int:memo_id>/pdf/", views.MemoPdfView.as_view(), name="api-memo-pdf"),
    path("memos/<int:memo_id>/document/", views.MemoDocumentView.as_view(), name="api-memo-document"),
    path("memos/<int:memo_id>/note/", views.ReaderNoteView.as_view(), name="api-memo-note"),
    path("memos/<int:memo_id>/copy/", views.MemoCopyView.as_view(), name="api-memo-copy"),
    path("memos/<int:memo_id>/attachments/", views.AttachmentView.as_view(), name="api-memo-attachments"),
    path(
        "memos/<int:memo_id>/attachments/<int:attachment_id>/", views.AttachmentDetailView.as_view(),
        name="api-memo-attachment",
    ),
    path("tasks/", views.TaskListView.as_view(), name="api-tasks"),
    path("tasks/<int:task_id>/decide/", views.DecideView.as_view(), name="api-task-decide"),
    path("phrases/", views.PhraseView.as_view(), name="api-phrases"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", DocsView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"", views.not_found),  # last: any other /api/ path is a JSON 404, not the HTML page
]
