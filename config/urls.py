from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language
from django.views.static import serve
from viewflow.urls import Site
from viewflow.workflow.flow import FlowAppViewset

from workflow.flows import MemoFlow

# viewflow's own frontend for the flow: process list, task archive, flow chart (staff use).
site = Site(title="สารบรรณ", viewsets=[FlowAppViewset(MemoFlow, icon="description")])

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/", include("workflow.api.urls")),
    path("flow/", site.urls),
    path("", include("workflow.urls")),
]

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
