from django.urls import path

from . import api, views

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify_code, name="verify-code"),
]

api_urlpatterns = [
    path("api/verify/", api.VerifyView.as_view(), name="api-verify"),
]
