from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language
from django.views.static import serve

from accounts.forms import LoginForm
from web.site import site
from web.urls import api_urlpatterns as verify_api
from web.urls import urlpatterns as verify_pages

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    *verify_api,  # before the flow's API, whose last pattern answers every other /api/ path
    path("api/", include("web.api.urls")),
    *verify_pages,  # /verify/: public, no login
    # the browser UI: our pages, the public announcements and viewflow's flow pages (see workflow/site.py)
    path("", site.urls),
]

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
