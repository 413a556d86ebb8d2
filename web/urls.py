from django.urls import path

from . import verify_api, verify_pages

urlpatterns = [
    path("verify/", verify_pages.verify, name="verify"),
    path("verify/<str:code>/", verify_pages.verify_code, name="verify-code"),
]

api_urlpatterns = [
    path("api/verify/", verify_api.VerifyView.as_view(), name="api-verify"),
]
